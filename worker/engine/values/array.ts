/**
 * @module 1-D arrays: PostgreSQL's text literal (`{1,NULL,"a b"}`, array_in's quoting and
 * backslash escapes, array_out's quoting rule) and the storage encoding.
 *
 * Storage: a TEXT column holding a JSON array with one entry per element, each in its element
 * type's storage form so SQLite's json_each yields column-comparable values:
 * NULL → null; bool → true/false (json_each gives 1/0); int2/int4/int8/oid and
 * timestamp/timestamptz (microseconds) → bare JSON integers, exact over int64 in SQLite and
 * decoded here without going through a double; float4/float8 → JSON numbers, with NaN,
 * Infinity, -Infinity as the strings "NaN", "Infinity", "-Infinity" and -0 as -0.0; bytea →
 * a string of lower-case hex (SQLite `unhex(value)` gives the BLOB); every other type → a
 * string of its canonical text (numeric, text, uuid, date, json and jsonb text).
 */
import type { PgError, SqlValue } from '../../../tunnel/types.ts';
import { OID } from '../../../tunnel/oids.ts';
import { featureNotSupported, malformedArrayLiteral } from '../errors.ts';
import { fromHex, toHex } from './bytea.ts';
import { parseJsonTree, quoteJsonString, type JsonNode } from './json.ts';

const SPACE = /[ \t\n\r\v\f]/;

/** Splits an array literal into element texts (null for an unquoted NULL). */
export function splitArrayLiteral(text: string): (string | null)[] | PgError {
  const bad = (detail: string) => malformedArrayLiteral(text, detail);
  let i = 0;
  while (i < text.length && SPACE.test(text[i]!)) i++;
  if (text[i] === '[') return featureNotSupported('array dimension decorations');
  if (text[i] !== '{') return bad('Array value must start with "{" or dimension information.');
  i++;
  const out: (string | null)[] = [];
  let expectElement = true;
  for (;;) {
    while (i < text.length && SPACE.test(text[i]!)) i++;
    if (i >= text.length) return bad('Unexpected end of input.');
    const c = text[i]!;
    if (c === '}') {
      if (expectElement && out.length > 0) return bad('Unexpected "}" character.');
      i++;
      break;
    }
    if (!expectElement) {
      if (c !== ',') return bad('Unexpected array element.');
      i++;
      expectElement = true;
      continue;
    }
    if (c === '{') return featureNotSupported('multidimensional arrays');
    if (c === ',') return bad('Unexpected "," character.');
    let value = '';
    if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return bad('Unexpected end of input.');
        const q = text[i]!;
        if (q === '"') break;
        if (q === '\\') {
          i++;
          if (i >= text.length) return bad('Unexpected end of input.');
        }
        value += text[i];
        i++;
      }
      i++;
      out.push(value);
    } else {
      // Unquoted: up to , or }, backslash escapes kept literal, trailing unescaped space trimmed.
      let keep = 0;
      let sawEscape = false;
      while (i < text.length && text[i] !== ',' && text[i] !== '}') {
        const u = text[i]!;
        if (u === '"') return bad('Unexpected array element.');
        if (u === '{') return bad('Unexpected "{" character.');
        if (u === '\\') {
          i++;
          if (i >= text.length) return bad('Unexpected end of input.');
          value += text[i];
          keep = value.length;
          sawEscape = true;
        } else {
          value += u;
          if (!SPACE.test(u)) keep = value.length;
        }
        i++;
      }
      value = value.slice(0, keep);
      out.push(!sawEscape && value.toLowerCase() === 'null' ? null : value);
    }
    expectElement = false;
  }
  while (i < text.length && SPACE.test(text[i]!)) i++;
  if (i < text.length) return bad('Junk after closing right brace.');
  return out;
}

/** array_out's quoting of one element's text. */
export function quoteArrayElement(s: string): string {
  const needs = s === '' || s.toLowerCase() === 'null' || /[{}",\\ \t\n\r\v\f]/.test(s);
  return needs ? `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"` : s;
}

const INTEGER_ELEMENTS: ReadonlySet<number> = new Set([OID.int2, OID.int4, OID.int8, OID.oid]);

/** One element's JSON storage entry; `v` is already the element's canonical SqlValue. */
function encodeElement(elementOid: number, v: SqlValue, toMicros: (s: string) => bigint): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '"NaN"';
    if (!Number.isFinite(v)) return v > 0 ? '"Infinity"' : '"-Infinity"';
    return Object.is(v, -0) ? '-0.0' : String(v);
  }
  if (v instanceof Uint8Array) return `"${toHex(v)}"`;
  if (typeof v === 'string') {
    if (elementOid === OID.timestamp || elementOid === OID.timestamptz) return toMicros(v).toString();
    return quoteJsonString(v);
  }
  throw new Error('nested array value in a 1-D array');
}

export function encodeArrayStorage(elementOid: number, items: SqlValue[], toMicros: (s: string) => bigint): string {
  return `[${items.map((v) => encodeElement(elementOid, v, toMicros)).join(',')}]`;
}

function decodeElement(elementOid: number, node: JsonNode, fromMicros: (us: bigint) => string): SqlValue {
  switch (node.kind) {
    case 'null':
      return null;
    case 'bool':
      return node.value;
    case 'number':
      if (INTEGER_ELEMENTS.has(elementOid)) return BigInt(node.text);
      if (elementOid === OID.timestamp || elementOid === OID.timestamptz) return fromMicros(BigInt(node.text));
      return Number(node.text);
    case 'string':
      if (elementOid === OID.bytea) return fromHex(node.value);
      if (elementOid === OID.float4 || elementOid === OID.float8) return Number(node.value);
      return node.value;
    default:
      throw new Error(`corrupt array element in storage: ${node.kind}`);
  }
}

export function decodeArrayStorage(elementOid: number, text: string, fromMicros: (us: bigint) => string): SqlValue[] {
  const tree = parseJsonTree(text, true);
  if ('sqlstate' in tree || tree.kind !== 'array') throw new Error(`corrupt array in storage: ${text.slice(0, 80)}`);
  return tree.items.map((n) => decodeElement(elementOid, n, fromMicros));
}
