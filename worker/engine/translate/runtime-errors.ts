/**
 * @module Errors raised by translated SQL while it runs. SQLite has no RAISE outside triggers,
 * so a failing branch evaluates `json_extract('[]', 'pg:<key>')`, whose "bad JSON path" error
 * carries the key back; `runtimeError` turns that message into the PostgreSQL error. SQLite
 * evaluates a CASE branch only when it is taken, so the guard costs nothing otherwise.
 */
import type { PgError } from '../../../tunnel/types.ts';
import { OID } from '../../../tunnel/oids.ts';

const errors = {
  division_by_zero: { sqlstate: '22012', message: 'division by zero' },
  int2_range: { sqlstate: '22003', message: 'smallint out of range' },
  int4_range: { sqlstate: '22003', message: 'integer out of range' },
  int8_range: { sqlstate: '22003', message: 'bigint out of range' },
  float_overflow: { sqlstate: '22003', message: 'value out of range: overflow' },
  negative_substring_length: { sqlstate: '22011', message: 'negative substring length not allowed' },
  overflow_operand: {
    sqlstate: '54000',
    message: 'a bytea value over 1900000 bytes is stored out of line: it can be read whole and measured with length(), not compared, sorted or computed on',
  },
} as const satisfies Record<string, PgError>;

export type RuntimeErrorKey = keyof typeof errors;

/** SQL that fails with `key` when evaluated. */
export function raiseSql(key: RuntimeErrorKey): string {
  return `json_extract('[]', 'pg:${key}')`;
}

/** The PostgreSQL error behind a SQLite error message, if it came from `raiseSql`. */
export function runtimeError(sqliteMessage: string): PgError | undefined {
  const relation = /bad JSON path: 'pg:undefined_relation:((?:[^']|'')*)'/.exec(sqliteMessage);
  if (relation) return { severity: 'ERROR', sqlstate: '42P01', message: `relation "${relation[1].replaceAll("''", "'")}" does not exist` };
  const long = /bad JSON path: 'pg:varchar_too_long\.(\d+)'/.exec(sqliteMessage);
  if (long) return { severity: 'ERROR', sqlstate: '22001', message: `value too long for type character varying(${long[1]})` };
  const m = /bad JSON path: 'pg:(\w+)'/.exec(sqliteMessage);
  if (!m || !(m[1] in errors)) return undefined;
  return { severity: 'ERROR', ...errors[m[1] as RuntimeErrorKey] };
}

/**
 * `sql` (an integer-typed expression) checked against the range of `type`: SQLite computes in
 * 64 bits and turns an int64 overflow into a REAL, where PostgreSQL raises 22003.
 */
export function checkedInteger(sql: string, type: number): string {
  if (type === OID.int8) return `(CASE WHEN typeof(${sql}) = 'real' THEN ${raiseSql('int8_range')} ELSE ${sql} END)`;
  const [lo, hi, key] = type === OID.int2 ? [-32768, 32767, 'int2_range' as const] : [-2147483648, 2147483647, 'int4_range' as const];
  return `(CASE WHEN ${sql} NOT BETWEEN ${lo} AND ${hi} THEN ${raiseSql(key)} ELSE ${sql} END)`;
}

/**
 * Assignment to varchar(n): longer values fail with 22001, unless the excess is spaces, which
 * PostgreSQL silently drops.
 */
export function checkedVarchar(sql: string, n: number): string {
  // NULL (length NULL) falls through to ELSE unchanged.
  const tooLong = `(CASE WHEN rtrim(substr(${sql}, ${n + 1}), ' ') = '' THEN substr(${sql}, 1, ${n}) ELSE json_extract('[]', 'pg:varchar_too_long.${n}') END)`;
  return `(CASE WHEN length(${sql}) > ${n} THEN ${tooLong} ELSE ${sql} END)`;
}

/** A float result that became infinite from finite operands: PostgreSQL raises 22003. */
export function checkedFloat(sql: string, operands: string[]): string {
  const finite = operands.map((o) => `abs(${o}) <> 9e999`).join(' AND ');
  return `(CASE WHEN abs(${sql}) = 9e999 AND ${finite} THEN ${raiseSql('float_overflow')} ELSE ${sql} END)`;
}
