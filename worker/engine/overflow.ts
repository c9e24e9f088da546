/**
 * @module Out-of-line bytea values. Production SQLite refuses a value or row above ~2 MB
 * (DESIGN §4) and Convex stores documents up to 32 MiB, so a bytea parameter too large for its
 * row is written as chunks of an overflow table and the row holds a reference in its place:
 *
 *   pg_meta_overflow        (id INTEGER PRIMARY KEY AUTOINCREMENT, length, owner, claims)
 *   pg_meta_overflow_chunks (id, seq, chunk)       ≤ CHUNK_BYTES each, in seq order
 *
 * **Reference.** A bytea is always stored as a BLOB (or NULL), so a number in a bytea column
 * can only be a reference: the id of its pg_meta_overflow row (bound from JS it is a REAL,
 * inlined an INTEGER; both compare equal to the id). Only bytea columns outside every index
 * take references (keys and compared columns stay inline), and only from a parameter that is
 * the column's whole value (translate/overflow-refs.ts decides); results reassemble them.
 *
 * **Ownership, no leaks.** `owner` is the OID of the table whose row (or undo image) holds the
 * reference; NULL means garbage, deleted by `sweepOverflow` when the statement, COMMIT or
 * ROLLBACK is done (the same storage transaction). Triggers keep `owner` right:
 * - a row inserted, or updated to a reference, takes ownership;
 * - a row deleted, or updated away from a reference, gives it up, unless the undo log keeps the
 *   row's committed image with that same reference (an explicit transaction changed the row:
 *   ROLLBACK will put that image back, readers in other sessions still see it);
 * - deleting an undo image (COMMIT clears the log; ROLLBACK clears it after restoring the
 *   images) gives up its reference unless the row at that rowid holds it again.
 * A reference written by a statement whose row never kept it (ON CONFLICT DO NOTHING, a
 * filtered INSERT … SELECT) stays unowned and is swept with the statement; a failed statement
 * or transaction rolls its chunks back with everything else.
 *
 * **One row per value.** A reference is never shared: the triggers count the rows that take
 * each one (`claims`), and a statement that wrote one parameter into several rows (`UPDATE …
 * SET v = $1` over many rows) fails with 54000 (`assertSingleClaims`).
 */
import { OID } from '../../tunnel/oids.ts';
import { quoteIdent, sqliteName, type TableDef } from './catalog.ts';
import { programLimitExceeded } from './errors.ts';
import { Fail } from './translate/context.ts';
import { undoName } from './undo.ts';

export const OVERFLOW = 'pg_meta_overflow';
export const CHUNKS = 'pg_meta_overflow_chunks';

/** Chunk size: a chunk row stays below production SQLite's ~2 MB value/row limit. */
export const CHUNK_BYTES = 1_900_000;
/** A row's inline values (strings and BLOBs bound in one execution) stay within this. */
export const ROW_BUDGET = 1_900_000;
/** Largest bytea accepted at all: Convex documents reach 32 MiB (more as JSON); the DO has ~128 MB. */
export const MAX_BYTEA_BYTES = 64 * 1024 * 1024;

/** SQL: true when `x` (a bytea column's value) is an overflow reference. */
export const isReference = (x: string) => `typeof(${x}) IN ('integer', 'real')`;

/** Create the overflow tables (idempotent); runs at engine start. */
export function installOverflowStorage(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS ${OVERFLOW} (id INTEGER PRIMARY KEY AUTOINCREMENT, length INTEGER NOT NULL, owner INTEGER, claims INTEGER NOT NULL DEFAULT 0)`);
  try {
    sql.exec(`SELECT claims FROM ${OVERFLOW} LIMIT 0`);
  } catch {
    // Made by the first version of this file, before claims were counted.
    sql.exec(`ALTER TABLE ${OVERFLOW} ADD COLUMN claims INTEGER NOT NULL DEFAULT 0`);
  }
  sql.exec(`CREATE TABLE IF NOT EXISTS ${CHUNKS} (id INTEGER NOT NULL, seq INTEGER NOT NULL, chunk BLOB NOT NULL, PRIMARY KEY (id, seq))`);
  // The sweep finds garbage without scanning live values.
  sql.exec(`CREATE INDEX IF NOT EXISTS pg_meta_overflow_garbage ON ${OVERFLOW} (id) WHERE owner IS NULL`);
  sql.exec(`CREATE INDEX IF NOT EXISTS pg_meta_overflow_owner ON ${OVERFLOW} (owner) WHERE owner IS NOT NULL`);
}

function triggerName(kind: string, table: TableDef, column: string): string {
  return quoteIdent(`pg_overflow_${kind}.${table.schema}.${table.name}.${column}`);
}

/**
 * Ownership triggers for a table's bytea columns (idempotent). Needs the table's undo log
 * (undo.ts installUndo) to exist; the log's triggers go when the log is dropped.
 */
export function installOverflowTriggers(sql: SqlStorage, table: TableDef): void {
  const t = sqliteName(table.schema, table.name);
  const log = undoName(table);
  for (const c of table.columns) {
    if (c.typeOid !== OID.bytea) continue;
    const col = quoteIdent(c.name);
    const take = (x: string) => `UPDATE ${OVERFLOW} SET owner = ${table.oid}, claims = claims + 1 WHERE id = ${x};`;
    // The committed image of this row, if an open transaction changed it, holds the reference.
    const kept = `EXISTS (SELECT 1 FROM ${log} WHERE rid = old.rowid AND op <> 'I' AND ${col} = old.${col})`;
    const release = `UPDATE ${OVERFLOW} SET owner = NULL WHERE id = old.${col} AND NOT ${kept};`;
    sql.exec(`CREATE TRIGGER IF NOT EXISTS ${triggerName('i', table, c.name)} AFTER INSERT ON ${t} WHEN ${isReference(`new.${col}`)} BEGIN ${take(`new.${col}`)} END`);
    sql.exec(
      `CREATE TRIGGER IF NOT EXISTS ${triggerName('u', table, c.name)} AFTER UPDATE OF ${col} ON ${t} ` +
        `WHEN (${isReference(`new.${col}`)} OR ${isReference(`old.${col}`)}) AND new.${col} IS NOT old.${col} BEGIN ` +
        `UPDATE ${OVERFLOW} SET owner = NULL WHERE ${isReference(`old.${col}`)} AND id = old.${col} AND NOT ${kept}; ` +
        `UPDATE ${OVERFLOW} SET owner = ${table.oid}, claims = claims + 1 WHERE ${isReference(`new.${col}`)} AND id = new.${col}; END`,
    );
    sql.exec(`CREATE TRIGGER IF NOT EXISTS ${triggerName('d', table, c.name)} AFTER DELETE ON ${t} WHEN ${isReference(`old.${col}`)} BEGIN ${release} END`);
    sql.exec(
      `CREATE TRIGGER IF NOT EXISTS ${triggerName('l', table, c.name)} AFTER DELETE ON ${log} WHEN ${isReference(`old.${col}`)} AND old.op <> 'I' BEGIN ` +
        `UPDATE ${OVERFLOW} SET owner = NULL WHERE id = old.${col} AND NOT EXISTS (SELECT 1 FROM ${t} WHERE rowid = old.rid AND ${col} = old.${col}); END`,
    );
  }
}

/** Write `bytes` out of line, unowned until a row takes it; returns the reference. */
export function storeOverflow(sql: SqlStorage, bytes: Uint8Array): number {
  const id = sql.exec<{ id: number }>(`INSERT INTO ${OVERFLOW} (length, owner) VALUES (?, NULL) RETURNING id`, bytes.length).one().id;
  for (let seq = 0, at = 0; at < bytes.length || seq === 0; seq++, at += CHUNK_BYTES) {
    sql.exec(`INSERT INTO ${CHUNKS} (id, seq, chunk) VALUES (?, ?, ?)`, id, seq, bytes.subarray(at, at + CHUNK_BYTES));
  }
  return id;
}

/** Reassemble the value behind a reference. */
export function readOverflow(sql: SqlStorage, id: number): Uint8Array {
  const head = sql.exec<{ length: number }>(`SELECT length FROM ${OVERFLOW} WHERE id = ?`, id).toArray()[0];
  if (!head) throw new Error(`overflow value ${id} is missing`);
  const out = new Uint8Array(head.length);
  let at = 0;
  for (const [chunk] of sql.exec(`SELECT chunk FROM ${CHUNKS} WHERE id = ? ORDER BY seq`, id).raw()) {
    const bytes = new Uint8Array(chunk as ArrayBuffer);
    out.set(bytes, at);
    at += bytes.length;
  }
  if (at !== head.length) throw new Error(`overflow value ${id} has ${at} of ${head.length} bytes`);
  return out;
}

/** Delete every unowned value (garbage of the statement, COMMIT or ROLLBACK just run). */
export function sweepOverflow(sql: SqlStorage): void {
  sql.exec(`DELETE FROM ${CHUNKS} WHERE id IN (SELECT id FROM ${OVERFLOW} WHERE owner IS NULL)`);
  sql.exec(`DELETE FROM ${OVERFLOW} WHERE owner IS NULL`);
}

/** DROP TABLE: its values go with it (SQLite's DROP fires no DELETE triggers). */
export function dropOverflow(sql: SqlStorage, table: TableDef): void {
  sql.exec(`UPDATE ${OVERFLOW} SET owner = NULL WHERE owner = ?`, table.oid);
  sweepOverflow(sql);
}

/** SQL: bytes a table's out-of-line values take. */
export function overflowBytesSql(table: TableDef): string {
  return `(SELECT coalesce(sum(length), 0) FROM ${OVERFLOW} WHERE owner = ${table.oid})`;
}

/** SQL: length() of a bytea column's value, inline or out of line. */
export function byteaLengthSql(x: string): string {
  return `(CASE WHEN ${isReference(x)} THEN (SELECT length FROM ${OVERFLOW} WHERE id = ${x}) ELSE length(${x}) END)`;
}

/** CREATE INDEX / a key over columns that hold out-of-line values would index references: refused. */
export function assertIndexable(sql: SqlStorage, table: TableDef, columns: string[]): void {
  for (const name of columns) {
    if (table.columns.find((c) => c.name === name)?.typeOid !== OID.bytea) continue;
    const col = quoteIdent(name);
    const found = sql.exec(`SELECT 1 FROM ${sqliteName(table.schema, table.name)} WHERE ${isReference(col)} LIMIT 1`).toArray().length;
    if (found) {
      throw new Fail(programLimitExceeded(`column "${name}" holds bytea values over ${ROW_BUDGET} bytes, stored out of line; an index or key cannot include it`));
    }
  }
}

/** Values smaller than this always stay inline: out of line they would cost more than they save. */
const MIN_OUT_OF_LINE = 64 * 1024;

/** Bytes a bound value takes in a row (strings estimated high: 3 bytes per UTF-16 unit). */
function boundBytes(v: unknown): number {
  if (typeof v === 'string') return v.length * 3;
  if (v instanceof Uint8Array) return v.length;
  return 8;
}

/** A parameter bound as a reference: its index and the reference. */
export interface Placed {
  index: number;
  id: number;
}

/**
 * Move bytea values of the `eligible` bindings out of line, largest first, until the inline
 * values of one execution fit ROW_BUDGET. Each moved value binds as its reference.
 */
export function placeOutOfLine(sql: SqlStorage, binds: unknown[], eligible: number[]): Placed[] {
  let total = binds.reduce<number>((n, v) => n + boundBytes(v), 0);
  if (total <= ROW_BUDGET) return [];
  const candidates = eligible
    .filter((i) => binds[i] instanceof Uint8Array && (binds[i] as Uint8Array).length >= MIN_OUT_OF_LINE)
    .sort((a, b) => (binds[b] as Uint8Array).length - (binds[a] as Uint8Array).length);
  const placed: Placed[] = [];
  for (const index of candidates) {
    if (total <= ROW_BUDGET) break;
    const bytes = binds[index] as Uint8Array;
    const id = storeOverflow(sql, bytes);
    binds[index] = id;
    total -= bytes.length - 8;
    placed.push({ index, id });
  }
  return placed;
}

/** After an execution: a reference that went into more than one row fails the statement (54000). */
export function assertSingleClaims(sql: SqlStorage, placed: Placed[]): void {
  if (!placed.length) return;
  const shared = sql.exec<{ id: number }>(`SELECT id FROM ${OVERFLOW} WHERE claims > 1 AND id IN (${placed.map((p) => p.id).join(', ')}) LIMIT 1`).toArray()[0];
  if (!shared) return;
  const index = placed.find((p) => p.id === shared.id)!.index;
  throw new Fail(programLimitExceeded(`parameter $${index + 1} (bytea) is over ${ROW_BUDGET} bytes and would be written into several rows; a value that large is stored for one row per statement`));
}
