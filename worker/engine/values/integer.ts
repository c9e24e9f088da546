/**
 * @module int2, int4, int8 and oid: text input (PostgreSQL 15's pg_strtoint*: optional
 * whitespace, sign, decimal digits only), range checks, text output. Values are bigints.
 */
import type { PgError } from '../../../tunnel/types.ts';
import { OID } from '../../../tunnel/oids.ts';
import { invalidTextRepresentation, numericOutOfRange, valueOutOfRange } from '../errors.ts';
import { typeName } from './type-names.ts';

export const INT_RANGE: ReadonlyMap<number, readonly [bigint, bigint]> = new Map<number, readonly [bigint, bigint]>([
  [OID.int2, [-(2n ** 15n), 2n ** 15n - 1n]],
  [OID.int4, [-(2n ** 31n), 2n ** 31n - 1n]],
  [OID.int8, [-(2n ** 63n), 2n ** 63n - 1n]],
  [OID.oid, [0n, 2n ** 32n - 1n]],
]);

/** Whitespace as C's isspace() sees it in the "C" locale: PostgreSQL trims exactly these. */
export const PG_SPACE = /^[ \t\n\r\v\f]*$/;
const INTEGER = /^[ \t\n\r\v\f]*([+-]?)([0-9]+)[ \t\n\r\v\f]*$/;

export function isIntegerOid(oid: number): boolean {
  return INT_RANGE.has(oid);
}

/** Text input for an integer type. */
export function parseInteger(oid: number, text: string): bigint | PgError {
  const m = INTEGER.exec(text);
  if (m === null) return invalidTextRepresentation(typeName(oid), text);
  let v = BigInt(m[2]!);
  if (m[1] === '-') v = -v;
  if (oid === OID.oid) {
    // oidin accepts -2^31..2^32-1 and wraps negatives, as strtoul does.
    if (v < -(2n ** 31n) || v > 2n ** 32n - 1n) return valueOutOfRange('oid', text);
    return v < 0n ? v + 2n ** 32n : v;
  }
  return checkIntegerRange(oid, v, () => valueOutOfRange(typeName(oid), text));
}

/** The range check casts and parameters use: `integer out of range`. */
export function checkIntegerRange(oid: number, v: bigint, onError = () => numericOutOfRange(typeName(oid))): bigint | PgError {
  const range = INT_RANGE.get(oid)!;
  return v < range[0] || v > range[1] ? onError() : v;
}
