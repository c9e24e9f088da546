/** @module PostgreSQL type names (as the parser gives them) → OIDs, and type families. */
import { OID, arrayTypeOf } from '../../../tunnel/oids.ts';
import { typeName } from '../values/index.ts';
import { fail, unsupported } from './context.ts';

const byName: Record<string, number> = {
  bool: OID.bool,
  boolean: OID.bool,
  int2: OID.int2,
  smallint: OID.int2,
  int4: OID.int4,
  int: OID.int4,
  integer: OID.int4,
  int8: OID.int8,
  bigint: OID.int8,
  float4: OID.float4,
  real: OID.float4,
  float8: OID.float8,
  numeric: OID.numeric,
  decimal: OID.numeric,
  text: OID.text,
  varchar: OID.varchar,
  bpchar: OID.bpchar,
  char: OID.bpchar,
  name: OID.name,
  bytea: OID.bytea,
  json: OID.json,
  jsonb: OID.jsonb,
  uuid: OID.uuid,
  date: OID.date,
  timestamp: OID.timestamp,
  timestamptz: OID.timestamptz,
  oid: OID.oid,
  regclass: OID.regclass,
};

/** Built-in PostgreSQL types the engine does not store (0A000, not 42704). */
const builtinUnsupported = new Set([
  'interval', 'time', 'timetz', 'money', 'inet', 'cidr', 'macaddr', 'macaddr8', 'xml', 'bit', 'varbit',
  'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle', 'tsvector', 'tsquery', 'int4range',
  'int8range', 'numrange', 'tsrange', 'tstzrange', 'daterange', 'regproc', 'regtype', 'pg_lsn', 'txid_snapshot',
]);

/** Serial pseudo-types: the integer type they stand for. */
export const serialTypes: Record<string, number> = { serial: OID.int4, serial4: OID.int4, bigserial: OID.int8, serial8: OID.int8, smallserial: OID.int2 };

/** OID of a parser TypeName node; 0A000 for types we do not store. */
export function typeOidOf(typeNameNode: any): number {
  const names: string[] = (typeNameNode.names ?? []).map((n: any) => n.String.sval);
  const last = names[names.length - 1];
  const base = byName[last];
  if (base === undefined) {
    const shown = names.filter((n) => n !== 'pg_catalog').join('.');
    // A PostgreSQL type we do not store is a feature gap; any other name does not exist.
    if (builtinUnsupported.has(last)) unsupported(`type ${shown}`);
    fail({ sqlstate: '42704', message: `type "${shown}" does not exist`, ...(typeNameNode.location >= 0 && { position: typeNameNode.location + 1 }) });
  }
  if (typeNameNode.arrayBounds?.length) {
    const arr = arrayTypeOf(base);
    if (arr === undefined) unsupported(`type ${typeName(base)}[]`);
    return arr;
  }
  return base;
}

export function isIntegerType(oid: number): boolean {
  return oid === OID.int2 || oid === OID.int4 || oid === OID.int8;
}

export function isTextType(oid: number): boolean {
  return oid === OID.text || oid === OID.varchar || oid === OID.bpchar || oid === OID.name;
}

export function isFloatType(oid: number): boolean {
  return oid === OID.float4 || oid === OID.float8;
}

/** The result type of integer/float arithmetic, PostgreSQL's promotion rules. */
export function arithmeticType(a: number, b: number): number | undefined {
  if (isIntegerType(a) && isIntegerType(b)) {
    if (a === OID.int8 || b === OID.int8) return OID.int8;
    if (a === OID.int4 || b === OID.int4) return OID.int4;
    return OID.int2;
  }
  if ((isIntegerType(a) || isFloatType(a)) && (isIntegerType(b) || isFloatType(b))) return OID.float8;
  return undefined;
}

/**
 * The common type of CASE/COALESCE branches and UNION columns (PostgreSQL's select_common_type,
 * for the types we store): unknowns are ignored (text when all are), integers widen, floats and
 * numeric meet at float8 (the numeric category's preferred type), strings meet at text; types
 * of different categories fail with 42804 naming the construct.
 */
export function commonType(types: number[], construct: string): number {
  const known = types.filter((t) => t !== 0 && t !== OID.unknownLiteral);
  if (known.length === 0) return OID.text;
  let result = known[0];
  for (const t of known.slice(1)) {
    if (t === result) continue;
    const numeric = (x: number) => isIntegerType(x) || isFloatType(x) || x === OID.numeric;
    if (numeric(result) && numeric(t)) {
      if (result === OID.float8 || t === OID.float8 || ((isFloatType(result) || isFloatType(t)) && (result === OID.numeric || t === OID.numeric))) result = OID.float8;
      else if (isFloatType(result) || isFloatType(t)) result = OID.float4;
      else if (result === OID.numeric || t === OID.numeric) result = OID.numeric;
      else result = arithmeticType(result, t)!;
    } else if (isTextType(result) && isTextType(t)) result = OID.text;
    else fail({ sqlstate: '42804', message: `${construct} types ${typeName(result)} and ${typeName(t)} cannot be matched` });
  }
  return result;
}

/**
 * The type modifier of a TypeName: varchar(n) gives n (-1 when absent). Modifiers whose
 * semantics the engine does not reproduce (numeric(p,s) rounding, char(n) padding, time
 * precision) fail with 0A000 rather than being ignored.
 */
export function typeModOf(typeNameNode: any, oid: number): number {
  const mods: any[] = typeNameNode.typmods ?? [];
  if (oid === OID.bpchar) unsupported('type character(n) (blank-padded)');
  if (mods.length === 0) return -1;
  if (oid !== OID.varchar) unsupported(`type modifiers on ${typeName(oid)}`);
  const n = Number(mods[0]?.A_Const?.ival?.ival ?? NaN);
  if (mods.length !== 1 || !Number.isInteger(n) || n < 1) fail({ sqlstate: '22023', message: 'length for type varchar must be at least 1' });
  return n;
}
