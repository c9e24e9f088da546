/**
 * @module The engine: PostgreSQL statements in, SQLite execution on the Durable Object's
 * storage, PostgreSQL results out. Implements SqlService for the tunnel.
 * parse (parser.ts) → analyse + translate (translate/, ddl.ts) → plan (plan.ts, cached) → execute (here).
 */
import { OID } from '../../tunnel/oids.ts';
import type {
  Description,
  ExecuteReply,
  PgError,
  PrepareReply,
  SessionInfo,
  SqlService,
  SqlSession,
  SqlValue,
  StatementResult,
} from '../../tunnel/types.ts';
import { Catalog } from './catalog.ts';
import { runDdl } from './ddl.ts';
import { featureNotSupported, noActiveTransaction, notNullViolation, numericOutOfRange, programLimitExceeded, syntaxError, uniqueViolation } from './errors.ts';
import { loadParser, parseSql, type RawStmt } from './parser.ts';
import { bindingOids, commandTag, finishPlan, inlineParams, MAX_BOUND_PARAMS, PlanCache, type Plan } from './plan.ts';
import { Fail, TranslateContext } from './translate/context.ts';
import { translateDelete, translateInsert, translateUpdate } from './translate/dml.ts';
import { translateSelect } from './translate/select.ts';
import { runtimeError } from './translate/runtime-errors.ts';
import { finishAggregate } from './translate/avg.ts';
import type { SessionIdentity } from './translate/virtual-relations.ts';
import { probeQueries, uniqueError, uniqueTarget, type InsertSource, type UniqueTarget } from './unique-violation.ts';
import { coerceValue, fromStorage, isPgError, toStorage, typeName } from './values/index.ts';
import { doBlockBody, runDoBlock } from './do-block.ts';
import { settingsDefaults, setSetting, showSetting, type Settings } from './settings.ts';

/** Production SQLite refuses values above ~2 MB; enforce it ourselves (DESIGN §4). */
const MAX_VALUE_BYTES = 2_000_000;
/** Results are materialised before they cross the tunnel; cap them (DESIGN §4). */
const MAX_RESULT_ROWS = 250_000;

const DDL = new Set(['CreateSchemaStmt', 'CreateStmt', 'IndexStmt', 'AlterTableStmt', 'DropStmt']);
const PLANNED = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt']);

type Outcome = StatementResult | { error: PgError };

export class Engine implements SqlService {
  readonly #storage: DurableObjectStorage;
  #catalog: Catalog | undefined;
  readonly #plans = new PlanCache();

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  get catalog(): Catalog {
    return (this.#catalog ??= new Catalog(this.#storage.sql));
  }

  async open(info: SessionInfo): Promise<SqlSession> {
    await loadParser();
    return new EngineSession(this, { user: info.user, database: info.database });
  }

  /** Run `fn` atomically; on failure everything it wrote is undone, the catalog included. */
  atomically<T>(fn: () => T): T {
    const version = this.catalog.version;
    try {
      return this.#storage.transactionSync(fn);
    } catch (err) {
      if (this.catalog.version !== version) this.catalog.reload();
      throw err;
    }
  }

  plan(kind: string, stmt: any, sql: string, paramOids: number[], settings: Settings, who: SessionIdentity): Plan {
    const key = `${this.catalog.version}\u0000${settings.search_path}\u0000${who.user}\u0000${who.database}\u0000${paramOids.join(',')}\u0000${sql}`;
    const cached = this.#plans.get(key);
    if (cached) return cached;
    const ctx = new TranslateContext(this.catalog, searchPath(settings), paramOids, who);
    let plan: Plan;
    switch (kind) {
      case 'SelectStmt': {
        const t = translateSelect(stmt, ctx, [], true);
        plan = finishPlan('SELECT', t.sql, t.columns, ctx);
        break;
      }
      case 'InsertStmt': {
        const t = translateInsert(stmt, ctx);
        plan = finishPlan('INSERT', t.sql, t.columns, ctx, t.insertSource);
        break;
      }
      case 'UpdateStmt': {
        const t = translateUpdate(stmt, ctx);
        plan = finishPlan('UPDATE', t.sql, t.columns, ctx);
        break;
      }
      default: {
        const t = translateDelete(stmt, ctx);
        plan = finishPlan('DELETE', t.sql, t.columns, ctx);
      }
    }
    this.#plans.set(key, plan);
    return plan;
  }

  /** Execute a plan with typed parameters (inside the caller's transaction). */
  run(plan: Plan, params: SqlValue[]): StatementResult {
    if (plan.sequences) {
      // One value per slot, in slot order (rows in order), from each sequence's counter.
      const counts = new Map<string, number>();
      for (const seq of plan.sequences) counts.set(`${seq.schema}.${seq.name}`, (counts.get(`${seq.schema}.${seq.name}`) ?? 0) + 1);
      const next = new Map<string, bigint>();
      for (const seq of plan.sequences) {
        const key = `${seq.schema}.${seq.name}`;
        if (!next.has(key)) next.set(key, this.catalog.nextValues(seq, counts.get(key)!));
      }
      const values = plan.sequences.map((seq) => {
        const key = `${seq.schema}.${seq.name}`;
        const v = next.get(key)!;
        next.set(key, v + 1n);
        return v;
      });
      const once = this.#runOnce(plan, [...plan.paramOids, ...values.map(() => OID.int8)], [...params, ...values], 0);
      return { columns: plan.columns, rows: once.rows, tag: commandTag(plan.command, once.count) };
    }
    if (!plan.expand) {
      const once = this.#runOnce(plan, plan.paramOids, params, 0);
      return { columns: plan.columns, rows: once.rows, tag: commandTag(plan.command, once.count) };
    }
    // UNNEST of array parameters: once per element (translate/unnest.ts). A NULL array has none.
    const arrays = new Map<number, SqlValue[]>();
    let length = 0;
    for (const i of plan.expand.keys()) {
      const items = coerceValue(plan.paramOids[i], params[i]);
      if (isPgError(items)) throw new Fail(items);
      arrays.set(i, (items ?? []) as SqlValue[]);
      length = Math.max(length, arrays.get(i)!.length);
    }
    const oids = bindingOids(plan.paramOids, plan.expand);
    const rows: SqlValue[][] = [];
    let count = 0;
    for (let r = 0; r < length; r++) {
      const row = params.map((v, i) => (arrays.has(i) ? (arrays.get(i)![r] ?? null) : v));
      const once = this.#runOnce(plan, oids, row, rows.length);
      for (const x of once.rows) rows.push(x);
      count += once.count;
    }
    return { columns: plan.columns, rows, tag: commandTag(plan.command, count) };
  }

  /** One execution of a plan's SQL; `before` rows already materialised count against the cap. */
  #runOnce(plan: Plan, oids: number[], params: SqlValue[], before: number): { rows: SqlValue[][]; count: number } {
    const bindings = params.map((v, i) => {
      const oid = oids[i];
      const b = toStorage(oid, v);
      if (isPgError(b)) throw new Fail(b);
      const size = typeof b.bind === 'string' ? b.bind.length * 3 : b.bind instanceof Uint8Array ? b.bind.length : 0;
      if (size > MAX_VALUE_BYTES && (typeof b.bind !== 'string' || new TextEncoder().encode(b.bind).length > MAX_VALUE_BYTES)) {
        throw new Fail(programLimitExceeded(`parameter $${i + 1} (${typeName(oid)}) exceeds the ${MAX_VALUE_BYTES}-byte value limit`));
      }
      return b;
    });
    // Past SQLite's parameter limit the values go inline (as literals of their storage form).
    const inline = bindings.length > MAX_BOUND_PARAMS;
    const binds = inline ? [] : bindings.map((b) => b.bind);
    const sql = inline ? inlineParams(plan.templates.sql, bindings) : plan.sql;
    const sourceSql = inline && plan.templates.insertSource ? inlineParams(plan.templates.insertSource, bindings) : plan.insertSource?.sql;
    const rows: SqlValue[][] = [];
    const cols = plan.columns;
    try {
      const cursor = this.#storage.sql.exec(sql, ...binds);
      for (const raw of cursor.raw()) {
        if (before + rows.length >= MAX_RESULT_ROWS) throw new Fail(programLimitExceeded(`result exceeds ${MAX_RESULT_ROWS} rows; use LIMIT/OFFSET pages`));
        if (cols) rows.push(raw.map((v, i) => (plan.finish?.[i] ? finishAggregate(plan.finish[i]!, v as string | null) : fromStorage(cols[i].typeOid, v as never))));
      }
    } catch (err) {
      const target = err instanceof Fail ? undefined : uniqueTarget(String((err as Error)?.message ?? err), this.catalog);
      if (!target) throw err;
      const source = plan.insertSource && sourceSql !== undefined ? { ...plan.insertSource, sql: sourceSql } : undefined;
      throw new Fail(uniqueError(target, source && this.#probeKey(target, source, binds), source));
    }
    const count = plan.command === 'SELECT' || cols ? rows.length : Number(this.#storage.sql.exec('SELECT changes() AS n').one().n);
    return { rows, count };
  }

  /** The colliding key of a failed INSERT … VALUES (the statement itself is already undone). */
  #probeKey(target: UniqueTarget, source: InsertSource, binds: unknown[]): unknown[] | undefined {
    const queries = probeQueries(target, source);
    for (const q of queries ?? []) {
      const found = this.#storage.sql.exec(q, ...(binds as never[])).raw().next();
      if (!found.done) return found.value as unknown[];
    }
    return undefined;
  }

  ddl(kind: string, stmt: any, settings: Settings): { result: StatementResult; notices: PgError[] } {
    const ctx = new TranslateContext(this.catalog, searchPath(settings), []);
    const out = runDdl(kind, stmt, ctx, this.#storage.sql);
    return { result: { columns: null, rows: [], tag: out.tag }, notices: out.notices };
  }
}

function searchPath(settings: Settings): string[] {
  return settings.search_path
    .split(',')
    .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
    .filter((s) => s && s !== '$user');
}

function kindOf(raw: RawStmt): [string, any] {
  const kind = Object.keys(raw.stmt)[0];
  return [kind, raw.stmt[kind]];
}

/** SQLite constraint errors → PostgreSQL's, with the constraint named (Convex reads the message). */
function mapSqliteError(err: unknown, catalog: Catalog): PgError {
  if (err instanceof Fail) return err.pgError;
  const message = err instanceof Error ? err.message : String(err);
  const unique = uniqueTarget(message, catalog);
  if (unique) return uniqueError(unique, undefined);
  const notNull = /NOT NULL constraint failed: (.+?)(?::|$)/.exec(message);
  if (notNull) {
    const ref = notNull[1].trim();
    const table = ref.slice(0, ref.lastIndexOf('.'));
    return notNullViolation(ref.slice(ref.lastIndexOf('.') + 1), table.slice(table.indexOf('.') + 1));
  }
  const raised = runtimeError(message);
  if (raised) return raised;
  // sum() over int64 overflowing: PostgreSQL's sum(int8) is numeric and would not overflow.
  if (/integer overflow/.test(message)) return numericOutOfRange('bigint');
  if (/too big|SQLITE_TOOBIG/i.test(message)) return programLimitExceeded(`value or row too large for storage: ${message}`);
  if (/SQLITE_FULL|database or disk is full/i.test(message)) return { sqlstate: '53100', message: 'could not extend the database: storage is full' };
  return { sqlstate: 'XX000', message: `internal error: ${message}` };
}

class EngineSession implements SqlSession {
  readonly #engine: Engine;
  readonly #settings: Settings = settingsDefaults();

  readonly #who: SessionIdentity;

  constructor(engine: Engine, who: SessionIdentity) {
    this.#engine = engine;
    this.#who = who;
  }

  #parse(sql: string): RawStmt[] | PgError {
    const parsed = parseSql(sql);
    if ('message' in parsed) return syntaxError(parsed.message, parsed.position || undefined);
    return parsed.stmts;
  }

  async prepare(sql: string, paramOids: number[]): Promise<PrepareReply> {
    const stmts = this.#parse(sql);
    const reply = (x: { description?: Description; error?: PgError }): PrepareReply => ({ txStatus: 'I', notices: [], ...x });
    if (!Array.isArray(stmts)) return reply({ error: stmts });
    if (stmts.length > 1) return reply({ error: syntaxError('cannot insert multiple commands into a prepared statement') });
    if (stmts.length === 0) return reply({ description: { paramOids: [], columns: null } });
    const [kind, stmt] = kindOf(stmts[0]);
    try {
      if (PLANNED.has(kind)) {
        const plan = this.#engine.plan(kind, stmt, sql, paramOids, this.#settings, this.#who);
        return reply({ description: { paramOids: plan.paramOids, columns: plan.columns } });
      }
      if (kind === 'VariableShowStmt') return reply({ description: { paramOids: [], columns: [showColumn(stmt.name)] } });
      return reply({ description: { paramOids: paramOids.map((o) => o || OID.text), columns: null } });
    } catch (err) {
      return reply({ error: mapSqliteError(err, this.#engine.catalog) });
    }
  }

  async execute(sql: string, paramOids: number[], params: SqlValue[]): Promise<ExecuteReply> {
    const stmts = this.#parse(sql);
    if (!Array.isArray(stmts)) return this.#reply([], [], stmts);
    if (stmts.length > 1) return this.#reply([], [], syntaxError('cannot insert multiple commands into a prepared statement'));
    if (stmts.length === 0) return this.#reply([{ columns: null, rows: [], tag: null }], []);
    const notices: PgError[] = [];
    // A failed statement must undo all it wrote (DDL writes in several steps), so the error
    // leaves transactionSync as an exception.
    const rollback = new Error('rollback');
    let out: Outcome | undefined;
    try {
      this.#engine.atomically(() => {
        out = this.#safely(stmts[0], sql, paramOids, params, notices);
        if ('error' in out) throw rollback;
      });
    } catch (err) {
      if (err !== rollback) out = { error: mapSqliteError(err, this.#engine.catalog) };
    }
    return 'error' in out! ? this.#reply([], notices, out.error) : this.#reply([out!], notices);
  }

  async query(sql: string): Promise<ExecuteReply> {
    const stmts = this.#parse(sql);
    if (!Array.isArray(stmts)) return this.#reply([], [], stmts);
    if (stmts.length === 0) return this.#reply([{ columns: null, rows: [], tag: null }], []);
    const results: StatementResult[] = [];
    const notices: PgError[] = [];
    let error: PgError | undefined;
    // A multi-statement simple query is one implicit transaction: all or nothing.
    const rollback = new Error('rollback');
    try {
      this.#engine.atomically(() => {
        for (const raw of stmts) {
          const text = raw.stmt_len ? sql.slice(raw.stmt_location ?? 0, (raw.stmt_location ?? 0) + raw.stmt_len) : sql.slice(raw.stmt_location ?? 0);
          const out = this.#safely(raw, text, [], [], notices);
          if ('error' in out) {
            error = out.error;
            throw rollback;
          }
          results.push(out);
        }
      });
    } catch (err) {
      if (err !== rollback) error = mapSqliteError(err, this.#engine.catalog);
    }
    return this.#reply(results, notices, error);
  }

  /** One statement; never throws (errors become values). */
  #safely(raw: RawStmt, sql: string, paramOids: number[], params: SqlValue[], notices: PgError[]): Outcome {
    try {
      return this.#statement(raw, sql, paramOids, params, notices);
    } catch (err) {
      return { error: mapSqliteError(err, this.#engine.catalog) };
    }
  }

  #statement(raw: RawStmt, sql: string, paramOids: number[], params: SqlValue[], notices: PgError[]): StatementResult {
    const [kind, stmt] = kindOf(raw);
    if (PLANNED.has(kind)) {
      const plan = this.#engine.plan(kind, stmt, sql, paramOids, this.#settings, this.#who);
      if (params.length !== plan.paramOids.length) {
        throw new Fail({ sqlstate: '08P01', message: `bind message supplies ${params.length} parameters, but prepared statement "" requires ${plan.paramOids.length}` });
      }
      return this.#engine.run(plan, params);
    }
    if (DDL.has(kind)) {
      const out = this.#engine.ddl(kind, stmt, this.#settings);
      notices.push(...out.notices);
      return out.result;
    }
    switch (kind) {
      case 'VariableSetStmt':
        return { columns: null, rows: [], tag: setSetting(this.#settings, stmt) };
      case 'VariableShowStmt':
        return { columns: [showColumn(stmt.name)], rows: [[showSetting(this.#settings, stmt.name)]], tag: 'SHOW' };
      case 'TransactionStmt':
        return this.#transaction(stmt, notices);
      case 'DoStmt':
        return this.#doBlock(stmt, notices);
      default:
        throw new Fail(featureNotSupported(kind.replace(/Stmt$/, ' statement')));
    }
  }

  /** A DO block: its statements run one by one inside this statement's transaction. */
  #doBlock(stmt: any, notices: PgError[]): StatementResult {
    const body = doBlockBody(stmt);
    if (typeof body !== 'string') throw new Fail(body);
    const one = (text: string): RawStmt => {
      const stmts = this.#parse(text);
      if (!Array.isArray(stmts)) throw new Fail(stmts);
      if (stmts.length !== 1) throw new Fail(syntaxError('expected one statement in a DO block step'));
      return stmts[0];
    };
    runDoBlock(body, {
      run: (text) => {
        const [kind] = kindOf(one(text));
        if (kind === 'TransactionStmt') throw new Fail(featureNotSupported('transaction control in DO blocks'));
        const result = this.#statement(one(text), text, [], [], notices);
        return { returnsRows: kind === 'SelectStmt' && result.columns !== null };
      },
      evaluate: (expression) => {
        const text = `SELECT ${expression}`;
        const result = this.#statement(one(text), text, [], [], notices);
        return { value: result.rows[0]?.[0] ?? null, typeOid: result.columns?.[0]?.typeOid ?? 0 };
      },
      fail: (error) => {
        throw new Fail(error);
      },
    });
    return { columns: null, rows: [], tag: 'DO' };
  }

  #transaction(stmt: any, notices: PgError[]): StatementResult {
    switch (stmt.kind) {
      case 'TRANS_STMT_COMMIT':
        notices.push(noActiveTransaction());
        return { columns: null, rows: [], tag: 'COMMIT' };
      case 'TRANS_STMT_ROLLBACK':
        notices.push(noActiveTransaction());
        return { columns: null, rows: [], tag: 'ROLLBACK' };
      default:
        // Explicit transactions need the deferred write set (issue: transactions); refuse rather than fake.
        throw new Fail({ severity: 'ERROR', sqlstate: '0A000', message: 'explicit transactions are not supported yet' });
    }
  }

  #reply(results: StatementResult[], notices: PgError[], error?: PgError): ExecuteReply {
    return { results, txStatus: 'I', notices, ...(error && { error }) };
  }

  cancel(): void {
    // Statements run synchronously inside one transactionSync: nothing is ever waiting to cancel.
  }

  async close(): Promise<void> {}
}

function showColumn(name: string) {
  return { name: name.toLowerCase(), typeOid: OID.text, tableOid: 0, attnum: 0 };
}
