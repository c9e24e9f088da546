/**
 * @module Plans: a parsed statement analysed and translated once, cached by SQL text and
 * parameter types, then executed many times. A plan is pure data: SQLite SQL with numbered
 * parameters, the parameters' PostgreSQL types, and the result columns.
 */
import { OID } from '../../tunnel/oids.ts';
import type { Column } from '../../tunnel/types.ts';
import { needsIntegerCast, type StorageBinding } from './values/index.ts';
import { paramMark, type TranslateContext } from './translate/context.ts';
import { overflowParamIndexes } from './translate/overflow-refs.ts';
import type { RelationMarks } from './translate/relation-size.ts';
import type { OutputColumn } from './translate/select.ts';
import type { InsertSource } from './unique-violation.ts';
import type { SequenceDef, TableDef } from './catalog.ts';
import type { LockMode } from './locks.ts';

export type CommandKind = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

export interface Plan {
  command: CommandKind;
  sql: string;
  paramOids: number[];
  /** null: no rows (NoData). */
  columns: Column[] | null;
  /** Per result column, a JS step that finishes its value (avg.ts); absent when none. */
  finish?: ('avg' | 'sum' | undefined)[];
  /** INSERT … VALUES: its rows as a SELECT (same parameters), to probe a unique violation. */
  insertSource?: InsertSource;
  /**
   * UNNEST of array parameters (translate/unnest.ts): parameter index (0-based) → element type.
   * The statement runs once per element; there those parameters bind one element each.
   */
  expand?: Map<number, number>;
  /** serial/identity values the statement takes, bound in this order after the parameters. */
  sequences?: SequenceDef[];
  /** `sql` and the insert source with parameter marks, for inlining past SQLite's 100 parameters. */
  templates: { sql: string; insertSource?: string };
  /** The tables it touches and how: what transactions lock and hide (session.ts, undo.ts). */
  access: TableAccess;
  /**
   * ON CONFLICT DO UPDATE: the SQL returns each affected row's rowid as a last, hidden column,
   * so a row touched twice by one statement fails with 21000 (unique-violation.ts).
   */
  upsertRowid?: boolean;
  /** Parameters (0-based) that may bind as out-of-line bytea references (overflow.ts, translate/overflow-refs.ts). */
  overflowParams?: number[];
  /** Relation marks (regclass parameters, pg_class.reltuples) execute replaces (translate/relation-size.ts). */
  relationMarks?: RelationMarks;
  /** An expanded UNNEST insert whose rows can go several to one statement (batchSql). */
  rowBatch?: RowBatch;
}

/**
 * An expanded UNNEST insert as the text around one VALUES tuple per array element, with
 * parameter marks: repeating `row` (parameters renumbered) inserts several rows per SQLite
 * call instead of one. A multi-row VALUES is not a compound SELECT, so SQLite's limit on
 * compound terms (5 in production) does not apply.
 */
export interface RowBatch {
  before: string;
  row: string;
  after: string;
}

export interface TableAccess {
  /** User tables read (FROM items). */
  reads: TableDef[];
  /** The table written by INSERT/UPDATE/DELETE. */
  target?: TableDef;
  /** FOR SHARE / FOR UPDATE on the tables read. */
  locking?: LockMode;
  /** FOR … NOWAIT. */
  nowait?: boolean;
  /** It may change existing rows (so an undo log gains committed images). */
  updatesRows?: boolean;
}

/** SQLite (in workerd) refuses `?101`; statements with more parameters get them inlined. */
export const MAX_BOUND_PARAMS = 100;

/** SQL literal of a storage binding (strings quoted; int8-like decimal text as an integer). */
function bindingLiteral(b: StorageBinding): string {
  const v = b.bind;
  if (v === null) return 'NULL';
  if (b.castInteger) return `CAST('${v}' AS INTEGER)`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  return `X'${Array.from(v, (x) => x.toString(16).padStart(2, '0')).join('')}'`;
}

/** A template with every parameter mark replaced by its value's literal. */
export function inlineParams(template: string, bindings: StorageBinding[]): string {
  return template.replace(markPattern, (_, n) => bindingLiteral(bindings[Number(n) - 1]));
}

const markPattern = /\u0001(\d+)\u0001/g;

/** Fix parameter types and turn placeholders into SQLite parameters (`CAST(?n AS INTEGER)` for int8-like). */
export function finishPlan(command: CommandKind, sql: string, outputs: OutputColumn[] | null, ctx: TranslateContext, insertSource?: InsertSource, rowBatch?: RowBatch): Plan {
  const paramOids = ctx.finalParamOids();
  const expand = ctx.expanded.size ? new Map([...ctx.expanded].map(([n, element]) => [n - 1, element])) : undefined;
  // Sequence values bind after the user's parameters, as int8.
  const sequences = ctx.sequenceSlots;
  const bindOids = [...bindingOids(paramOids, expand), ...sequences.map(() => OID.int8)];
  const slots = (text: string) => text.replace(/\u0002(\d+)\u0002/g, (_, k) => paramMark(paramOids.length + Number(k)));
  sql = slots(sql);
  if (insertSource) insertSource = { ...insertSource, sql: slots(insertSource.sql) };
  const overflowParams = overflowParamIndexes(ctx, sql);
  const bind = (text: string) => bindMarks(text, bindOids);
  const relationMarks = sql.includes('\u0003');
  return {
    command,
    sql: bind(sql),
    templates: { sql, ...(insertSource && { insertSource: insertSource.sql }) },
    ...(outputs?.some((c) => c.finish) && { finish: outputs.map((c) => c.finish) }),
    ...(insertSource && { insertSource: { ...insertSource, sql: bind(insertSource.sql) } }),
    paramOids,
    access: {
      reads: [...ctx.reads],
      ...(ctx.target && { target: ctx.target }),
      ...(ctx.locking && { locking: ctx.locking, nowait: ctx.lockNowait }),
      ...(ctx.updatesRows && { updatesRows: true }),
    },
    ...(expand && { expand }),
    ...(expand && rowBatch && !sequences.length && !relationMarks && { rowBatch }),
    ...(sequences.length && { sequences: [...sequences] }),
    ...(overflowParams.length && { overflowParams }),
    ...(relationMarks && { relationMarks: { slots: [...ctx.relationSlots], searchPath: ctx.searchPath, measured: [...ctx.measured] } }),
    columns: outputs
      ? outputs.map((c) => ({
          name: c.name,
          typeOid: c.type === OID.unknownLiteral || c.type === 0 ? OID.text : c.type,
          tableOid: c.source?.tableOid ?? 0,
          attnum: c.source?.attnum ?? 0,
        }))
      : null,
  };
}

/**
 * SQL inserting `rows` elements of an expanded UNNEST in one statement: row r binds the
 * plan's parameters as r·n+1 … r·n+n (n = parameters per row), in the types they bind as.
 */
export function batchSql(plan: Plan, rows: number): string {
  let made = batches.get(plan);
  if (!made) batches.set(plan, (made = new Map()));
  let sql = made.get(rows);
  if (sql === undefined) made.set(rows, (sql = makeBatchSql(plan, rows)));
  return sql;
}

/** Batch texts made so far, per plan and row count (a full batch and the last, shorter one). */
const batches = new WeakMap<Plan, Map<number, string>>();

function makeBatchSql(plan: Plan, rows: number): string {
  const batch = plan.rowBatch!;
  const oids = bindingOids(plan.paramOids, plan.expand);
  const each = Array.from({ length: rows }, (_, r) => bindMarks(batch.row, oids, r * oids.length));
  return `${bindMarks(batch.before, oids)}${each.join(', ')}${bindMarks(batch.after, oids)}`;
}

/**
 * Parameter marks → SQLite parameters: mark n becomes `?(shift+n)`, as `CAST(… AS INTEGER)`
 * when it binds as int8-like text (`oids[n-1]`).
 */
function bindMarks(text: string, oids: number[], shift = 0): string {
  return text.replace(markPattern, (_, m) => {
    const k = shift + Number(m);
    return needsIntegerCast(oids[Number(m) - 1]) ? `CAST(?${k} AS INTEGER)` : `?${k}`;
  });
}

/** The types parameters bind as: an expanded array parameter binds one element at a time. */
export function bindingOids(paramOids: number[], expand: Map<number, number> | undefined): number[] {
  return expand ? paramOids.map((oid, i) => expand.get(i) ?? oid) : paramOids;
}

/** CommandComplete tag for a plan's outcome. */
export function commandTag(command: CommandKind, count: number): string {
  return command === 'INSERT' ? `INSERT 0 ${count}` : `${command} ${count}`;
}

/** Translations by statement text; bounded, oldest evicted first. */
export class PlanCache {
  readonly #max: number;
  readonly #plans = new Map<string, Plan>();

  constructor(max = 512) {
    this.#max = max;
  }

  get(key: string): Plan | undefined {
    return this.#plans.get(key);
  }

  set(key: string, plan: Plan): void {
    if (this.#plans.size >= this.#max) this.#plans.delete(this.#plans.keys().next().value!);
    this.#plans.set(key, plan);
  }
}
