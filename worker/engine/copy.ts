/**
 * @module COPY … FROM STDIN on the Durable Object's side (docs/tunnel.md, copy frames). The
 * shim decodes the client's binary COPY data and ships rows in bounded batches; this file
 * checks the statement, describes the target columns and applies the rows through the session
 * as the general UNNEST insert, `INSERT INTO t (cols) SELECT * FROM unnest($1::type[], …)`, so
 * a COPY honours search_path and fails as an INSERT would (23505 naming the constraint, 23502…).
 *
 * A COPY is atomic (every row or none):
 * - outside a transaction (Convex's snapshot import: up to a million rows per COPY) it runs in
 *   a transaction of its own, applying each ~4 MiB of rows as it arrives, so memory stays flat
 *   whatever the COPY's size; CopyDone commits, CopyFail or an error rolls back;
 * - inside the client's transaction the rows are held until CopyDone and applied as one
 *   statement (a failure must leave that transaction failed, not half-written), up to
 *   MAX_COPY_BYTES.
 * Only the SqlSession interface is used: nothing here knows how the engine runs statements.
 */
import { arrayTypeOf, OID } from '../../tunnel/oids.ts';
import type { Column, ExecuteReply, PgError, PrepareReply, SqlSession, SqlValue, TxStatus } from '../../tunnel/types.ts';
import { quoteIdent } from './catalog.ts';
import { duplicateColumn, featureNotSupported, programLimitExceeded, syntaxError } from './errors.ts';
import type { parseSql as ParseSql } from './parser.ts';
import { typeName } from './values/type-names.ts';

/**
 * Rows of one COPY inside a client's transaction, held until CopyDone, in approximate bytes.
 * The DO isolate has ~128 MB and the rows are all bound into one statement: past this the COPY
 * fails with 54000 and nothing is written.
 */
export const MAX_COPY_BYTES = 32 * 1024 * 1024;

/** A COPY in its own transaction applies its rows in statements of about this many bytes. */
export const COPY_APPLY_BYTES = 4 * 1024 * 1024;

interface Target {
  /** The INSERT that applies the rows, one array parameter per column. */
  insertSql: string;
  arrayOids: number[];
  columns: Column[];
}

interface Open {
  target: Target;
  /** Column-major: one array per column, so CopyDone binds them without copying. */
  columns: SqlValue[][];
  rows: number;
  bytes: number;
  txStatus: TxStatus;
  /** The COPY opened its own transaction (the client had none): rows are applied as they come. */
  ownTx: boolean;
  /** Rows applied so far (ownTx). */
  applied: number;
  /** Set once a batch broke a limit or failed; CopyDone then reports it. */
  failed?: PgError;
}

/** The COPY statement's target, as SQL for the INSERT and the column probe. */
function parseCopy(parseSql: typeof ParseSql, sql: string): { table: string; columns: string[] | null } | PgError {
  const parsed = parseSql(sql);
  if ('message' in parsed) return syntaxError(parsed.message, parsed.position || undefined);
  if (parsed.stmts.length !== 1) return featureNotSupported('COPY FROM STDIN in a multi-statement query');
  const copy = parsed.stmts[0].stmt.CopyStmt;
  if (!copy) return featureNotSupported('a COPY request that is not a COPY statement');
  if (!copy.is_from) return featureNotSupported('COPY TO');
  if (copy.filename !== undefined || copy.is_program) return featureNotSupported('COPY FROM a file or program (use COPY FROM STDIN)');
  if (copy.whereClause) return featureNotSupported('COPY FROM with WHERE');
  if (!copy.relation) return featureNotSupported('COPY without a table');
  let format = 'text';
  for (const option of copy.options ?? []) {
    const def = option.DefElem;
    if (def?.defname === 'format') format = String(def.arg?.String?.sval ?? '').toLowerCase();
    else if (def?.defname !== 'freeze') return featureNotSupported(`COPY option ${def?.defname}`);
  }
  if (format !== 'binary') return featureNotSupported(`COPY FROM STDIN in ${format} format (only FORMAT binary)`);
  const rel = copy.relation;
  const table = [rel.catalogname, rel.schemaname, rel.relname].filter((p) => p !== undefined).map(quoteIdent).join('.');
  const columns = copy.attlist ? (copy.attlist as { String: { sval: string } }[]).map((a) => a.String.sval) : null;
  return { table, columns };
}

export class CopyIn {
  static readonly #bySession = new WeakMap<SqlSession, CopyIn>();

  /** The COPY state of one session (created on first use, collected with the session). */
  static of(session: SqlSession): CopyIn {
    let c = CopyIn.#bySession.get(session);
    if (!c) CopyIn.#bySession.set(session, (c = new CopyIn(session)));
    return c;
  }

  readonly #session: SqlSession;
  #open: Open | undefined;

  private constructor(session: SqlSession) {
    this.#session = session;
  }

  /** Check the statement and describe the target's columns (the shim's CopyInResponse). */
  async begin(sql: string): Promise<PrepareReply> {
    this.#open = undefined;
    const fail = (error: PgError, txStatus: TxStatus = 'I'): PrepareReply => ({ txStatus, notices: [], error });
    // Loaded here, not at import: the tunnel dispatcher imports this file in Node tests too,
    // where the parser's WASM module cannot load (the engine has loaded it by now in workerd).
    const { parseSql } = await import('./parser.ts');
    const copy = parseCopy(parseSql, sql);
    if ('sqlstate' in copy) return fail(copy);
    if (copy.columns) {
      const seen = new Set<string>();
      for (const c of copy.columns) {
        if (seen.has(c)) return fail(duplicateColumn(c));
        seen.add(c);
      }
    }
    // The target's columns and types, resolved by the engine's own rules (search_path, 42P01, 42703).
    const list = copy.columns ? copy.columns.map(quoteIdent).join(', ') : '*';
    const probe = await this.#session.prepare(`SELECT ${list} FROM ${copy.table}`, []);
    const columns = probe.description?.columns;
    if (probe.error || !columns) {
      // A position would point into the probe's text, not the client's statement.
      const { position: _, ...error } = probe.error ?? featureNotSupported('COPY into this relation');
      return fail(error, probe.txStatus);
    }
    const arrayOids: number[] = [];
    for (const c of columns) {
      const array = arrayTypeOf(c.typeOid);
      if (array === undefined) return fail(featureNotSupported(`COPY into a column of type ${typeName(c.typeOid)}`), probe.txStatus);
      arrayOids.push(array);
    }
    const names = columns.map((c) => quoteIdent(c.name)).join(', ');
    const unnest = arrayOids.map((oid, i) => `$${i + 1}::${castName(oid)}`).join(', ');
    const target = { insertSql: `INSERT INTO ${copy.table} (${names}) SELECT * FROM unnest(${unnest})`, arrayOids, columns };
    const ownTx = probe.txStatus === 'I';
    if (ownTx) {
      const begin = await this.#session.query('BEGIN');
      if (begin.error) return fail(begin.error, begin.txStatus);
    }
    this.#open = { target, columns: columns.map(() => []), rows: 0, bytes: 0, txStatus: probe.txStatus, ownTx, applied: 0 };
    return { txStatus: probe.txStatus, notices: [], description: { paramOids: [], columns } };
  }

  /** Insert the rows held so far (one statement) and let them go; undefined when none were held. */
  async #apply(open: Open): Promise<ExecuteReply | undefined> {
    if (open.rows === 0) return undefined;
    const reply = await this.#session.execute(open.target.insertSql, open.target.arrayOids, open.columns);
    open.columns = open.columns.map(() => []);
    open.bytes = 0;
    const rows = open.rows;
    open.rows = 0;
    if (!reply.error) open.applied += Number(/(\d+)$/.exec(reply.results[0]?.tag ?? '')?.[1] ?? rows);
    return reply;
  }

  /** End the COPY's own transaction; the reply carries the client's status after it. */
  async #finish(open: Open, commit: boolean): Promise<ExecuteReply> {
    const end = await this.#session.query(commit ? 'COMMIT' : 'ROLLBACK');
    return { results: [], txStatus: end.txStatus, notices: [], ...(end.error && { error: end.error }) };
  }

  /** One batch of rows, each with one value per target column. */
  async rows(rows: SqlValue[][]): Promise<ExecuteReply> {
    const open = this.#open;
    if (!open) return { results: [], txStatus: 'I', notices: [], error: { sqlstate: '08P01', message: 'no COPY in progress' } };
    const reply: ExecuteReply = { results: [], txStatus: open.txStatus, notices: [] };
    if (open.failed) return reply;
    const width = open.columns.length;
    for (const row of rows) {
      if (row.length !== width) {
        open.failed = { sqlstate: '22P04', message: `row field count is ${row.length}, expected ${width}` };
        break;
      }
      for (let c = 0; c < width; c++) {
        open.columns[c].push(row[c]);
        open.bytes += approxSize(row[c]);
      }
      open.rows++;
    }
    if (!open.failed && open.ownTx && open.bytes >= COPY_APPLY_BYTES) {
      open.failed = (await this.#apply(open))?.error;
      if (open.failed) return { ...reply, error: open.failed };
    }
    if (!open.failed && !open.ownTx && open.bytes > MAX_COPY_BYTES) {
      open.failed = programLimitExceeded(`COPY data exceeds the ${MAX_COPY_BYTES}-byte limit of one COPY statement; split it into several`);
    }
    if (open.failed) open.columns = open.columns.map(() => []);
    return reply;
  }

  /** CopyDone (`commit`): apply every row as one statement, tag `COPY n`. CopyFail: discard. */
  async end(commit: boolean): Promise<ExecuteReply> {
    const open = this.#open;
    this.#open = undefined;
    if (!open) return { results: [], txStatus: 'I', notices: [], error: { sqlstate: '08P01', message: 'no COPY in progress' } };
    if (open.ownTx) {
      const error = !commit ? undefined : (open.failed ?? (await this.#apply(open))?.error);
      if (!commit || error) {
        const rolledBack = await this.#finish(open, false);
        return error ? { ...rolledBack, error } : rolledBack;
      }
      const done = await this.#finish(open, true);
      return done.error ? done : { ...done, results: [{ columns: null, rows: [], tag: `COPY ${open.applied}` }] };
    }
    if (!commit) return { results: [], txStatus: open.txStatus, notices: [] };
    if (open.failed) return { results: [], txStatus: open.txStatus, notices: [], error: open.failed };
    const reply = await this.#apply(open);
    if (reply?.error) return { ...reply, results: [] };
    return { txStatus: open.txStatus, notices: [], ...reply, results: [{ columns: null, rows: [], tag: `COPY ${open.applied}` }] };
  }
}

/** A cast target for an array type: its PostgreSQL name, but `bpchar[]` (`character[]` means char(1)). */
function castName(arrayOid: number): string {
  return arrayOid === OID.bpcharArray ? 'bpchar[]' : typeName(arrayOid);
}

function approxSize(v: SqlValue): number {
  if (v === null || typeof v === 'boolean') return 1;
  if (typeof v === 'bigint' || typeof v === 'number') return 8;
  if (typeof v === 'string') return v.length * 2;
  if (v instanceof Uint8Array) return v.length;
  return v.reduce<number>((s, e) => s + approxSize(e), 8);
}
