/**
 * @module The SQLite storage form of each type, shared with the engine:
 *
 * | PostgreSQL type                  | SQLite column | bound as                         | read back as |
 * |----------------------------------|---------------|----------------------------------|--------------|
 * | bool                             | INTEGER       | 0 / 1                            | number       |
 * | int2, int4, oid                  | INTEGER       | number                           | number       |
 * | int8                             | INTEGER       | decimal string in `CAST(? AS INTEGER)` | `CAST(col AS TEXT)` |
 * | timestamp, timestamptz           | INTEGER µs since 1970 UTC | as int8 (beyond 2^53 after year 2255) | as int8 |
 * | float4, float8                   | REAL          | number; NaN as the text 'NaN'; -0 reads back as 0 | number |
 * | numeric                          | TEXT          | canonical decimal                | string       |
 * | text, varchar, bpchar, name, json, uuid | TEXT  | canonical text                   | string       |
 * | date                             | TEXT          | `YYYY-MM-DD`, years 1-9999 only  | string       |
 * | jsonb                            | TEXT          | PostgreSQL's jsonb output text   | string       |
 * | bytea                            | BLOB          | Uint8Array (empty stays empty)   | ArrayBuffer  |
 * | 1-D arrays                       | TEXT          | JSON (see array.ts)              | string       |
 *
 * A date's text sorts as the date only for four-digit AD years; BC dates and years past 9999
 * are refused (0A000) rather than stored where they would compare wrongly.
 *
 * workerd's sql.exec cannot bind a BigInt and rounds integers beyond 2^53 on read, hence the
 * text crossing for int8 and timestamps (`needsIntegerCast`).
 */
import type { PgError, SqlValue } from '../../../tunnel/types.ts';
import { OID, elementTypeOf } from '../../../tunnel/oids.ts';
import { featureNotSupported, isPgError } from '../errors.ts';
import { decodeArrayStorage, encodeArrayStorage } from './array.ts';
import { formatTimestamp, parseTimestamp } from './datetime.ts';
import { isIntegerOid } from './integer.ts';
import { coerceValue, isSupportedType } from './text-io.ts';
import { typeName } from './type-names.ts';

export type SqliteAffinity = 'INTEGER' | 'REAL' | 'TEXT' | 'BLOB';
export type StorageValue = string | number | Uint8Array | null;

/** What to bind for a value; when `castInteger`, the SQL must read `CAST(? AS INTEGER)`. */
export interface StorageBinding {
  bind: StorageValue;
  castInteger: boolean;
}

/** The declared column type for CREATE TABLE. */
export function sqliteTypeAffinity(oid: number): SqliteAffinity {
  if (oid === OID.bool || isIntegerOid(oid) || oid === OID.timestamp || oid === OID.timestamptz) return 'INTEGER';
  if (oid === OID.float4 || oid === OID.float8) return 'REAL';
  if (oid === OID.bytea) return 'BLOB';
  return 'TEXT';
}

/** The brief's name for `sqliteTypeAffinity`. */
export const sqliteAffinity = sqliteTypeAffinity;

/**
 * True for the types that cross the JS boundary as decimal text: bind `CAST(? AS INTEGER)`,
 * select `CAST(col AS TEXT)`.
 */
export function needsIntegerCast(oid: number): boolean {
  return oid === OID.int8 || oid === OID.timestamp || oid === OID.timestamptz;
}

function micros(oid: number): (s: string) => bigint {
  return (s) => {
    const us = parseTimestamp(oid, s);
    if (typeof us !== 'bigint') throw new Error(`canonical timestamp did not parse: ${s}`);
    return us;
  };
}

/** Coerces `value` to `oid` (text input for strings, range checks) and gives its binding. */
export function toStorage(oid: number, value: SqlValue): StorageBinding | PgError {
  if (!isSupportedType(oid)) return featureNotSupported(`type ${typeName(oid)}`);
  const v = coerceValue(oid, value);
  if (isPgError(v)) return v;
  const plain = (bind: StorageValue): StorageBinding => ({ bind, castInteger: false });
  if (v === null) return plain(null);
  const element = elementTypeOf(oid);
  if (element === OID.date && !(v as SqlValue[]).every((d) => d === null || storableDate(d as string))) return dateOutsideStorage();
  if (element !== undefined) return plain(encodeArrayStorage(element, v as SqlValue[], micros(element)));
  if (oid === OID.date && !storableDate(v as string)) return dateOutsideStorage();
  if (oid === OID.int8) return { bind: (v as bigint).toString(), castInteger: true };
  if (oid === OID.timestamp || oid === OID.timestamptz) return { bind: micros(oid)(v as string).toString(), castInteger: true };
  if (typeof v === 'bigint') return plain(Number(v));
  if (typeof v === 'boolean') return plain(v ? 1 : 0);
  // SQLite turns a NaN REAL into NULL; the text 'NaN' stays text in a REAL column and sorts
  // after every number, as NaN does in PostgreSQL.
  if (typeof v === 'number') return plain(Number.isNaN(v) ? 'NaN' : v);
  return plain(v as string | Uint8Array);
}

/** A canonical date whose `YYYY-MM-DD` text orders as the date does (years 1-9999). */
function storableDate(d: string): boolean {
  return /^\d{4}-\d\d-\d\d$/.test(d) && !d.startsWith('0000');
}

function dateOutsideStorage(): PgError {
  return featureNotSupported('storing a date before year 1 or after year 9999');
}

/** The canonical SqlValue from what SQLite returned (int8 and timestamps: their TEXT read). */
export function fromStorage(oid: number, raw: string | number | bigint | ArrayBuffer | Uint8Array | null): SqlValue {
  if (raw === null) return null;
  const element = elementTypeOf(oid);
  if (element !== undefined) return decodeArrayStorage(element, String(raw), (us) => formatTimestamp(element, us));
  if (isIntegerOid(oid)) return BigInt(raw as string | number | bigint);
  switch (oid) {
    case OID.bool:
      return Number(raw) !== 0;
    case OID.float4:
    case OID.float8:
      return Number(raw);
    case OID.timestamp:
    case OID.timestamptz:
      return formatTimestamp(oid, BigInt(raw as string | number | bigint));
    case OID.bytea:
      if (raw instanceof Uint8Array) return raw;
      if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
      throw new Error(`bytea storage holds ${typeof raw}`);
  }
  if (raw instanceof ArrayBuffer || raw instanceof Uint8Array) throw new Error(`${typeName(oid)} storage holds a BLOB`);
  return String(raw);
}
