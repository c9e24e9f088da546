/**
 * @module The query protocol over a SqlSession: simple Query and the extended protocol
 * (statements, portals, skip-until-Sync), frontend messages in, backend messages out.
 *
 * Messages are handled strictly in order, but `handle` resolves as soon as the next message may
 * be handled, not when the session answers: output goes out through an ordered queue of pending
 * pieces, so pipelined requests are never serialised behind each other's round trips. Within
 * one Sync group a step that calls the session waits for the group's earlier steps, because an
 * error must skip everything up to the next Sync; a new group starts at once.
 *
 * Chatty traffic stays here: a statement's description is fetched once (prepare) and cached;
 * Describe of a described statement, Close, Sync, Flush and SHOW of a fixed setting never call
 * the session; the usual Parse/Bind/Describe P/Execute/Sync batch costs one execute call.
 */
import { showColumnName } from '../tunnel/setting-names.ts';
import { OID } from '../tunnel/oids.ts';
import type { Column, Description, ExecuteReply, PgError, ReplyBase, SqlSession, SqlValue, StatementResult, TxStatus } from '../tunnel/types.ts';
import { codecFor } from './codecs/index.ts';
import { CopyFromStdin, isCopy, type CopyOutcome } from './copy-in.ts';
import { formatAt } from './protocol/backend-writer.ts';
import type { BackendMessage, FrontendMessage } from './protocol/messages.ts';
import { staticSetting } from './settings.ts';

/** Where answers go: pieces are written in push order, each once it has resolved. */
export type Emit = (piece: BackendMessage[] | Promise<BackendMessage[]>) => void;

interface Statement {
  sql: string;
  /** As Parse gave them (0 = unspecified). */
  paramOids: number[];
  description?: Description;
  describing?: Promise<Description | PgError>;
  /** `SHOW <fixed setting>`, answered here. */
  show?: { name: string; value: string };
}

interface Portal {
  statement: Statement;
  params: SqlValue[];
  paramOids: number[];
  resultFormats: number[];
  /** Set by the first Execute; later Executes page through its buffered rows. */
  reply?: Promise<ExecuteReply>;
  /** Rows already sent; -1 once the portal has run to completion. */
  sent: number;
  /** A Describe P waiting for the columns this portal's Execute will bring. */
  describeWaiter?: (columns: Column[] | null | undefined) => void;
}

/** The current Sync group: whether every step so far succeeded, and the latest txStatus. */
interface Group {
  ok: Promise<boolean>;
  tx: Promise<TxStatus>;
}

const SHOW = /^\s*show\s+([a-z_]+)\s*;?\s*$/i;

/** `SHOW name` of a fixed setting, or undefined (then the engine answers it). */
export function matchShow(sql: string): { name: string; value: string } | undefined {
  const name = SHOW.exec(sql)?.[1].toLowerCase();
  const value = name === undefined ? undefined : staticSetting(name);
  return value === undefined ? undefined : { name: name!, value };
}

/** Statements that end a transaction (a failed one rolls back whichever is sent). */
const END_TRANSACTION = /^\s*(commit|end|rollback|abort)(\s+(work|transaction))?\s*;?\s*$/i;

const textColumn = (name: string): Column => ({ name: showColumnName(name), typeOid: OID.text, tableOid: 0, attnum: 0 });
const inFailedTransaction: PgError = {
  sqlstate: '25P02',
  message: 'current transaction is aborted, commands ignored until end of transaction block',
};

function isError(v: Description | PgError): v is PgError {
  return 'sqlstate' in v;
}

export class QueryProtocol {
  readonly #session: SqlSession;
  readonly #emit: Emit;
  readonly #statements = new Map<string, Statement>();
  readonly #portals = new Map<string, Portal>();
  #group: Group = { ok: Promise.resolve(true), tx: Promise.resolve('I') };
  /** True while the open transaction is failed by an error the shim raised (see #fail). */
  #aborted: Promise<boolean> = Promise.resolve(false);
  #undescribed: Portal[] = [];
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  /** A COPY FROM STDIN in progress: copy messages feed it; Sync and Flush are ignored meanwhile. */
  #copy: { op: CopyFromStdin; simple: boolean } | undefined;

  constructor(session: SqlSession, emit: Emit) {
    this.#session = session;
    this.#emit = emit;
  }

  /** Session calls issued and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves once fewer than `limit` session calls are in flight. */
  async below(limit: number): Promise<void> {
    while (this.#inFlight >= limit) await new Promise<void>((r) => this.#waiters.push(r));
  }

  /**
   * Counts a session call in flight. A call that rejects (the contract says it should not)
   * becomes a FATAL reply, so no promise in the pipeline is ever left rejected.
   */
  #track<T extends ReplyBase>(p: Promise<T>): Promise<T> {
    this.#inFlight++;
    return p
      .catch((err: unknown) => {
        const error: PgError = { severity: 'FATAL', sqlstate: '08006', message: `the database session failed: ${(err as Error).message}` };
        return { results: [], notices: [], txStatus: 'I', error } as ReplyBase as T;
      })
      .finally(() => {
        this.#inFlight--;
        for (const w of this.#waiters.splice(0)) w();
      });
  }

  /** Handles one message; resolves when the next may be handled, not when it is answered. */
  async handle(m: FrontendMessage): Promise<void> {
    if (this.#copy) return this.#inCopy(this.#copy, m);
    // Outside COPY these are dropped, as PostgreSQL does (a COPY that already failed).
    if (m.type === 'copyData' || m.type === 'copyDone' || m.type === 'copyFail') return;
    if (m.type === 'sync') return this.#sync();
    if (m.type === 'flush') return this.#settleDescribes();
    // Everything else is discarded after an error, until Sync.
    if (!(await this.#group.ok)) return;
    if ((m.type === 'query' || m.type === 'execute') && (await this.#aborted)) {
      const sql = m.type === 'query' ? m.sql : this.#portals.get(m.portal)?.statement.sql;
      if (sql !== undefined) return this.#inAbortedTransaction(sql, m.type === 'query');
    }
    switch (m.type) {
      case 'query':
        return isCopy(m.sql) && this.#session.copyBegin ? this.#copyBegin(m.sql, true) : this.#query(m.sql);
      case 'parse':
        return this.#parse(m.name, m.sql, m.paramOids);
      case 'bind':
        return this.#bind(m.portal, m.statement, m.paramFormats, m.params, m.resultFormats);
      case 'describe':
        return m.kind === 'S' ? this.#describeStatement(m.name) : this.#describePortal(m.name);
      case 'execute': {
        const sql = this.#portals.get(m.portal)?.statement.sql;
        if (sql !== undefined && isCopy(sql) && this.#session.copyBegin) return this.#copyBegin(sql, false);
        return this.#execute(m.portal, m.maxRows);
      }
      case 'close':
        (m.kind === 'S' ? this.#statements : this.#portals).delete(m.name);
        return this.#emit([{ type: 'closeComplete' }]);
      default:
        return this.#fail({ sqlstate: '08P01', message: `unexpected message type ${m.type}` });
    }
  }

  /**
   * An error raised here (not by the session). Inside a transaction PostgreSQL would now fail
   * it; the session does not know, so the shim holds the transaction as failed itself.
   */
  #fail(error: PgError): void {
    this.#emit([{ type: 'error', error }]);
    const tx = this.#group.tx.then((t): TxStatus => (t === 'T' ? 'E' : t));
    const before = this.#aborted;
    this.#aborted = Promise.all([before, this.#group.tx]).then(([a, t]) => a || t === 'T');
    this.#group = { ok: Promise.resolve(false), tx };
  }

  /**
   * A statement in a transaction the shim failed: ending it rolls back (COMMIT too, as
   * PostgreSQL answers it), anything else is 25P02 without calling the session.
   */
  #inAbortedTransaction(sql: string, simple: boolean): void {
    const out: Promise<{ out: BackendMessage[]; ok: boolean; tx: TxStatus }> = END_TRANSACTION.test(sql)
      ? this.#track(this.#session.query('ROLLBACK')).then((r) => ({
          out: r.error ? [{ type: 'error', error: r.error }] : [{ type: 'commandComplete', tag: 'ROLLBACK' }],
          ok: !r.error,
          tx: r.txStatus,
        }))
      : Promise.resolve({ out: [{ type: 'error', error: inFailedTransaction }], ok: false, tx: 'E' });
    this.#aborted = out.then((o) => o.tx !== 'I');
    const tx = out.then((o) => o.tx);
    if (!simple) return this.#step(out, tx);
    this.#emit(out.then((o): BackendMessage[] => [...o.out, { type: 'readyForQuery', status: o.tx }]));
    this.#group = { ok: Promise.resolve(true), tx };
  }

  /** Adds a step to the group: its messages go out in place; a failed step fails the group. */
  #step(step: Promise<{ out: BackendMessage[]; ok: boolean }>, tx?: Promise<TxStatus>): void {
    this.#emit(step.then((s) => s.out));
    const before = this.#group.ok;
    this.#group = { ok: Promise.all([before, step]).then(([a, s]) => a && s.ok), tx: tx ?? this.#group.tx };
  }

  #sync(): void {
    this.#settleDescribes();
    const { ok, tx } = this.#group;
    this.#emit(Promise.all([ok, tx]).then(([, status]) => [{ type: 'readyForQuery', status }]));
    this.#group = { ok: Promise.resolve(true), tx };
    // The unnamed portal ends with the (autocommit) transaction; a suspended one may still be read.
    const unnamed = this.#portals.get('');
    if (unnamed && (!unnamed.reply || unnamed.sent === -1)) this.#portals.delete('');
  }

  #parse(name: string, sql: string, paramOids: number[]): void {
    if (name !== '' && this.#statements.has(name)) return this.#fail({ sqlstate: '42P05', message: `prepared statement "${name}" already exists` });
    const show = matchShow(sql);
    const statement: Statement = show ? { sql, paramOids, show, description: { paramOids: [], columns: [textColumn(show.name)] } } : { sql, paramOids };
    this.#statements.set(name, statement);
    this.#emit([{ type: 'parseComplete' }]);
  }

  /** The statement's description: one prepare call, then cached on the statement. */
  #described(s: Statement): Promise<Description | PgError> {
    if (s.description) return Promise.resolve(s.description);
    return (s.describing ??= this.#track(this.#session.prepare(s.sql, s.paramOids)).then((r) => {
      if (r.error || !r.description) {
        s.describing = undefined;
        return r.error ?? { sqlstate: 'XX000', message: 'prepare returned no description' };
      }
      s.description = r.description;
      return r.description;
    }));
  }

  async #bind(portalName: string, statementName: string, paramFormats: number[], raw: (Buffer | null)[], resultFormats: number[]): Promise<void> {
    const statement = this.#statements.get(statementName);
    if (!statement) return this.#fail({ sqlstate: '26000', message: `prepared statement "${statementName}" does not exist` });
    if (paramFormats.length > 1 && paramFormats.length !== raw.length) {
      return this.#fail({ sqlstate: '08P01', message: `bind message has ${paramFormats.length} parameter formats but ${raw.length} parameters` });
    }
    const badFormat = [...paramFormats, ...resultFormats].find((f) => f !== 0 && f !== 1);
    if (badFormat !== undefined) return this.#fail({ sqlstate: '22023', message: `unsupported format code: ${badFormat}` });
    let oids = statement.description?.paramOids ?? statement.paramOids;
    if (raw.some((v, i) => v !== null && formatAt(paramFormats, i) === 1 && !oids[i])) {
      // A binary value cannot be read without its type: learn the types first.
      const d = await this.#described(statement);
      if (isError(d)) return this.#fail(d);
      oids = d.paramOids;
    }
    const expected = statement.description?.paramOids.length;
    if (expected !== undefined && expected !== raw.length) {
      return this.#fail({ sqlstate: '08P01', message: `bind message supplies ${raw.length} parameters, but prepared statement "${statementName}" requires ${expected}` });
    }
    const params: SqlValue[] = [];
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i];
      // Text goes as a string: the engine reads it as the parameter's (possibly inferred) type.
      if (v === null || formatAt(paramFormats, i) === 0) {
        params.push(v === null ? null : v.toString('utf8'));
        continue;
      }
      const decoded = codecFor(oids[i]).decodeBinary(v);
      if (decoded !== null && typeof decoded === 'object' && 'sqlstate' in decoded) {
        return this.#fail(decoded.sqlstate === '22P03' ? { ...decoded, message: `incorrect binary data format in bind parameter ${i + 1}` } : decoded);
      }
      params.push(decoded as SqlValue);
    }
    this.#portals.set(portalName, { statement, params, paramOids: raw.map((_, i) => oids[i] ?? 0), resultFormats, sent: 0 });
    this.#emit([{ type: 'bindComplete' }]);
  }

  #describeStatement(name: string): void {
    const statement = this.#statements.get(name);
    if (!statement) return this.#fail({ sqlstate: '26000', message: `prepared statement "${name}" does not exist` });
    this.#step(
      this.#described(statement).then((d) => {
        if (isError(d)) return { out: [{ type: 'error', error: d }], ok: false };
        const rows: BackendMessage = d.columns ? { type: 'rowDescription', columns: d.columns, formats: [] } : { type: 'noData' };
        return { out: [{ type: 'parameterDescription', oids: d.paramOids }, rows], ok: true };
      }),
    );
  }

  #describePortal(name: string): void {
    const portal = this.#portals.get(name);
    if (!portal) return this.#fail({ sqlstate: '34000', message: `portal "${name}" does not exist` });
    const describe = (columns: Column[] | null): BackendMessage[] => [
      columns ? { type: 'rowDescription', columns, formats: portal.resultFormats } : { type: 'noData' },
    ];
    const known = portal.statement.description;
    if (known) return this.#emit(describe(known.columns));
    if (portal.reply) return this.#emit(portal.reply.then((r) => (r.error ? [] : describe(r.results[0]?.columns ?? null))));
    // Not described yet: the Execute that normally follows brings the columns, saving a round
    // trip. A Describe P with no Execute is answered by prepare at the next Flush or Sync.
    // `undefined` means the statement failed: its error follows, so nothing is written here.
    this.#emit(
      new Promise<BackendMessage[]>((resolve) => {
        portal.describeWaiter = (columns) => resolve(columns === undefined ? [] : describe(columns));
      }),
    );
    this.#undescribed.push(portal);
  }

  #settleDescribes(): void {
    for (const portal of this.#undescribed.splice(0)) {
      const waiter = portal.describeWaiter;
      if (!waiter) continue;
      portal.describeWaiter = undefined;
      void this.#described(portal.statement).then((d) => waiter(isError(d) ? undefined : d.columns));
    }
  }

  #execute(name: string, maxRows: number): void {
    const portal = this.#portals.get(name);
    if (!portal) return this.#fail({ sqlstate: '34000', message: `portal "${name}" does not exist` });
    // This Execute will bring the columns a pending Describe P waits for: no prepare at Sync.
    this.#undescribed = this.#undescribed.filter((p) => p !== portal);
    const show = portal.statement.show;
    portal.reply ??= show ? this.#showReply(show) : this.#track(this.#session.execute(portal.statement.sql, portal.paramOids, portal.params));
    const reply = portal.reply;
    this.#step(
      reply.then((r) => {
        const result = r.results[0];
        if (portal.describeWaiter) {
          portal.describeWaiter(r.error ? undefined : (result?.columns ?? null));
          portal.describeWaiter = undefined;
        }
        // Notices belong to the first Execute; later ones page through the buffered rows.
        const out: BackendMessage[] = portal.sent === 0 ? r.notices.map((notice) => ({ type: 'notice', notice })) : [];
        if (r.error) return { out: [...out, { type: 'error', error: r.error }], ok: false };
        if (!result || result.tag === null) return { out: [...out, { type: 'emptyQueryResponse' }], ok: true };
        if (portal.sent === -1) return { out: [{ type: 'commandComplete', tag: rowsTag(result.tag, 0) }], ok: true };
        const start = portal.sent;
        const end = maxRows > 0 ? Math.min(result.rows.length, start + maxRows) : result.rows.length;
        for (let i = start; i < end; i++) out.push(dataRow(result, result.rows[i], portal.resultFormats));
        // As PostgreSQL: a page that fills maxRows suspends, even when it holds the last row.
        if (maxRows > 0 && end - start === maxRows) {
          portal.sent = end;
          out.push({ type: 'portalSuspended' });
        } else {
          // Done: the rows are released; the portal may be dropped at Sync.
          portal.sent = -1;
          portal.reply = Promise.resolve({ ...r, notices: [], results: [{ ...result, rows: [] }] });
          out.push({ type: 'commandComplete', tag: start > 0 || maxRows > 0 ? rowsTag(result.tag, end - start) : result.tag });
        }
        return { out, ok: true };
      }),
      reply.then((r) => r.txStatus),
    );
  }

  /** COPY … FROM STDIN: the session checks it and describes the target, then copy-in mode. */
  async #copyBegin(sql: string, simple: boolean): Promise<void> {
    const session = this.#session as Required<SqlSession>;
    const reply = await this.#track(session.copyBegin(sql));
    const columns = reply.description?.columns;
    if (reply.error || !columns) return this.#copyFailed(reply.error ?? { sqlstate: 'XX000', message: 'COPY target not described' }, simple);
    this.#emit([{ type: 'copyInResponse', format: 1, columnFormats: columns.map(() => 1) }]);
    const track = <T extends ExecuteReply>(p: Promise<T>) => this.#track(p);
    this.#copy = { op: new CopyFromStdin(session, columns.map((c) => c.typeOid), reply.txStatus, track), simple };
  }

  async #inCopy(copy: { op: CopyFromStdin; simple: boolean }, m: FrontendMessage): Promise<void> {
    switch (m.type) {
      case 'copyData': {
        const error = copy.op.data(m.data);
        return error ? this.#endCopy(copy, await copy.op.abort(error)) : undefined;
      }
      case 'copyDone':
        return this.#endCopy(copy, await copy.op.done());
      case 'copyFail':
        return this.#endCopy(copy, await copy.op.abort({ sqlstate: '57014', message: `COPY from stdin failed: ${m.message}` }));
      case 'sync':
      case 'flush':
        return; // ignored in copy-in mode, as PostgreSQL does
      default: {
        // As PostgreSQL: it refuses the message before reading its body, so the stream is out
        // of step and the connection ends (ERROR, then FATAL).
        const code = MESSAGE_CODES[m.type] ?? 0;
        const message = `unexpected message type 0x${code.toString(16).toUpperCase()} during COPY from stdin`;
        this.#copy = undefined;
        await copy.op.abort({ sqlstate: '08P01', message });
        const lost: PgError = { severity: 'FATAL', sqlstate: '08P01', message: 'terminating connection because protocol synchronization was lost' };
        return this.#emit([{ type: 'error', error: { sqlstate: '08P01', message } }, { type: 'error', error: lost }]);
      }
    }
  }

  #endCopy(copy: { simple: boolean }, o: CopyOutcome): void {
    this.#copy = undefined;
    if (o.error && o.raisedHere) return this.#copyFailed(o.error, copy.simple);
    const out: BackendMessage[] = o.error ? [{ type: 'error', error: o.error }] : [{ type: 'commandComplete', tag: o.tag ?? 'COPY 0' }];
    if (copy.simple) {
      this.#emit([...out, { type: 'readyForQuery', status: o.txStatus }]);
      this.#group = { ok: Promise.resolve(true), tx: Promise.resolve(o.txStatus) };
      return;
    }
    this.#step(Promise.resolve({ out, ok: !o.error }), Promise.resolve(o.txStatus));
  }

  /** A COPY ended by an error raised here; in a transaction it fails the transaction (#fail). */
  #copyFailed(error: PgError, simple: boolean): void {
    if (!simple) return this.#fail(error);
    const tx = this.#group.tx.then((t): TxStatus => (t === 'T' ? 'E' : t));
    const before = this.#aborted;
    this.#aborted = Promise.all([before, this.#group.tx]).then(([a, t]) => a || t === 'T');
    this.#emit(tx.then((status): BackendMessage[] => [{ type: 'error', error }, { type: 'readyForQuery', status }]));
    this.#group = { ok: Promise.resolve(true), tx };
  }

  /** A SHOW of a fixed setting, answered without the session (refused in a failed transaction). */
  #showReply(show: { name: string; value: string }): Promise<ExecuteReply> {
    return this.#group.tx.then((txStatus) =>
      txStatus === 'E'
        ? { results: [], error: inFailedTransaction, txStatus, notices: [] }
        : { results: [{ columns: [textColumn(show.name)], rows: [[show.value]], tag: 'SHOW' }], txStatus, notices: [] },
    );
  }

  #query(sql: string): void {
    const show = matchShow(sql);
    const reply = show ? this.#showReply(show) : this.#track(this.#session.query(sql));
    this.#emit(
      reply.then((r) => {
        const out: BackendMessage[] = r.notices.map((notice) => ({ type: 'notice', notice }));
        for (const result of r.results) {
          if (result.tag === null) {
            out.push({ type: 'emptyQueryResponse' });
            continue;
          }
          if (result.columns) out.push({ type: 'rowDescription', columns: result.columns, formats: [] });
          for (const row of result.rows) out.push(dataRow(result, row, []));
          out.push({ type: 'commandComplete', tag: result.tag });
        }
        if (r.error) out.push({ type: 'error', error: r.error });
        out.push({ type: 'readyForQuery', status: r.txStatus });
        return out;
      }),
    );
    // A simple Query is its own group: an error in it skips nothing after it.
    this.#group = { ok: Promise.resolve(true), tx: reply.then((r) => r.txStatus) };
  }
}

/** Type bytes of the messages that may not arrive during COPY, for the 08P01 message. */
const MESSAGE_CODES: Partial<Record<FrontendMessage['type'], number>> = {
  query: 0x51, parse: 0x50, bind: 0x42, describe: 0x44, execute: 0x45, close: 0x43, password: 0x70,
};

/** A SELECT read in pages reports the rows of the last page, as PostgreSQL does. */
function rowsTag(tag: string, n: number): string {
  return tag.startsWith('SELECT') ? `SELECT ${n}` : tag;
}

function dataRow(result: StatementResult, row: SqlValue[], formats: number[]): BackendMessage {
  const columns = result.columns ?? [];
  return {
    type: 'dataRow',
    values: row.map((v, i) => {
      if (v === null) return null;
      const codec = codecFor(columns[i]?.typeOid ?? OID.unknown);
      return formatAt(formats, i) === 1 ? codec.encodeBinary(v) : Buffer.from(codec.encodeText(v), 'utf8');
    }),
  };
}
