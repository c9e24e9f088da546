/**
 * @module Array values in SQL. A 1-D array is stored as JSON (values/array.ts): integers and
 * timestamps (µs) as numbers, booleans as true/false, bytea as lower-case hex strings, floats as
 * numbers (NaN and infinities as strings), everything else as strings. `ARRAY[…]` builds that
 * JSON with json_array; `element` reads one `json_each` value back in the element's storage form.
 */
import { OID, arrayTypeOf, elementTypeOf } from '../../../tunnel/oids.ts';
import { typeName } from '../values/index.ts';
import { fail, unsupported, type Typed } from './context.ts';
import { translateExpr, type ExprEnv } from './expr.ts';
import { commonType } from './types.ts';

/** The JSON array entry for one element value (NULL stays JSON null). */
export function arrayEntry(v: Typed): string {
  switch (v.type) {
    case OID.bool:
      return `json(CASE ${v.sql} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)`;
    case OID.bytea:
      return `lower(hex(${v.sql}))`;
    case OID.json:
    case OID.jsonb:
      // Stored as text elements; json_array would embed them as JSON instead.
      return `CAST(${v.sql} AS TEXT)`;
    default:
      return v.sql;
  }
}

/** `ARRAY[a, b, …]`: the common element type; an empty constructor needs a cast (42P18 otherwise). */
export function arrayConstructor(n: any, env: ExprEnv, expected?: number): Typed {
  const elements: any[] = n.elements ?? [];
  if (elements.some((e) => e.A_ArrayExpr)) unsupported('multidimensional arrays');
  const expectedElement = expected !== undefined ? elementTypeOf(expected) : undefined;
  const first = elements.map((e) => translateExpr(e, env));
  const type = expectedElement ?? commonType(first.map((t) => t.type), 'ARRAY');
  if (elements.length === 0 && expectedElement === undefined) fail({ sqlstate: '42P18', message: 'cannot determine type of empty array', hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].' });
  const arrayType = arrayTypeOf(type);
  if (arrayType === undefined) unsupported(`arrays of ${typeName(type)}`);
  const typed = elements.map((e) => translateExpr(e, env, type));
  for (const t of typed) if (t.type !== type && t.type !== OID.unknownLiteral && t.sql !== 'NULL') unsupported(`ARRAY element of type ${typeName(t.type)} in ${typeName(arrayType)}`);
  return { sql: `json_array(${typed.map((t) => arrayEntry({ ...t, type })).join(', ')})`, type: arrayType };
}

/** SQL reading `<alias>.value` of json_each back as a stored element of type `element`. */
export function elementSql(alias: string, element: number): string {
  if (element === OID.bytea) return `unhex(${alias}.value)`;
  return `${alias}.value`;
}
