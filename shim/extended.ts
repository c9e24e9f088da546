/**
 * @module The query protocol state machine (simple Query and the extended protocol) over a
 * SqlSession. Messages go in strictly in order; output comes out strictly in order through an
 * ordered queue of pending pieces, so a request can be in flight while the next Sync group is
 * already being read and sent: pipelined queries are never serialised behind each other.
 * Within one Sync group each step waits for the previous one, because an error must skip
 * everything up to the next Sync.
 */
import type { Column, Description, ExecuteReply, PgError, SqlSession, SqlValue, StatementResult, TxStatus } from '../tunnel/types.ts';
import { decodeBinary, encodeBinary, encodeText } from './codecs/binary.ts';
import * as be from './protocol/backend.ts';
import type { FrontendMessage } from './protocol/frontend.ts';
import { staticSetting } from './settings.ts';

/** Output pieces, written in the order they were queued. */
export interface OrderedOutput {
  push(piece: Buffer | Promise<Buffer[]>): void;
}

interface Statement {
  sql: string;
  /** As sent in Parse (0 = unspecified). */
  paramOids: number[];
  description?: Description;
  describing?: Promise<Description | PgError>;
  /** SHOW of a fixed server setting, answered here. */
  localShow?: { name: string; value: string };
}

interface Portal {
  statement: Statement;
  params: SqlValue[];
  paramOids: number[];
  resultFormats: number[];
  reply?: Promise<ExecuteReply>;
  sent: number;
  /** A Describe P waiting for columns that the portal's execute will bring. */
  describeWaiter?: (columns: Column[] | null) => void;
}

const SHOW = /^\s*show\s+("?)([a-z_]+)\1\s*;?\s*$/i;

function localShow(sql: string): Statement['localShow'] {
  const m = SHOW.exec(sql);
  if (!m) return undefined;
  const value = staticSetting(m[2]);
  return value === undefined ? undefined : { name: m[2].toLowerCase(), value };
}

const textColumn = (name: string): Column => ({ name, typeOid: 25, tableOid: 0, attnum: 0 });

/** The format code of column/param i under PostgreSQL's 0/1/N rule. */
function formatAt(formats: number[], i: number): number {
  return formats.length === 0 ? 0 : formats.length === 1 ? formats[0] : formats[i] ?? 0;
}

function isError(v: unknown): v is PgError {
  return typeof v === 'object' && v !== null && 'sqlstate' in v && 'message' in v && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export class QueryProtocol {
  readonly #session: SqlSession;
  readonly #out: OrderedOutput;
  readonly #statements = new Map<string, Statement>();
  readonly #portals = new Map<string, Portal>();
  txStatus: TxStatus = 'I';
  /** The current Sync group's last step: resolves false once something in it failed. */
  #group: Promise<boolean> = Promise.resolve(true);
  /** Portals with a Describe P still waiting for columns. */
  #undescribed: Portal[] = [];

  constructor(session: SqlSession, out: OrderedOutput) {
    this.#session = session;
    this.#out = out;
  }

  /** Handle one message. Resolves when the next message may be handled (not when its reply is written). */
  async handle(m: FrontendMessage): Promise<void> {
    if (m.type === 'sync') return this.#sync();
    if (m.type === 'query') return this.#query(m.sql);
    if (m.type === 'flush') return;
    // Everything else belongs to the current Sync group: skip it after a failure.
    const ok = await this.#group;
    if (!ok) return;
    try {
      switch (m.type) {
        case 'parse':
          return this.#parse(m.name, m.sql, m.paramOids);
        case 'bind':
          return await this.#bind(m.portal, m.statement, m.paramFormats, m.params, m.resultFormats);
        case 'describe':
          return await (m.kind === 'S' ? this.#describeStatement(m.name) : this.#describePortal(m.name));
        case 'execute':
          return this.#execute(m.portal, m.maxRows);
        case 'close':
          (m.kind === 'S' ? this.#statements : this.#portals).delete(m.name);
          this.#out.push(be.closeComplete);
          return;
        default:
          return this.#fail({ sqlstate: '08P01', message: `unexpected message ${m.type}` });
      }
    } catch (err) {
      this.#fail({ sqlstate: 'XX000', message: `internal error: ${(err as Error).message}` });
    }
  }

  #fail(e: PgError): void {
    this.#out.push(be.errorOrNotice(e));
    this.#group = Promise.resolve(false);
  }

  #sync(): void {
    this.#settleDescribes();
    const group = this.#group;
    this.#group = Promise.resolve(true);
    // Unnamed portals die at the end of the transaction; in autocommit that is every Sync.
    this.#out.push(
      group.then(() => {
        if (this.txStatus === 'I') this.#portals.delete('');
        return [be.readyForQuery(this.txStatus)];
      }),
    );
  }

  #parse(name: string, sql: string, paramOids: number[]): void {
    if (name !== '' && this.#statements.has(name)) return this.#fail({ sqlstate: '42P05', message: `prepared statement "${name}" already exists` });
    const show = localShow(sql);
    const statement: Statement = { sql, paramOids, ...(show && { localShow: show, description: { paramOids: [], columns: [textColumn(show.name)] } }) };
    this.#statements.set(name, statement);
    this.#out.push(be.parseComplete);
  }

  /** The statement's description: one prepare round trip, then cached on the statement. */
  #described(s: Statement): Promise<Description | PgError> {
    if (s.description) return Promise.resolve(s.description);
    return (s.describing ??= this.#session.prepare(s.sql, s.paramOids).then((r) => {
      this.txStatus = r.txStatus;
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
    let oids = statement.description?.paramOids ?? statement.paramOids;
    const binary = raw.some((v, i) => v !== null && formatAt(paramFormats, i) === 1);
    if (binary && raw.some((_, i) => !oids[i])) {
      // A binary value cannot be read without its type: learn the types first.
      const d = await this.#described(statement);
      if (isError(d)) return this.#fail(d);
      oids = d.paramOids;
    }
    const expected = statement.description?.paramOids.length ?? (statement.paramOids.length || undefined);
    if (expected !== undefined && expected !== raw.length) {
      return this.#fail({ sqlstate: '08P01', message: `bind message supplies ${raw.length} parameters, but prepared statement "${statementName}" requires ${expected}` });
    }
    const params: SqlValue[] = [];
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i];
      if (v === null) params.push(null);
      else if (formatAt(paramFormats, i) === 1) {
        const decoded = decodeBinary(oids[i], v, i);
        if (isError(decoded)) return this.#fail(decoded);
        params.push(decoded);
      } else params.push(v.toString('utf8'));
    }
    this.#portals.set(portalName, { statement, params, paramOids: raw.map((_, i) => oids[i] ?? 0), resultFormats, sent: 0 });
    this.#out.push(be.bindComplete);
  }

  async #describeStatement(name: string): Promise<void> {
    const statement = this.#statements.get(name);
    if (!statement) return this.#fail({ sqlstate: '26000', message: `prepared statement "${name}" does not exist` });
    const d = await this.#described(statement);
    if (isError(d)) return this.#fail(d);
    this.#out.push(be.parameterDescription(d.paramOids));
    this.#out.push(d.columns ? be.rowDescription(d.columns, []) : be.noData);
  }

  async #describePortal(name: string): Promise<void> {
    const portal = this.#portals.get(name);
    if (!portal) return this.#fail({ sqlstate: '34000', message: `portal "${name}" does not exist` });
    const known = portal.statement.description;
    if (known) {
      this.#out.push(known.columns ? be.rowDescription(known.columns, portal.resultFormats) : be.noData);
      return;
    }
    // Not described yet: the Execute that normally follows brings the columns, saving a
    // round trip. A Describe with no Execute before Sync is answered by prepare at Sync.
    this.#out.push(
      new Promise<Buffer[]>((resolve) => {
        portal.describeWaiter = (columns) => resolve([columns ? be.rowDescription(columns, portal.resultFormats) : be.noData]);
      }),
    );
    this.#undescribed.push(portal);
  }

  /** Settle Describe P requests whose portal was never executed in this group. */
  #settleDescribes(): void {
    for (const portal of this.#undescribed.splice(0)) {
      const waiter = portal.describeWaiter;
      if (!waiter) continue;
      portal.describeWaiter = undefined;
      void this.#described(portal.statement).then((d) => waiter(isError(d) ? null : d.columns));
    }
  }

  #execute(name: string, maxRows: number): void {
    const portal = this.#portals.get(name);
    if (!portal) return this.#fail({ sqlstate: '34000', message: `portal "${name}" does not exist` });
    const s = portal.statement;
    portal.reply ??= s.localShow
      ? Promise.resolve({ results: [{ columns: [textColumn(s.localShow.name)], rows: [[s.localShow.value]], tag: 'SHOW' }], txStatus: this.txStatus, notices: [] })
      : this.#session.execute(s.sql, portal.paramOids, portal.params);
    const reply = portal.reply;
    const step = reply.then((r): [Buffer[], boolean] => {
      this.txStatus = r.txStatus;
      const out = r.notices.map((n) => be.errorOrNotice(n, true));
      const result = r.results[0];
      if (portal.describeWaiter) {
        portal.describeWaiter(r.error ? null : result?.columns ?? null);
        portal.describeWaiter = undefined;
      }
      if (r.error) {
        out.push(be.errorOrNotice(r.error));
        return [out, false];
      }
      if (!result || result.tag === null) return [[...out, be.emptyQueryResponse], true];
      const start = portal.sent;
      const end = maxRows > 0 ? Math.min(result.rows.length, start + maxRows) : result.rows.length;
      for (let i = start; i < end; i++) out.push(dataRow(result, result.rows[i], portal.resultFormats));
      portal.sent = end;
      if (end < result.rows.length) out.push(be.portalSuspended);
      else out.push(be.commandComplete(start > 0 || maxRows > 0 ? rowsTag(result.tag, end - start) : result.tag));
      return [out, true];
    });
    this.#out.push(step.then(([out]) => out));
    const before = this.#group;
    this.#group = Promise.all([before, step]).then(([ok, [, fine]]) => ok && fine);
  }

  async #query(sql: string): Promise<void> {
    // A simple Query waits for any unfinished extended group before it.
    await this.#group;
    this.#group = Promise.resolve(true);
    const show = localShow(sql);
    const reply: Promise<ExecuteReply> = show
      ? Promise.resolve({ results: [{ columns: [textColumn(show.name)], rows: [[show.value]], tag: 'SHOW' }], txStatus: this.txStatus, notices: [] })
      : this.#session.query(sql);
    const done = reply.then((r) => {
      this.txStatus = r.txStatus;
      const out = r.notices.map((n) => be.errorOrNotice(n, true));
      for (const result of r.results) {
        if (result.tag === null) {
          out.push(be.emptyQueryResponse);
          continue;
        }
        if (result.columns) out.push(be.rowDescription(result.columns, []));
        for (const row of result.rows) out.push(dataRow(result, row, []));
        out.push(be.commandComplete(result.tag));
      }
      if (r.error) out.push(be.errorOrNotice(r.error));
      out.push(be.readyForQuery(r.txStatus));
      return out;
    });
    this.#out.push(done);
    // The next message waits for this reply (a simple Query is its own Sync group).
    this.#group = done.then(() => true);
  }
}

function rowsTag(tag: string, n: number): string {
  return tag.startsWith('SELECT') ? `SELECT ${n}` : tag;
}

function dataRow(result: StatementResult, row: SqlValue[], formats: number[]): Buffer {
  const cols = result.columns ?? [];
  return be.dataRow(row.map((v, i) => (v === null ? null : formatAt(formats, i) === 1 ? encodeBinary(cols[i].typeOid, v) : encodeText(cols[i].typeOid, v))));
}
