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

/** array_in's whitespace: space, \t, \n, \r, \v, \f. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * Splits an array literal into element texts (null for an unquoted NULL). Elements are cut out
 * as slices between escapes, never built a character at a time: a batch of 1024 documents as
 * hex text is megabytes long.
 */
export function splitArrayLiteral(text: string): (string | null)[] | PgError {
  const bad = (detail: string) => malformedArrayLiteral(text, detail);
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (text[i] === '[') return featureNotSupported('array dimension decorations');
  if (text[i] !== '{') return bad('Array value must start with "{" or dimension information.');
  i++;
  const out: (string | null)[] = [];
  let expectElement = true;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return bad('Unexpected end of input.');
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
    if (c === '"') {
      // Quoted: up to the closing quote; a backslash takes the next character literally.
      let value = '';
      let from = ++i;
      for (;;) {
        if (i >= n) return bad('Unexpected end of input.');
        const q = text.charCodeAt(i);
        if (q === 34 /* " */) break;
        if (q === 92 /* \ */) {
          value += text.slice(from, i);
          if (++i >= n) return bad('Unexpected end of input.');
          from = i;
        }
        i++;
      }
      out.push(value + text.slice(from, i));
      i++;
    } else {
      // Unquoted: up to , or }, backslash escapes kept literal, trailing unescaped space trimmed.
      let value = '';
      let from = i;
      let keep = 0;
      let sawEscape = false;
      for (; i < n; i++) {
        const u = text.charCodeAt(i);
        if (u === 44 /* , */ || u === 125 /* } */) break;
        if (u === 34 /* " */) return bad('Unexpected array element.');
        if (u === 123 /* { */) return bad('Unexpected "{" character.');
        if (u === 92 /* \ */) {
          value += text.slice(from, i);
          if (++i >= n) return bad('Unexpected end of input.');
          value += text[i];
          from = i + 1;
          keep = value.length;
          sawEscape = true;
        } else if (!isSpace(u)) keep = value.length + (i + 1 - from);
      }
      value = (value + text.slice(from, i)).slice(0, keep);
      out.push(!sawEscape && value.toLowerCase() === 'null' ? null : value);
    }
    expectElement = false;
  }
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i < n) return bad('Junk after closing right brace.');
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
