/**
 * @module Where an out-of-line bytea reference (overflow.ts) may appear in translated SQL.
 * A column that may hold one (bytea, in no index) reads as a guarded expression that fails with
 * 54000 on a reference, so no comparison, function or operator ever computes on a reference
 * instead of the value. The reference passes through unguarded only where a value is carried
 * whole and unchanged:
 * - a bare column as an output column of the statement's own SELECT, of a FROM subquery or CTE,
 *   or of a UNION ALL branch of those (not under DISTINCT or GROUP BY, not an INSERT's rows);
 *   execute reassembles it in the result;
 * - `ON CONFLICT … DO UPDATE SET c = excluded.c`, moving the proposed row's own reference;
 * - length() / octet_length() and IS [NOT] NULL, which read it correctly.
 * Parameters written whole into such a column may be stored out of line (`overflowParams`).
 */
import { OID } from '../../../tunnel/oids.ts';
import type { Catalog, TableDef } from '../catalog.ts';
import { isReference } from '../overflow.ts';
import type { TranslateContext } from './context.ts';

/** SQL failing with 54000 if `sql` yields a reference, else its value. */
export function guardOverflow(sql: string): string {
  return `(CASE WHEN ${isReference(sql)} THEN json_extract('[]', 'pg:overflow_operand') ELSE ${sql} END)`;
}

/** Whether a table column may hold out-of-line references: bytea outside every index. */
export function mayOverflow(table: TableDef, column: string, catalog: Catalog): boolean {
  if (table.columns.find((c) => c.name === column)?.typeOid !== OID.bytea) return false;
  return !catalog.indexesOf(table.oid).some((i) => i.columns.includes(column));
}

/** Whether this SELECT's bare-column outputs may carry references through unguarded. */
export function passesThrough(stmt: any, ctx: TranslateContext, top: boolean): boolean {
  if (!top && !ctx.passThrough.has(stmt)) return false;
  if (stmt === ctx.insertRowSource || stmt.groupClause) return false;
  // DISTINCT ON compares only its keys (guarded); plain DISTINCT compares every output.
  const first = stmt.distinctClause?.[0];
  return !stmt.distinctClause || (first !== undefined && first !== null && Object.keys(first).length > 0);
}

/** `sql`, assigned whole to `column` of `table`: a parameter there may be stored out of line. */
export function noteAssignment(ctx: TranslateContext, table: TableDef, column: string, sql: string): void {
  const m = /^\u0001(\d+)\u0001$/.exec(sql);
  if (m && mayOverflow(table, column, ctx.catalog)) ctx.overflowParams.add(Number(m[1]));
}

/** Parameters (0-based) a plan may bind as references: assigned whole, used nowhere else. */
export function overflowParamIndexes(ctx: TranslateContext, sql: string): number[] {
  return [...ctx.overflowParams].filter((n) => sql.split(`\u0001${n}\u0001`).length === 2).map((n) => n - 1);
}

/** `excluded.<column>` itself, as a SET of that same column. */
export function isExcludedSelf(node: any, column: string): boolean {
  const f = node.ColumnRef?.fields;
  return f?.length === 2 && f[0].String?.sval === 'excluded' && f[1].String?.sval === column;
}
