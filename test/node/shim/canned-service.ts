/**
 * A recording SqlService with canned answers, for protocol tests only: the engine is tested
 * elsewhere; here the unit is the shim. Every session call is logged, so tests can count
 * round trips. Statements are a tiny language of their own:
 *
 * - `echo $1::int8, $2, …`  one row of the parameters, coerced to their types (annotated type,
 *                           else the client's OID, else text); columns c1, c2, …
 * - `rows N`                N rows of int4 `n` = 1..N
 * - `insert`                no columns, tag INSERT 0 1
 * - `begin` / `commit` / `rollback`  move txStatus to T / I / I
 * - `fail`                  23505 with every error field set
 * - `notice`                a NOTICE, then SELECT 1
 * - `wait N`                answers after N ms (`wait` alone: until cancel() is called → 57014)
 * - `types`                 one row of edge values of every codec'd type
 * - `drop`                  the session is lost: FATAL 08006, as the tunnel reports a dropped link
 * - `throw`                 the call rejects (a contract breach the shim must survive)
 * - `` (blank)              an empty query (tag null)
 */
import { OID } from '../../../tunnel/oids.ts';
import type {
  Column,
  ExecuteReply,
  PgError,
  PrepareReply,
  SessionInfo,
  SqlService,
  SqlSession,
  SqlValue,
  StatementResult,
  TxStatus,
} from '../../../tunnel/types.ts';
import { coerceValue, isPgError } from '../../../worker/engine/values/index.ts';

const col = (name: string, typeOid: number): Column => ({ name, typeOid, tableOid: 0, attnum: 0 });

export const constraintError: PgError = {
  sqlstate: '23505',
  message: 'duplicate key value violates unique constraint "t_pkey"',
  detail: 'Key (id)=(1) already exists.',
  hint: 'a hint',
  position: 7,
  schema: 'public',
  table: 't',
  column: 'id',
  constraint: 't_pkey',
};

/** One row of edge values, by type: what `types` returns. */
export const typeRow: [string, number, SqlValue][] = [
  ['b', OID.bool, true],
  ['i2', OID.int2, -32768n],
  ['i4', OID.int4, 2147483647n],
  ['i8', OID.int8, 1800000000000000001n],
  ['i8min', OID.int8, -(2n ** 63n)],
  ['f4', OID.float4, 1.5],
  ['f8', OID.float8, -0.1],
  ['num', OID.numeric, '-12345678901234567890.000123'],
  ['txt', OID.text, 'héllo ☃'],
  ['by', OID.bytea, new Uint8Array([0, 1, 254, 255])],
  ['empty', OID.bytea, new Uint8Array()],
  ['js', OID.json, '{"a": 1}'],
  ['jsb', OID.jsonb, '{"a": 1}'],
  ['u', OID.uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ['d', OID.date, '2024-01-02'],
  ['ts', OID.timestamp, '2024-01-02 03:04:05.123456'],
  ['tz', OID.timestamptz, '2024-01-02 03:04:05+00'],
  ['arr', OID.int8Array, [1n, null, -1n]],
  ['tarr', OID.textArray, ['a b', null, '"q"', '']],
  ['nul', OID.text, null],
];

const typeNames: Record<string, number> = {
  int2: OID.int2, int4: OID.int4, int8: OID.int8, text: OID.text, bytea: OID.bytea, bool: OID.bool,
  float8: OID.float8, numeric: OID.numeric, uuid: OID.uuid, date: OID.date, timestamptz: OID.timestamptz,
  jsonb: OID.jsonb, 'int8[]': OID.int8Array, 'text[]': OID.textArray,
};

/** `echo`'s parameter types: the annotation, else the client's OID, else text. */
function echoTypes(sql: string, clientOids: number[]): number[] {
  const out: number[] = [];
  for (const m of sql.matchAll(/\$(\d+)(?:::([a-z0-9]+(?:\[\])?))?/g)) {
    const i = Number(m[1]) - 1;
    out[i] = (m[2] && typeNames[m[2]]) || clientOids[i] || OID.text;
  }
  return Array.from(out, (o) => o ?? OID.text);
}

export class CannedSession implements SqlSession {
  readonly calls: string[] = [];
  /** Calls not yet answered, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;
  txStatus: TxStatus = 'I';
  closed = false;
  #cancel: (() => void) | undefined;
  readonly info: SessionInfo;

  constructor(info: SessionInfo) {
    this.info = info;
  }

  async prepare(sql: string, paramOids: number[]): Promise<PrepareReply> {
    this.calls.push(`prepare ${sql}`);
    const base = { txStatus: this.txStatus, notices: [] };
    const head = sql.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (head === 'fail') return { ...base, error: constraintError };
    if (head === 'echo') {
      const oids = echoTypes(sql, paramOids);
      return { ...base, description: { paramOids: oids, columns: oids.map((o, i) => col(`c${i + 1}`, o)) } };
    }
    if (head === 'insert' || head === 'begin' || head === 'commit' || head === '') return { ...base, description: { paramOids: [], columns: null } };
    const r = await this.#run(sql, [], []);
    return { ...base, description: { paramOids: [], columns: 'sqlstate' in r ? null : r.columns } };
  }

  async execute(sql: string, paramOids: number[], params: SqlValue[]): Promise<ExecuteReply> {
    this.calls.push(`execute ${sql} ${JSON.stringify(params, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('hex')}` : v))}`);
    return this.#counted(this.#reply([sql], paramOids, params));
  }

  async #counted<T>(p: Promise<T>): Promise<T> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      return await p;
    } finally {
      this.inFlight--;
    }
  }

  async query(sql: string): Promise<ExecuteReply> {
    this.calls.push(`query ${sql}`);
    return this.#counted(this.#reply(sql.split(';').map((s) => s.trim()).filter((s, i, all) => s !== '' || all.length === 1), [], []));
  }

  async #reply(statements: string[], paramOids: number[], params: SqlValue[]): Promise<ExecuteReply> {
    if (statements[0] === 'throw') throw new Error('boom');
    if (statements[0] === 'drop') return { results: [], txStatus: 'I', notices: [], error: { severity: 'FATAL', sqlstate: '08006', message: 'connection to the database was lost (tunnel dropped)' } };
    const notices: PgError[] = [];
    const results: StatementResult[] = [];
    for (const sql of statements) {
      if (sql.toLowerCase() === 'notice') notices.push({ severity: 'NOTICE', sqlstate: '00000', message: 'just so you know' });
      const r = await this.#run(sql, paramOids, params);
      if ('sqlstate' in r) return { results, error: r, txStatus: this.txStatus === 'T' ? 'E' : this.txStatus, notices };
      results.push(r);
    }
    return { results, txStatus: this.txStatus, notices };
  }

  async #run(sql: string, paramOids: number[], params: SqlValue[]): Promise<StatementResult | PgError> {
    const [head = '', arg] = sql.trim().split(/\s+/);
    switch (head.toLowerCase()) {
      case '':
        return { columns: null, rows: [], tag: null };
      case 'echo': {
        const oids = echoTypes(sql, paramOids);
        const row: SqlValue[] = [];
        for (let i = 0; i < oids.length; i++) {
          const v = coerceValue(oids[i], params[i] ?? null);
          if (isPgError(v)) return v;
          row.push(v);
        }
        return { columns: oids.map((o, i) => col(`c${i + 1}`, o)), rows: [row], tag: 'SELECT 1' };
      }
      case 'rows': {
        const n = Number(arg);
        return { columns: [col('n', OID.int4)], rows: Array.from({ length: n }, (_, i) => [BigInt(i + 1)]), tag: `SELECT ${n}` };
      }
      case 'insert':
        return { columns: null, rows: [], tag: 'INSERT 0 1' };
      case 'begin':
        this.txStatus = 'T';
        return { columns: null, rows: [], tag: 'BEGIN' };
      case 'commit':
        this.txStatus = 'I';
        return { columns: null, rows: [], tag: 'COMMIT' };
      case 'rollback':
        this.txStatus = 'I';
        return { columns: null, rows: [], tag: 'ROLLBACK' };
      case 'fail':
        return constraintError;
      case 'notice':
        return { columns: [col('n', OID.int4)], rows: [[1n]], tag: 'SELECT 1' };
      case 'wait': {
        const cancelled = new Promise<PgError>((resolve) => {
          this.#cancel = () => resolve({ sqlstate: '57014', message: 'canceling statement due to user request' });
        });
        const timer = arg ? new Promise<null>((r) => setTimeout(() => r(null), Number(arg))) : new Promise<null>(() => {});
        const e = await Promise.race([cancelled, timer]);
        this.#cancel = undefined;
        return e ?? { columns: [col('waited', OID.int4)], rows: [[BigInt(arg)]], tag: 'SELECT 1' };
      }
      case 'types':
        return { columns: typeRow.map(([n, o]) => col(n, o)), rows: [typeRow.map(([, , v]) => v)], tag: 'SELECT 1' };
      default:
        return { sqlstate: '42601', message: `syntax error at or near "${head}"`, position: 1 };
    }
  }

  cancel(): void {
    this.calls.push('cancel');
    this.#cancel?.();
  }

  async close(): Promise<void> {
    this.calls.push('close');
    this.closed = true;
  }
}

/** Opens CannedSessions and keeps them for inspection; `refuse` makes open fail. */
export class CannedService implements SqlService {
  readonly sessions: CannedSession[] = [];
  refuse: PgError | undefined;

  async open(info: SessionInfo): Promise<SqlSession> {
    if (this.refuse) throw Object.assign(new Error(this.refuse.message), { pgError: this.refuse });
    const s = new CannedSession(info);
    this.sessions.push(s);
    return s;
  }

  /** All session calls, in order, across sessions. */
  get calls(): string[] {
    return this.sessions.flatMap((s) => s.calls);
  }
}
