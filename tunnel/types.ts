/**
 * @module The values and results that cross the tunnel between the shim and the Durable Object.
 * Pure types: imported by the shim (Node), the engine and the tunnel codec (workerd) alike.
 */

/**
 * A typed SQL value. The PostgreSQL type (an OID) travels beside it, in the column or
 * parameter description; the JS representation per type family is fixed:
 *
 * | PostgreSQL type                                   | JS value     |
 * |---------------------------------------------------|--------------|
 * | NULL (any type)                                   | `null`       |
 * | bool                                              | `boolean`    |
 * | int2, int4, int8, oid                             | `bigint` (exact over int64) |
 * | float4, float8                                    | `number`     |
 * | bytea                                             | `Uint8Array` (empty stays empty, never NULL) |
 * | numeric, text, varchar, bpchar, name, json, jsonb,
 * |   uuid, date, time, timestamp, timestamptz, interval,
 * |   regclass, unknown                               | `string`, in PostgreSQL's text output form |
 * | 1-D arrays of the above                           | `SqlValue[]` (elements may be `null`) |
 *
 * A parameter may also arrive as a `string` for any type: it is then PostgreSQL text input
 * (what a client sends in text format) and the engine coerces it to the inferred type.
 */
export type SqlValue = null | boolean | bigint | number | string | Uint8Array | SqlValue[];

/** One result column, as RowDescription needs it. */
export interface Column {
  name: string;
  /** PostgreSQL type OID (see `oids.ts`). */
  typeOid: number;
  /** OID of the source table, 0 when the column is not a plain table column. */
  tableOid: number;
  /** Attribute number within that table, 0 when none. */
  attnum: number;
}

/** A PostgreSQL error or notice, fields as in ErrorResponse/NoticeResponse. */
export interface PgError {
  /** ERROR, FATAL, WARNING, NOTICE… (default ERROR). */
  severity?: string;
  sqlstate: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement text. */
  position?: number;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

/** Transaction status as ReadyForQuery reports it: idle, in transaction, failed transaction. */
export type TxStatus = 'I' | 'T' | 'E';

/** What `prepare` learns about a statement (answers Describe S without another round trip). */
export interface Description {
  /** One OID per `$n`, inferred where the client left it 0. */
  paramOids: number[];
  /** `null` when the statement returns no rows (NoData). */
  columns: Column[] | null;
}

/** The outcome of one statement. */
export interface StatementResult {
  /** `null` for a statement that returns no rows. */
  columns: Column[] | null;
  rows: SqlValue[][];
  /** CommandComplete tag ("SELECT 3", "INSERT 0 1", "CREATE TABLE"); `null` for an empty query. */
  tag: string | null;
}

/** Who opened a session: the startup packet's fields. */
export interface SessionInfo {
  user: string;
  database: string;
  /** Other startup parameters (application_name, client_encoding, options…). */
  params: Record<string, string>;
}

/** Every reply carries the session's transaction status and any notices raised on the way. */
export interface ReplyBase {
  txStatus: TxStatus;
  notices: PgError[];
}

export interface PrepareReply extends ReplyBase {
  /** Set when the statement parsed and analysed; absent when `error` is set. */
  description?: Description;
  error?: PgError;
}

/**
 * The results of `execute` (exactly one statement) or `query` (a simple-protocol string: one
 * result per statement, stopping at the first error, which is then set).
 */
export interface ExecuteReply extends ReplyBase {
  results: StatementResult[];
  error?: PgError;
}

/**
 * One client session's SQL service. The engine implements it inside the Durable Object; the
 * tunnel client implements it in the shim by forwarding each call as one tunnel round trip.
 * Calls on one session are issued in order and answered in order.
 */
export interface SqlSession {
  /** Parse and analyse: parameter OIDs (0 = infer) in, inferred OIDs and columns out. */
  prepare(sql: string, paramOids: number[]): Promise<PrepareReply>;
  /** Run one statement with typed parameters (extended protocol). */
  execute(sql: string, paramOids: number[], params: SqlValue[]): Promise<ExecuteReply>;
  /** Run a simple-protocol query string (any number of statements; one implicit transaction). */
  query(sql: string): Promise<ExecuteReply>;
  /**
   * COPY … FROM STDIN (docs/tunnel.md, copy frames); optional: a session without it refuses
   * COPY. `copyBegin` checks the statement and describes the target columns (their types
   * decode the data); `copyRows` ships one batch of decoded rows; `copyEnd` applies them all as
   * one statement (`commit`, tag `COPY n`) or discards them (CopyFail).
   */
  copyBegin?(sql: string): Promise<PrepareReply>;
  copyRows?(rows: SqlValue[][]): Promise<ExecuteReply>;
  copyEnd?(commit: boolean): Promise<ExecuteReply>;
  /** Ask the running or waiting statement to stop with 57014 (CancelRequest). */
  cancel(): void;
  /** End the session; an open transaction rolls back. */
  close(): Promise<void>;
}

/** What a session reports on its own, outside any request. */
export interface SessionEvents {
  /** The service ended the session (FATAL error, e.g. 25P03 idle in transaction): close the client. */
  ended(error: PgError): void;
}

/** Opens sessions: the engine in the DO, or the tunnel client in the shim. */
export interface SqlService {
  open(info: SessionInfo, events?: SessionEvents): Promise<SqlSession>;
}
