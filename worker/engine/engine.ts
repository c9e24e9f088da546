/**
 * @module The engine: PostgreSQL statements in, SQLite execution on the Durable Object's
 * storage, PostgreSQL results out. Implements SqlService for the tunnel.
 * parse (parser.ts) → analyse + translate (translate/, ddl.ts) → plan (plan.ts, cached) → execute (here);
 * sessions (session.ts) drive it statement by statement.
 */
import { OID } from '../../tunnel/oids.ts';
import type { PgError, SessionEvents, SessionInfo, SqlService, SqlSession, SqlValue, StatementResult } from '../../tunnel/types.ts';
import { Catalog } from './catalog.ts';
import { runDdl } from './ddl.ts';
import { featureNotSupported, programLimitExceeded, readOnlyTransaction } from './errors.ts';
import { loadParser } from './parser.ts';
import { batchSql, bindingOids, commandTag, finishPlan, inlineParams, MAX_BOUND_PARAMS, PlanCache, type Plan } from './plan.ts';
import { EngineSession } from './session.ts';
import type { Settings } from './settings.ts';
import { finishAggregate } from './translate/avg.ts';
import { expandRelationMarks } from './translate/relation-size.ts';
import { Fail, TranslateContext } from './translate/context.ts';
import { translateDelete, translateInsert, translateUpdate } from './translate/dml.ts';
import { translateSelect } from './translate/select.ts';
import type { SessionIdentity } from './translate/virtual-relations.ts';
import { affectsRowTwice, probeQueries, returningRowid, uniqueError, uniqueTarget, type InsertSource, type UniqueTarget } from './unique-violation.ts';
import { Transactions, type StatementOwner } from './transactions.ts';
import { recoverUndo, setLogging, withViews } from './undo.ts';
import { assertSingleClaims, installOverflowStorage, MAX_BYTEA_BYTES, placeOutOfLine, readOverflow, sweepOverflow, type Placed } from './overflow.ts';
import { coerceValue, fromStorage, isPgError, toStorage, typeName, type StorageBinding } from './values/index.ts';

/** Production SQLite refuses values above ~2 MB; enforce it ourselves (DESIGN §4). */
const MAX_VALUE_BYTES = 2_000_000;
/** Results are materialised before they cross the tunnel; cap them (DESIGN §4). */
const MAX_RESULT_ROWS = 250_000;
/** Reassembled out-of-line values in one result: the DO has ~128 MB of memory. */
const MAX_RESULT_OVERFLOW_BYTES = 96 * 1024 * 1024;

export class Engine implements SqlService {
  readonly #storage: DurableObjectStorage;
  #catalog: Catalog | undefined;
  readonly #plans = new PlanCache();
  /** Storage transactions run (each may have written; the first is the start-up recovery), and how many are known durable. */
  #writes = 1;
  #durable = 0;

  /** Open transactions, their locks and undo logs. */
  readonly transactions = new Transactions();

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    // No transaction survives a restart: undo whatever the previous instance left open.
    storage.transactionSync(() => {
      installOverflowStorage(storage.sql);
      recoverUndo(storage.sql, this.catalog);
      sweepOverflow(storage.sql);
    });
  }

  get sql(): SqlStorage {
    return this.#storage.sql;
  }

  get catalog(): Catalog {
    return (this.#catalog ??= new Catalog(this.#storage.sql));
  }

  async open(info: SessionInfo, events?: SessionEvents): Promise<SqlSession> {
    await loadParser();
    return new EngineSession(this, { user: info.user, database: info.database }, info.params ?? {}, events);
  }

  /**
   * Resolves once everything written so far is durable; undefined when that is already so
   * (nothing written since the last flush), so a read's reply need not wait for storage.
   * Every write goes through `atomically`, which counts it; the start-up recovery counts too.
   */
  flushed(): Promise<void> | undefined {
    if (this.#durable === this.#writes) return undefined;
    const upTo = this.#writes;
    return this.#storage.sync().then(() => {
      if (upTo > this.#durable) this.#durable = upTo;
    });
  }

  /** Run `fn` atomically; on failure everything it wrote is undone, the catalog included. */
  atomically<T>(fn: () => T): T {
    this.#writes++;
    const version = this.catalog.version;
    try {
      return this.#storage.transactionSync(fn);
    } catch (err) {
      if (this.catalog.version !== version) this.catalog.reload();
      throw err;
    }
  }

  /** The plan already made for this text, types and session, if any: executing it needs no parse. */
  cachedPlan(sql: string, paramOids: number[], settings: Settings, who: SessionIdentity): Plan | undefined {
    return this.#plans.get(planKey(this.catalog.version, sql, paramOids, settings, who));
  }

  /** The plan for a statement, from the cache or translated; `tree` may be a thunk, parsed only on a miss. */
  plan(kind: string, tree: any, sql: string, paramOids: number[], settings: Settings, who: SessionIdentity): Plan {
    const key = planKey(this.catalog.version, sql, paramOids, settings, who);
    const cached = this.#plans.get(key);
    if (cached) return cached;
    const stmt = typeof tree === 'function' ? tree() : tree;
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
        const upsert = stmt.onConflictClause?.action === 'ONCONFLICT_UPDATE';
        const batch = t.rowBatch && upsert ? { ...t.rowBatch, after: returningRowid(t.rowBatch.after, t.columns !== null) } : t.rowBatch;
        plan = finishPlan('INSERT', upsert ? returningRowid(t.sql, t.columns !== null) : t.sql, t.columns, ctx, t.insertSource, batch);
        if (upsert) plan.upsertRowid = true;
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

  /**
   * Execute a plan with typed parameters inside the caller's storage transaction, for `who`:
   * takes its locks first (throws NeedLock) and reads other transactions' tables through views.
   */
  run(plan: Plan, params: SqlValue[], who: StatementOwner): StatementResult {
    if (who.readOnly && plan.command !== 'SELECT') throw new Fail(readOnlyTransaction(plan.command));
    const views = this.transactions.enter(who, plan.access);
    // The undo triggers log only while a transaction's write runs. Reads leave the flag alone:
    // a statement that writes nothing then commits nothing, and its reply waits for no flush.
    const logged = who.logging && plan.access.target !== undefined;
    if (logged) setLogging(this.#storage.sql, true);
    let result: StatementResult;
    try {
      result = this.#run(plan, params, views);
    } finally {
      if (logged) setLogging(this.#storage.sql, false);
    }
    // Out-of-line values the statement wrote but no row kept, or that rows gave up (overflow.ts).
    if (plan.access.target?.columns.some((c) => c.typeOid === OID.bytea)) sweepOverflow(this.#storage.sql);
    this.transactions.written(who, plan.access);
    return result;
  }

  #run(plan: Plan, params: SqlValue[], views: Map<string, string>): StatementResult {
    // Rows this statement inserted or updated (ON CONFLICT DO UPDATE only).
    const touched = plan.upsertRowid ? new Set<number>() : undefined;
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
      const once = this.#runOnce(plan, [...plan.paramOids, ...values.map(() => OID.int8)], [...params, ...values], 0, views, touched);
      return { columns: plan.columns, rows: once.rows, tag: commandTag(plan.command, once.count) };
    }
    if (!plan.expand) {
      const once = this.#runOnce(plan, plan.paramOids, params, 0, views, touched);
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
    const rowParams = (r: number) => params.map((v, i) => (arrays.has(i) ? (arrays.get(i)![r] ?? null) : v));
    const rows: SqlValue[][] = [];
    let count = 0;
    const add = (once: { rows: SqlValue[][]; count: number }) => {
      for (const x of once.rows) rows.push(x);
      count += once.count;
    };
    // Several elements per SQLite call, as many as its parameter limit allows.
    const perCall = plan.rowBatch ? Math.max(1, Math.floor(MAX_BOUND_PARAMS / oids.length)) : 1;
    for (let r = 0; r < length; r += perCall) {
      const n = Math.min(perCall, length - r);
      if (n === 1) {
        add(this.#runOnce(plan, oids, rowParams(r), rows.length, views, touched));
        continue;
      }
      const bound = Array.from({ length: n }, (_, k) => this.#bind(plan, oids, rowParams(r + k)));
      const added: number[] = [];
      try {
        add(this.#exec(plan, batchSql(plan, n), bound.flatMap((b) => b.bindings.map((x) => x.bind)), bound.flatMap((b) => b.placed), rows.length, views, touched, added));
      } catch (err) {
        if (err instanceof Fail) throw err;
        // SQLite undid the failed call. One row at a time, the failing row fails again and its
        // error names its key (a unique violation's detail), as PostgreSQL reports it.
        for (const id of added) touched?.delete(id);
        for (let k = 0; k < n; k++) add(this.#runOnce(plan, oids, rowParams(r + k), rows.length, views, touched));
      }
    }
    return { columns: plan.columns, rows, tag: commandTag(plan.command, count) };
  }

  /** One execution of a plan's SQL; `before` rows already materialised count against the cap. */
  #runOnce(plan: Plan, oids: number[], params: SqlValue[], before: number, views: Map<string, string>, touched?: Set<number>): { rows: SqlValue[][]; count: number } {
    const { bindings, placed } = this.#bind(plan, oids, params);
    // Past SQLite's parameter limit the values go inline (as literals of their storage form).
    const inline = bindings.length > MAX_BOUND_PARAMS;
    const binds = inline ? [] : bindings.map((b) => b.bind);
    let sql = inline ? inlineParams(plan.templates.sql, bindings) : plan.sql;
    if (plan.relationMarks) sql = expandRelationMarks(sql, plan.relationMarks, params, this.catalog);
    try {
      return this.#exec(plan, sql, binds, placed, before, views, touched);
    } catch (err) {
      const target = err instanceof Fail ? undefined : uniqueTarget(String((err as Error)?.message ?? err), this.catalog);
      if (!target) throw err;
      const sourceSql = inline && plan.templates.insertSource ? inlineParams(plan.templates.insertSource, bindings) : plan.insertSource?.sql;
      const source = plan.insertSource && sourceSql !== undefined ? { ...plan.insertSource, sql: sourceSql } : undefined;
      throw new Fail(uniqueError(target, source && this.#probeKey(target, source, binds), source));
    }
  }

  /**
   * Run `sql` (the plan's, or a batch of its rows) with storage bindings and read its rows.
   * `added` collects the rowids an upsert recorded in `touched`, for a caller that must undo that.
   */
  #exec(plan: Plan, sql: string, binds: unknown[], placed: Placed[], before: number, views: Map<string, string>, touched?: Set<number>, added?: number[]): { rows: SqlValue[][]; count: number } {
    const text = withViews(sql, views);
    const rows: SqlValue[][] = [];
    const cols = plan.columns;
    const outOfLine = { bytes: 0 };
    let returned = 0;
    const cursor = this.#storage.sql.exec(text, ...(binds as never[])).raw();
    try {
      for (let next = cursor.next(); !next.done; next = cursor.next()) {
        const raw = next.value;
        returned++;
        if (touched) {
          const rowid = raw.pop() as number;
          if (touched.has(rowid)) throw new Fail(affectsRowTwice());
          touched.add(rowid);
          added?.push(rowid);
        }
        if (before + rows.length >= MAX_RESULT_ROWS) throw new Fail(programLimitExceeded(`result exceeds ${MAX_RESULT_ROWS} rows; use LIMIT/OFFSET pages`));
        if (cols) rows.push(raw.map((v, i) => (plan.finish?.[i] ? finishAggregate(plan.finish[i]!, v as string | null) : this.#read(cols[i].typeOid, v, outOfLine))));
      }
    } catch (err) {
      // A statement left mid-way stays in progress, and the storage transaction around it
      // could not then be undone (SQLITE_BUSY on releasing its savepoint): run it out first.
      if (err instanceof Fail) while (!cursor.next().done);
      throw err;
    }
    // An upsert returns the rowid of each row it inserted or updated: those are its count.
    const count = plan.command === 'SELECT' || cols || touched ? returned : Number(this.#storage.sql.exec('SELECT changes() AS n').one().n);
    assertSingleClaims(this.#storage.sql, placed);
    return { rows, count };
  }

  /**
   * Parameters → storage bindings, within the value limits: a bytea written whole into a column
   * that may hold out-of-line values goes out of line when its row would not fit (overflow.ts).
   */
  #bind(plan: Plan, oids: number[], params: SqlValue[]): { bindings: StorageBinding[]; placed: Placed[] } {
    let placed: Placed[] = [];
    const bindings = params.map((v, i) => {
      const b = toStorage(oids[i], v);
      if (isPgError(b)) throw new Fail(b);
      if (b.bind instanceof Uint8Array && b.bind.length > MAX_BYTEA_BYTES) {
        throw new Fail(programLimitExceeded(`parameter $${i + 1} (bytea) is ${b.bind.length} bytes, over the ${MAX_BYTEA_BYTES}-byte limit`));
      }
      return b;
    });
    if (plan.overflowParams) {
      const binds = bindings.map((b) => b.bind);
      placed = placeOutOfLine(this.#storage.sql, binds, plan.overflowParams);
      binds.forEach((v, i) => {
        if (v !== bindings[i].bind) bindings[i] = { bind: v as number, castInteger: false };
      });
    }
    bindings.forEach((b, i) => {
      const size = typeof b.bind === 'string' ? b.bind.length * 3 : b.bind instanceof Uint8Array ? b.bind.length : 0;
      if (size <= MAX_VALUE_BYTES || (typeof b.bind === 'string' && new TextEncoder().encode(b.bind).length <= MAX_VALUE_BYTES)) return;
      const where = oids[i] === OID.bytea ? '; a larger bytea is stored only when written whole into a bytea column outside every index and key, and is never compared' : '';
      throw new Fail(programLimitExceeded(`parameter $${i + 1} (${typeName(oids[i])}) exceeds the ${MAX_VALUE_BYTES}-byte value limit${where}`));
    });
    return { bindings, placed };
  }

  /** A result value from storage; a bytea column's number is an out-of-line value's reference. */
  #read(oid: number, v: unknown, outOfLine: { bytes: number }): SqlValue {
    if (oid !== OID.bytea || typeof v !== 'number') return fromStorage(oid, v as never);
    const bytes = readOverflow(this.#storage.sql, v);
    outOfLine.bytes += bytes.length;
    if (outOfLine.bytes > MAX_RESULT_OVERFLOW_BYTES) {
      throw new Fail(programLimitExceeded(`result holds more than ${MAX_RESULT_OVERFLOW_BYTES} bytes of large bytea values; fetch fewer rows at a time`));
    }
    return bytes;
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

  ddl(kind: string, stmt: any, settings: Settings, who: StatementOwner): { result: StatementResult; notices: PgError[] } {
    if (who.readOnly) throw new Fail(readOnlyTransaction(ddlCommand(kind, stmt)));
    // DDL is not undone by the undo log, and changes tables under every open transaction.
    if (who.logging) throw new Fail(featureNotSupported('DDL inside an explicit transaction'));
    this.transactions.enterDdl(who.owner);
    const ctx = new TranslateContext(this.catalog, searchPath(settings), []);
    const out = runDdl(kind, stmt, ctx, this.#storage.sql);
    return { result: { columns: null, rows: [], tag: out.tag }, notices: out.notices };
  }
}

/** Plans are per catalog version, search_path, identity (current_user…), parameter types and text. */
function planKey(version: number, sql: string, paramOids: number[], settings: Settings, who: SessionIdentity): string {
  return `${version}\u0000${settings.search_path}\u0000${who.user}\u0000${who.database}\u0000${paramOids.join(',')}\u0000${sql}`;
}

function searchPath(settings: Settings): string[] {
  return settings.search_path
    .split(',')
    .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
    .filter((s) => s && s !== '$user');
}

/** The command a DDL statement's errors name (`CREATE TABLE`, `DROP INDEX`…). */
function ddlCommand(kind: string, stmt: any): string {
  if (kind === 'DropStmt') return `DROP ${String(stmt.removeType).replace('OBJECT_', '')}`;
  return ({ CreateStmt: 'CREATE TABLE', IndexStmt: 'CREATE INDEX', CreateSchemaStmt: 'CREATE SCHEMA', AlterTableStmt: 'ALTER TABLE' } as Record<string, string>)[kind] ?? kind;
}
