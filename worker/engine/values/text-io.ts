/**
 * @module PostgreSQL text input and output for every supported type, and `coerceValue`, which
 * brings any SqlValue a client may send for a type (a text-format string, a JS number for an
 * integer…) to that type's canonical SqlValue (tunnel/types.ts).
 */
import type { PgError, SqlValue } from '../../../tunnel/types.ts';
import { OID, elementTypeOf } from '../../../tunnel/oids.ts';
import { featureNotSupported, invalidTextRepresentation, isPgError, numericOutOfRange } from '../errors.ts';
import { quoteArrayElement, splitArrayLiteral } from './array.ts';
import { formatBoolean, parseBoolean } from './boolean.ts';
import { formatBytea, parseBytea } from './bytea.ts';
import { formatDate, formatTimestamp, parseDate, parseTimestamp } from './datetime.ts';
import { formatFloat, parseFloat } from './float.ts';
import { checkIntegerRange, isIntegerOid, parseInteger } from './integer.ts';
import { parseJson, parseJsonb } from './json.ts';
import { parseNumeric } from './numeric.ts';
import { checkEncodable, parseString } from './text.ts';
import { typeName } from './type-names.ts';
import { parseUuid } from './uuid.ts';

/** Types whose canonical SqlValue is their text: text input yields text output. */
export const STRING_TYPES: ReadonlySet<number> = new Set([
  OID.text, OID.varchar, OID.bpchar, OID.name, OID.char, OID.unknown, OID.unknownLiteral, OID.regclass,
]);

/** Types this layer converts (besides 1-D arrays of them). */
export function isSupportedType(oid: number): boolean {
  const element = elementTypeOf(oid);
  if (element !== undefined) return isSupportedType(element);
  return (
    STRING_TYPES.has(oid) || isIntegerOid(oid) ||
    [OID.bool, OID.float4, OID.float8, OID.numeric, OID.bytea, OID.json, OID.jsonb, OID.uuid, OID.date, OID.timestamp, OID.timestamptz].includes(oid as never)
  );
}

/** PostgreSQL text input: the type's canonical SqlValue, or PostgreSQL's error for the text. */
export function parseText(oid: number, text: string): SqlValue | PgError {
  const element = elementTypeOf(oid);
  if (element !== undefined) return parseArray(element, text);
  const bad = checkEncodable(text);
  if (bad !== undefined) return bad;
  if (STRING_TYPES.has(oid)) return parseString(oid, text);
  if (isIntegerOid(oid)) return parseInteger(oid, text);
  switch (oid) {
    case OID.bool:
      return parseBoolean(text);
    case OID.float4:
    case OID.float8:
      return parseFloat(oid, text);
    case OID.numeric:
      return parseNumeric(text);
    case OID.bytea:
      return parseBytea(text);
    case OID.json:
      return parseJson(text);
    case OID.jsonb:
      return parseJsonb(text);
    case OID.uuid:
      return parseUuid(text);
    case OID.date: {
      const days = parseDate(text);
      return typeof days === 'number' ? formatDate(days) : days;
    }
    case OID.timestamp:
    case OID.timestamptz: {
      const us = parseTimestamp(oid, text);
      return typeof us === 'bigint' ? formatTimestamp(oid, us) : us;
    }
  }
  return featureNotSupported(`type ${typeName(oid)}`);
}

function parseArray(element: number, text: string): SqlValue | PgError {
  const bad = checkEncodable(text);
  if (bad !== undefined) return bad;
  const parts = splitArrayLiteral(text);
  if (isPgError(parts)) return parts;
  const out: SqlValue[] = [];
  for (const p of parts) {
    if (p === null) {
      out.push(null);
      continue;
    }
    const v = parseText(element, p);
    if (isPgError(v)) return v;
    out.push(v);
  }
  return out;
}

/** PostgreSQL text output of a canonical, non-NULL value (NULL has no text form: a bug). */
export function formatText(oid: number, value: SqlValue): string {
  if (value === null) throw new Error('formatText: NULL has no text form');
  const element = elementTypeOf(oid);
  if (element !== undefined) {
    if (!Array.isArray(value)) throw new Error(`formatText: ${typeName(oid)} needs an array`);
    return `{${value.map((v) => (v === null ? 'NULL' : quoteArrayElement(formatText(element, v)))).join(',')}}`;
  }
  if (typeof value === 'boolean') return formatBoolean(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (oid === OID.float4 || oid === OID.float8) return formatFloat(oid, value);
    if (Number.isInteger(value)) return String(value);
    return formatFloat(OID.float8, value);
  }
  if (value instanceof Uint8Array) return formatBytea(value);
  if (typeof value === 'string') return value;
  throw new Error(`formatText: an array value for scalar ${typeName(oid)}`);
}

/**
 * The canonical SqlValue for `oid` from any value a client may send: a string is text input;
 * numbers and bigints are range-checked for integer types (a number must be integral);
 * strings of string-represented types (date, numeric…) are re-read so they are canonical.
 */
export function coerceValue(oid: number, value: SqlValue): SqlValue | PgError {
  if (value === null) return null;
  if (typeof value === 'string') return parseText(oid, value);
  const element = elementTypeOf(oid);
  if (element !== undefined) {
    if (!Array.isArray(value)) return invalidTextRepresentation(typeName(oid), String(value));
    const out: SqlValue[] = [];
    for (const v of value) {
      const c = coerceValue(element, v);
      if (isPgError(c)) return c;
      out.push(c);
    }
    return out;
  }
  if (isIntegerOid(oid)) {
    if (typeof value === 'bigint') return checkIntegerRange(oid, value);
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) return invalidTextRepresentation(typeName(oid), String(value));
      return checkIntegerRange(oid, BigInt(value));
    }
    if (typeof value === 'boolean' && oid === OID.int4) return value ? 1n : 0n;
  }
  if (oid === OID.float4 || oid === OID.float8) {
    if (typeof value === 'number' || typeof value === 'bigint') {
      const n = Number(value);
      if (oid === OID.float4 && Number.isFinite(n) && !Number.isFinite(Math.fround(n))) return numericOutOfRange('real');
      return oid === OID.float4 ? Math.fround(n) : n;
    }
  }
  if (oid === OID.numeric && (typeof value === 'bigint' || typeof value === 'number')) {
    return parseNumeric(typeof value === 'bigint' ? value.toString() : formatFloat(OID.float8, value));
  }
  if (oid === OID.bool && typeof value === 'boolean') return value;
  if (oid === OID.bytea && value instanceof Uint8Array) return value;
  if (STRING_TYPES.has(oid) && !Array.isArray(value)) return parseString(oid, formatText(OID.unknown, value));
  return invalidTextRepresentation(typeName(oid), Array.isArray(value) ? '{...}' : formatText(OID.unknown, value));
}
