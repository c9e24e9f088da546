/**
 * @module Explicit casts (`CAST(x AS t)`, `x::t`) between supported types, applied to constants
 * and parameters at execution time, with PostgreSQL's semantics: text to anything is that
 * type's text input; anything to text is its text output (bool gives true/false); numeric to
 * integer rounds half away from zero, float to integer rounds half to even (rint); integer
 * narrowing and float overflow are range-checked; float to numeric keeps 15 (float4: 6)
 * significant digits, as PostgreSQL's float8_numeric does.
 */
import type { PgError, SqlValue } from '../../../tunnel/types.ts';
import { OID, elementTypeOf } from '../../../tunnel/oids.ts';
import { cannotCoerce, featureNotSupported, isPgError, numericFieldOverflow, numericOutOfRange } from '../errors.ts';
import { formatTimestamp, parseDate, parseTimestamp, formatDate } from './datetime.ts';
import { parseFloat } from './float.ts';
import { checkIntegerRange, isIntegerOid } from './integer.ts';
import { parseNumeric, roundNumericToBigInt } from './numeric.ts';
import { STRING_TYPES, coerceValue, formatText, parseText } from './text-io.ts';
import { typeName } from './type-names.ts';

const US_PER_DAY = 86_400_000_000n;
const FLOATS: ReadonlySet<number> = new Set([OID.float4, OID.float8]);
const DATETIMES: ReadonlySet<number> = new Set([OID.date, OID.timestamp, OID.timestamptz]);

/** C rint(): half to even. */
function rint(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

function toFloat(toOid: number, n: number, fromFloat8: boolean): number | PgError {
  if (toOid === OID.float8 || !Number.isFinite(n)) return n;
  const f = Math.fround(n);
  if (!Number.isFinite(f)) return numericFieldOverflow('value out of range: overflow');
  if (f === 0 && n !== 0 && fromFloat8) return numericFieldOverflow('value out of range: underflow');
  return f;
}

/** C's `%.{precision}g`: that many significant digits, trailing zeros dropped. */
function printfG(v: number, precision: number): string {
  const s = v.toPrecision(precision);
  const [mantissa, exp] = s.split('e');
  const trimmed = mantissa!.includes('.') ? mantissa!.replace(/0+$/, '').replace(/\.$/, '') : mantissa!;
  return exp === undefined ? trimmed : `${trimmed}e${exp}`;
}

/** Micros since 1970 of a date or timestamp canonical string. */
function micros(oid: number, s: string): bigint {
  if (oid === OID.date) return BigInt(parseDate(s) as number) * US_PER_DAY;
  return parseTimestamp(oid, s) as bigint;
}

function castDatetime(fromOid: number, toOid: number, s: string): SqlValue | PgError {
  const us = micros(fromOid, s);
  if (toOid === OID.date) {
    let days = us / US_PER_DAY;
    if (us % US_PER_DAY < 0n) days -= 1n;
    return formatDate(Number(days));
  }
  return formatTimestamp(toOid, us);
}

/** `CAST(value AS toOid)` for a canonical `value` of `fromOid`. */
export function castValue(fromOid: number, toOid: number, value: SqlValue): SqlValue | PgError {
  if (value === null) return null;
  if (fromOid === toOid) return value;
  const fromElement = elementTypeOf(fromOid);
  const toElement = elementTypeOf(toOid);
  if (fromElement !== undefined && toElement !== undefined && Array.isArray(value)) {
    const out: SqlValue[] = [];
    for (const v of value) {
      const c = castValue(fromElement, toElement, v);
      if (isPgError(c)) return c;
      out.push(c);
    }
    return out;
  }
  if (STRING_TYPES.has(fromOid) && typeof value === 'string') {
    // bpchar's trailing spaces are insignificant and dropped on the way to other types.
    const text = fromOid === OID.bpchar ? value.replace(/ +$/, '') : value;
    return parseText(toOid, text);
  }
  if (STRING_TYPES.has(toOid)) {
    const text = fromOid === OID.bool ? (value ? 'true' : 'false') : formatText(fromOid, value);
    return parseText(toOid, text);
  }
  if (fromOid === OID.jsonb && toOid === OID.json) return value;
  if (fromOid === OID.json && toOid === OID.jsonb) return parseText(OID.jsonb, value as string);
  if (isIntegerOid(toOid)) return castToInteger(fromOid, toOid, value);
  if (FLOATS.has(toOid)) {
    if (typeof value === 'bigint') return toFloat(toOid, Number(value), false);
    if (typeof value === 'number') return toFloat(toOid, value, fromOid === OID.float8);
    // numeric_float8 is float8in of numeric's text, errors included.
    if (fromOid === OID.numeric) return parseFloat(toOid, value as string);
  }
  if (toOid === OID.numeric) {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number') {
      if (Number.isNaN(value)) return 'NaN';
      if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
      return parseNumeric(printfG(value, fromOid === OID.float4 ? 6 : 15));
    }
  }
  if (toOid === OID.bool && fromOid === OID.int4 && typeof value === 'bigint') return value !== 0n;
  if (DATETIMES.has(fromOid) && DATETIMES.has(toOid) && typeof value === 'string') return castDatetime(fromOid, toOid, value);
  return cannotCoerce(typeName(fromOid), typeName(toOid));
}

function castToInteger(fromOid: number, toOid: number, value: SqlValue): SqlValue | PgError {
  const outOfRange = () => numericOutOfRange(typeName(toOid));
  if (typeof value === 'bigint') return checkIntegerRange(toOid, value, outOfRange);
  if (typeof value === 'boolean' && fromOid === OID.bool && toOid === OID.int4) return value ? 1n : 0n;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return outOfRange();
    return checkIntegerRange(toOid, BigInt(rint(value)), outOfRange);
  }
  if (fromOid === OID.numeric && typeof value === 'string') {
    const canonical = coerceValue(OID.numeric, value);
    if (isPgError(canonical)) return canonical;
    const v = roundNumericToBigInt(canonical as string);
    if (v === undefined) {
      const what = canonical === 'NaN' ? 'NaN' : 'infinity';
      return { ...featureNotSupported('x'), message: `cannot convert ${what} to ${typeName(toOid)}` };
    }
    return checkIntegerRange(toOid, v, outOfRange);
  }
  return cannotCoerce(typeName(fromOid), typeName(toOid));
}
