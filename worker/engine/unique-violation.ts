/**
 * @module 23505 from SQLite's "UNIQUE constraint failed: s.t.a, s.t.b": the PostgreSQL
 * constraint (or unique index) name, and the key for the detail. SQLite does not say which
 * values collided, so an INSERT's rows are probed again afterwards (the failed statement has
 * been undone by then): first a row whose key already exists, else a key repeated in the batch.
 */
import type { PgError } from '../../tunnel/types.ts';
import { quoteIdent, sqliteName, type Catalog, type IndexDef, type TableDef } from './catalog.ts';
import { uniqueViolation } from './errors.ts';
import { formatText, fromStorage, needsIntegerCast } from './values/index.ts';

/** The rows an INSERT writes, as a SELECT whose columns carry the target columns' names. */
export interface InsertSource {
  sql: string;
  columns: { name: string; typeOid: number }[];
}

export interface UniqueTarget {
  table: TableDef;
  /** The violated index; undefined only if the catalog lost track of it. */
  index: IndexDef | undefined;
  columns: string[];
}

/** Which table and index a SQLite UNIQUE failure names; undefined when it is not one. */
export function uniqueTarget(message: string, catalog: Catalog): UniqueTarget | undefined {
  const m = /UNIQUE constraint failed: (.+?)(?::|$)/.exec(message);
  if (!m) return undefined;
  const refs = m[1].split(', ').map((r) => r.trim());
  // The SQLite table name is "schema.table" (one identifier), then ".column".
  const tableName = refs[0].slice(0, refs[0].lastIndexOf('.'));
  const dot = tableName.indexOf('.');
  const table = catalog.table(tableName.slice(0, dot), tableName.slice(dot + 1));
  if (!table) return undefined;
  const columns = refs.map((r) => r.slice(r.lastIndexOf('.') + 1));
  const same = (i: IndexDef) => i.unique && i.columns.length === columns.length && i.columns.every((c, k) => c === columns[k]);
  const index = catalog.indexesOf(table.oid).find(same);
  return { table, index, columns };
}

/** PostgreSQL's detail: `Key (a, b)=(1, x) already exists.` */
export function keyDetail(columns: string[], values: string[]): string {
  return `Key (${columns.join(', ')})=(${values.join(', ')}) already exists.`;
}

/** Probe queries (same parameters as the INSERT) that find the colliding key, in order. */
export function probeQueries(target: UniqueTarget, source: InsertSource): string[] | undefined {
  const cols = target.columns.map((name) => source.columns.find((c) => c.name === name));
  if (cols.some((c) => !c)) return undefined;
  const read = cols.map((c) => (needsIntegerCast(c!.typeOid) ? `CAST(n.${quoteIdent(c!.name)} AS TEXT)` : `n.${quoteIdent(c!.name)}`)).join(', ');
  const match = target.columns.map((c) => `t.${quoteIdent(c)} = n.${quoteIdent(c)}`).join(' AND ');
  const table = sqliteName(target.table.schema, target.table.name);
  const group = target.columns.map((c) => `n.${quoteIdent(c)}`).join(', ');
  return [
    `SELECT ${read} FROM (${source.sql}) AS n WHERE EXISTS (SELECT 1 FROM ${table} AS t WHERE ${match}) LIMIT 1`,
    `SELECT ${read} FROM (${source.sql}) AS n GROUP BY ${group} HAVING count(*) > 1 LIMIT 1`,
  ];
}

/** The 23505 error, with the detail when a probe found the key's raw values. */
export function uniqueError(target: UniqueTarget, raw: unknown[] | undefined, source?: InsertSource): PgError {
  const name = target.index?.constraint ?? target.index?.name ?? `${target.table.name}_${target.columns.join('_')}_key`;
  let detail: string | undefined;
  if (raw && source) {
    const values = target.columns.map((c, i) => {
      const oid = source.columns.find((x) => x.name === c)!.typeOid;
      const v = fromStorage(oid, raw[i] as never);
      return v === null ? 'null' : formatText(oid, v);
    });
    detail = keyDetail(target.columns, values);
  }
  return { ...uniqueViolation(name, detail, target.table.name), schema: target.table.schema };
}

/**
 * `sql` (a translated INSERT … ON CONFLICT DO UPDATE) also returning each inserted or updated
 * row's rowid, last: the engine keeps the rowids one statement touched, across all its
 * executions (an UNNEST batch runs once per row), to refuse a second touch as PostgreSQL does.
 */
export function returningRowid(sql: string, hasReturning: boolean): string {
  return hasReturning ? `${sql}, rowid` : `${sql} RETURNING rowid`;
}

/** 21000: one INSERT … ON CONFLICT DO UPDATE proposed the same key twice. */
export function affectsRowTwice(): PgError {
  return {
    sqlstate: '21000',
    message: 'ON CONFLICT DO UPDATE command cannot affect row a second time',
    hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
  };
}
