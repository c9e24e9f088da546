/**
 * @module `x op ANY (array)` and `x op ALL (array)` over an array value (a parameter, a column,
 * a cast literal). Arrays are stored as JSON (values/array.ts), so the elements come from
 * `json_each`, and PostgreSQL's three-valued result is rebuilt from the per-element
 * comparisons: ANY is true if one is true, else NULL if one is NULL, else false (so an empty
 * array gives false); ALL mirrors it. A NULL array gives NULL.
 */
import { OID, arrayTypeOf, elementTypeOf } from '../../../tunnel/oids.ts';
import { typeName } from '../values/index.ts';
import { fail, unsupported, type Typed } from './context.ts';
import { elementSql } from './arrays.ts';
import { checkComparable, isUntyped, translateExpr, type ExprEnv } from './expr.ts';

const comparison = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

export function anyOrAll(n: any, env: ExprEnv): Typed {
  const op: string = n.name?.[0]?.String?.sval ?? '';
  const all = n.kind === 'AEXPR_OP_ALL';
  const construct = all ? 'ALL' : 'ANY';
  if (!comparison.has(op)) unsupported(`operator ${op} ${construct} (array)`);
  const left = translateExpr(n.lexpr, env);
  // An untyped array parameter takes the array type of the left side, as in PostgreSQL.
  const leftType = left.type === OID.unknownLiteral || left.type === 0 ? undefined : left.type;
  const array = translateExpr(n.rexpr, env, isUntyped(n.rexpr, env) && leftType !== undefined ? arrayTypeOf(leftType) : undefined);
  const element = elementTypeOf(array.type);
  if (element === undefined) {
    if (array.type === 0 || array.type === OID.unknownLiteral) fail({ sqlstate: '42P18', message: 'could not determine polymorphic type because input has type unknown' });
    fail({ sqlstate: '42809', message: 'op ANY/ALL (array) requires array on right side' });
  }
  const item: Typed = { sql: elementSql('array_item', element), type: element };
  const l = leftType === undefined ? translateExpr(n.lexpr, env, element) : left;
  checkComparable(l, item, op);
  if (element === OID.json || element === OID.jsonb) unsupported(`${construct} over ${typeName(array.type)}`);
  const test = `(${l.sql} ${op === '!=' ? '<>' : op} ${item.sql})`;
  const folded = all
    ? `CASE WHEN min(${test}) = 0 THEN 0 WHEN count(*) > count(${test}) THEN NULL ELSE 1 END`
    : `CASE WHEN max(${test}) = 1 THEN 1 WHEN count(*) > count(${test}) THEN NULL ELSE 0 END`;
  return { sql: `(CASE WHEN ${array.sql} IS NULL THEN NULL ELSE (SELECT ${folded} FROM json_each(${array.sql}) AS array_item) END)`, type: OID.bool };
}
