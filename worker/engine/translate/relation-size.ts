/**
 * @module pg_table_size, pg_relation_size, pg_indexes_size, pg_total_relation_size and
 * pg_class.reltuples, measured on the Durable Object's SQLite.
 *
 * What is measured: SQLite there offers no per-table page count (no `dbstat`, `PRAGMA
 * page_count` is refused), so a size is the bytes of the values stored: per row, each TEXT or
 * BLOB's length in bytes and 8 for a number; a table adds its out-of-line bytea values
 * (overflow.ts, as PostgreSQL's table size includes TOAST); an index counts its key columns'
 * bytes plus 8 (the rowid) per row. reltuples is the exact row count of a table the statement
 * names by regclass, -1 for others (PostgreSQL's is an estimate, -1 before the first
 * VACUUM/ANALYZE). Each is computed when the statement runs, by a scan of that table only, so
 * cost grows with the table; Convex asks for them only in its table-size statistics.
 */
import { OID } from '../../../tunnel/oids.ts';
import type { SqlValue } from '../../../tunnel/types.ts';
import { quoteIdent, sqliteName, type Catalog, type IndexDef, type TableDef } from '../catalog.ts';
import { undefinedFunction } from '../errors.ts';
import { overflowBytesSql } from '../overflow.ts';
import { typeName } from '../values/index.ts';
import { Fail, fail, unsupported, type Typed } from './context.ts';
import { literal, nodeType, translateExpr, type ExprEnv } from './expr.ts';
import { constantRelation, regclassConstant, regclassOfOid, relationMark, relations, resolveRelationName, type Relation } from './regclass.ts';
import { isIntegerType } from './types.ts';

export const SIZE_FUNCTIONS = new Set(['pg_table_size', 'pg_relation_size', 'pg_indexes_size', 'pg_total_relation_size']);

/** SQL: the bytes one stored value takes. */
function valueBytes(col: string): string {
  return `(CASE typeof(${col}) WHEN 'blob' THEN length(${col}) WHEN 'text' THEN length(CAST(${col} AS BLOB)) WHEN 'null' THEN 0 ELSE 8 END)`;
}

function sumOverRows(table: TableDef, perRow: string): string {
  return `(SELECT coalesce(sum(${perRow}), 0) FROM ${sqliteName(table.schema, table.name)})`;
}

function rowBytes(columns: string[]): string {
  return columns.length ? columns.map((c) => valueBytes(quoteIdent(c))).join(' + ') : '0';
}

/** SQL: bytes of a table's rows (the main fork). */
function tableDataSql(table: TableDef): string {
  return sumOverRows(table, rowBytes(table.columns.map((c) => c.name)));
}

/** SQL: bytes of one index's entries, or of all of a table's indexes. */
function indexSql(table: TableDef, indexes: IndexDef[]): string {
  if (!indexes.length) return '0';
  return sumOverRows(table, indexes.map((i) => `${rowBytes(i.columns)} + 8`).join(' + '));
}

/** SQL: a table's row count (pg_class.reltuples). */
export function rowCountSql(table: TableDef): string {
  return `(SELECT count(*) FROM ${sqliteName(table.schema, table.name)})`;
}

/** SQL for one size function of one relation. */
function sizeOf(fn: string, r: Relation, indexesOf: (t: TableDef) => IndexDef[]): string {
  // An index: its own entries; it has no indexes of its own.
  if (r.index) return fn === 'pg_indexes_size' ? '0' : indexSql(r.owner!, [r.index]);
  const t = r.table!;
  switch (fn) {
    case 'pg_relation_size':
      return tableDataSql(t);
    case 'pg_table_size':
      return `(${tableDataSql(t)} + ${overflowBytesSql(t)})`;
    case 'pg_indexes_size':
      return indexSql(t, indexesOf(t));
    default:
      return `(${tableDataSql(t)} + ${overflowBytesSql(t)} + ${indexSql(t, indexesOf(t))})`;
  }
}

/**
 * `pg_table_size(rel)` and its siblings: the argument is a regclass (a name literal resolves
 * now, a regclass parameter when the statement runs, an OID maps to its table); NULL when no
 * relation matches, as PostgreSQL returns for an unknown OID.
 */
export function sizeFunction(name: string, args: any[], env: ExprEnv): Typed {
  if (args.length !== 1) {
    if (name === 'pg_relation_size' && args.length === 2) unsupported('pg_relation_size with a fork name');
    fail(undefinedFunction(`${name}(${args.map(() => '?').join(', ')})`));
  }
  const ctx = env.ctx;
  const arg = args[0];
  let rel: Typed;
  if (nodeType(arg) === 'A_Const' && 'sval' in arg.A_Const) rel = regclassConstant(arg.A_Const.sval.sval, ctx);
  else {
    const v = translateExpr(arg, env, OID.regclass);
    if (v.type === OID.regclass) rel = v;
    else if (v.type === OID.oid || isIntegerType(v.type)) rel = { sql: regclassOfOid(v.sql, ctx), type: OID.regclass };
    else fail(undefinedFunction(`${name}(${typeName(v.type)})`));
  }
  const indexesOf = (t: TableDef) => ctx.catalog.indexesOf(t.oid);
  // A regclass parameter: execute puts in the size SQL of the one relation it names.
  if (rel.relationSlot !== undefined) return { sql: relationMark(name, rel.relationSlot, ctx), type: OID.int8 };
  const constant = constantRelation(rel, ctx);
  if (constant) return { sql: sizeOf(name, constant, indexesOf), type: OID.int8 };
  const whens = relations(ctx).map((r) => `WHEN ${literal(OID.text, r.printed)} THEN ${sizeOf(name, r, indexesOf)}`);
  return { sql: whens.length ? `(CASE ${rel.sql} ${whens.join(' ')} END)` : 'NULL', type: OID.int8 };
}

/** pg_class.reltuples: the mark execute replaces by the row count of the tables the statement names. */
export const RELTUPLES_MARK = '\u0003t\u0003';

/** What execute needs to replace a plan's relation marks. */
export interface RelationMarks {
  slots: { param: number; missing: 'error' | 'null' }[];
  searchPath: string[];
  /** Tables named by constants, whose rows pg_class counts. */
  measured: number[];
}

/**
 * Replace the relation marks of `sql`: resolve each regclass parameter (42P01 for an unknown
 * name unless to_regclass), then put in its name, OID or size SQL. pg_class.reltuples counts
 * the rows of the tables the statement names; other tables read -1, PostgreSQL's value for a
 * table never analyzed (counting every table would make the statement grow with the catalog).
 */
export function expandRelationMarks(sql: string, marks: RelationMarks, params: SqlValue[], catalog: Catalog): string {
  const scope = { catalog, searchPath: marks.searchPath };
  const resolved = marks.slots.map((s) => {
    const v = params[s.param - 1];
    if (v === null || v === undefined) return undefined;
    const r = resolveRelationName(String(v), scope);
    if (!r && s.missing === 'error') throw new Fail({ sqlstate: '42P01', message: `relation "${String(v)}" does not exist` });
    return r;
  });
  const measured = new Set(marks.measured);
  for (const r of resolved) if (r?.table) measured.add(r.table.oid);
  const indexesOf = (t: TableDef) => catalog.indexesOf(t.oid);
  return sql.replace(/\u0003(\w+)(?::(\d+)\u0004([^\u0003]*))?\u0003/g, (_, kind: string, slot: string | undefined, param: string | undefined) => {
    if (kind === 't') {
      const tables = [...measured].map((oid) => catalog.tableByOid(oid)).filter((t): t is TableDef => !!t);
      return tables.length ? `(CASE pg_class_t.oid ${tables.map((t) => `WHEN ${t.oid} THEN ${rowCountSql(t)}`).join(' ')} ELSE -1 END)` : '-1';
    }
    const r = resolved[Number(slot)];
    const value = !r ? 'NULL' : kind === 'r' ? literal(OID.text, r.printed) : kind === 'o' ? (r.table ? String(r.table.oid) : 'NULL') : sizeOf(kind, r, indexesOf);
    // The parameter stays mentioned (SQLite counts it); NULL in, NULL out, as resolved above.
    return `(CASE WHEN ${param} IS NULL THEN NULL ELSE ${value} END)`;
  });
}
