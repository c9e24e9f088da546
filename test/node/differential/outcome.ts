/**
 * @module Running one corpus case through `pg` in text mode and comparing two outcomes:
 * rows (ordered only when the statement has ORDER BY, else as multisets), result type OIDs and
 * column names, command tag and row count, or the SQLSTATE of an error. Parameterised cases are also
 * described (Parse with unspecified types, Describe, Sync) to compare the inferred types.
 */
import type pg from 'pg';
import type { Sql } from 'postgres';
import type { Case } from '../../corpus/index.ts';

export type Outcome =
  | { kind: 'ok'; command: string; rowCount: number | null; names: string[]; types: number[]; rows: (string | null)[][] }
  | { kind: 'error'; code: string; message: string };

/** Every column as PostgreSQL's own text: no client-side parsing to hide a difference. */
export const rawTypes = { getTypeParser: () => (value: string) => value };

export async function runCase(client: pg.Client, c: Case, protocol: 'simple' | 'extended'): Promise<Outcome> {
  // pg sends parameterised statements in the extended protocol anyway; `queryMode` (missing
  // from @types/pg) makes it do so for the others too.
  const config: pg.QueryArrayConfig = { text: c.sql, values: c.params, rowMode: 'array' };
  if (protocol === 'extended') Object.assign(config, { queryMode: 'extended' });
  try {
    const r = await client.query(config);
    return { kind: 'ok', command: r.command, rowCount: r.rowCount, names: r.fields.map((f) => f.name), types: r.fields.map((f) => f.dataTypeID), rows: r.rows as (string | null)[][] };
  } catch (e) {
    const err = e as { code?: string; message: string };
    // No SQLSTATE means the client or the connection failed, not the statement: a harness error.
    if (typeof err.code !== 'string') throw e;
    return { kind: 'error', code: err.code, message: err.message };
  }
}

/** The parameter type OIDs the server infers for the case's statement, or its SQLSTATE. */
export type Inferred = { kind: 'ok'; types: number[] } | { kind: 'error'; code: string };

export async function describeCase(sql: Sql, c: Case): Promise<Inferred> {
  try {
    return { kind: 'ok', types: (await sql.unsafe(c.sql).describe()).types };
  } catch (e) {
    const err = e as { code?: string };
    // postgres reports its own failures with non-SQLSTATE codes (CONNECTION_CLOSED…).
    if (typeof err.code !== 'string' || !/^[0-9A-Z]{5}$/.test(err.code)) throw e;
    return { kind: 'error', code: err.code };
  }
}

export function inferredText(i: Inferred): string {
  return i.kind === 'ok' ? `parameter types [${i.types}]` : `describe fails with ${i.code}`;
}

export function isOrdered(c: Case): boolean {
  return c.ordered ?? /\border\s+by\b/i.test(c.sql);
}

/** What the reference must answer for the case to be a meaningful test; null when it does. */
export function checkReference(c: Case, ref: Outcome): string | null {
  if (c.error === undefined) return ref.kind === 'ok' ? null : `corpus expects success, PostgreSQL says ${ref.code}`;
  if (ref.kind === 'error' && ref.code === c.error) return null;
  return `corpus expects ${c.error}, PostgreSQL says ${ref.kind === 'ok' ? 'OK' : ref.code}`;
}

/** The first difference between two outcomes, or null when they match. */
export function difference(c: Case, ref: Outcome, got: Outcome): string | null {
  if (ref.kind === 'error' || got.kind === 'error') {
    if (ref.kind === 'error' && got.kind === 'error') return ref.code === got.code ? null : `SQLSTATE ${got.code}, expected ${ref.code}`;
    return got.kind === 'error' ? `error ${got.code}, expected success` : `success, expected error ${(ref as { code: string }).code}`;
  }
  if (got.command !== ref.command) return `command ${got.command}, expected ${ref.command}`;
  if (got.rowCount !== ref.rowCount) return `rowCount ${got.rowCount}, expected ${ref.rowCount}`;
  if (got.types.join() !== ref.types.join()) return `type OIDs [${got.types}], expected [${ref.types}]`;
  // Clients that return rows as objects key them by these names.
  if (JSON.stringify(got.names) !== JSON.stringify(ref.names)) return `column names ${JSON.stringify(got.names)}, expected ${JSON.stringify(ref.names)}`;
  const [a, b] = isOrdered(c) ? [got.rows, ref.rows] : [sortedRows(got.rows), sortedRows(ref.rows)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = JSON.stringify(a[i]);
    const y = JSON.stringify(b[i]);
    if (x !== y) return `row ${i}: ${x ?? 'none'}, expected ${y ?? 'none'}`;
  }
  return null;
}

function sortedRows(rows: (string | null)[][]): (string | null)[][] {
  return rows.map((r) => [JSON.stringify(r), r] as const).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, r]) => r);
}

export function summarise(o: Outcome): string {
  if (o.kind === 'error') return `ERROR ${o.code}: ${o.message}`;
  const rows = JSON.stringify(o.rows);
  return `${o.command} ${o.rowCount ?? ''} [${o.types}] ${rows.length > 120 ? `${rows.slice(0, 117)}...` : rows}`;
}
