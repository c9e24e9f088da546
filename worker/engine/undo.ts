/**
 * @module The undo log that gives explicit transactions PostgreSQL semantics on one SQLite
 * database that cannot BEGIN across awaits.
 *
 * An open transaction writes straight into the real tables (so its own reads, row counts,
 * constraints, ON CONFLICT and RETURNING are SQLite's, exact), each statement in its own
 * `transactionSync`. Triggers on every user table record, per row, the first change the
 * transaction makes: `I` for a row it inserted, `U`/`D` with the committed image for a row it
 * updated or deleted. Then:
 * - COMMIT clears the log (one `transactionSync`: that is the commit point);
 * - ROLLBACK (or a dropped session) deletes the inserted/changed rows and restores the images;
 * - other sessions read the table through `readerView`: the physical rows minus the logged
 *   ones plus the images — the committed state, so nobody sees uncommitted rows;
 * - at Durable Object start, any log left by a transaction that never finished is rolled back.
 * Only one transaction at a time can have a table's log non-empty: writers hold the table's
 * exclusive lock to transaction end (locks.ts), so the log needs no transaction column.
 * Triggers log only while `pg_meta_tx.logging` is 1, which the session sets for the duration
 * of each statement of an explicit transaction; autocommit statements log nothing.
 */
import { quoteIdent, sqliteName, type Catalog, type TableDef } from './catalog.ts';
import { installOverflowTriggers } from './overflow.ts';

const FLAG = `CREATE TABLE IF NOT EXISTS pg_meta_tx (logging INTEGER NOT NULL)`;

/** SQLite name of a table's undo log. PostgreSQL reserves the `pg_` schema prefix, so no user table can take it. */
export function undoName(table: TableDef): string {
  return quoteIdent(`pg_undo.${table.schema}.${table.name}`);
}

function trigger(kind: 'i' | 'u' | 'd', table: TableDef): string {
  return quoteIdent(`pg_undo_${kind}.${table.schema}.${table.name}`);
}

const when = `WHEN (SELECT logging FROM pg_meta_tx)`;

/** Create the undo log and its triggers for a table (idempotent). */
export function installUndo(sql: SqlStorage, table: TableDef): void {
  const t = sqliteName(table.schema, table.name);
  const log = undoName(table);
  const cols = table.columns.map((c) => quoteIdent(c.name));
  const image = (op: string) =>
    `INSERT INTO ${log} (rid, op${cols.map((c) => `, ${c}`).join('')}) SELECT old.rowid, '${op}'${cols.map((c) => `, old.${c}`).join('')} WHERE NOT EXISTS (SELECT 1 FROM ${log} WHERE rid = old.rowid);`;
  // Untyped columns: values keep the storage class they had in the table.
  sql.exec(`CREATE TABLE IF NOT EXISTS ${log} (rid INTEGER PRIMARY KEY, op TEXT NOT NULL${cols.map((c) => `, ${c}`).join('')})`);
  sql.exec(
    `CREATE TRIGGER IF NOT EXISTS ${trigger('i', table)} AFTER INSERT ON ${t} ${when} BEGIN ` +
      `INSERT INTO ${log} (rid, op) SELECT new.rowid, 'I' WHERE NOT EXISTS (SELECT 1 FROM ${log} WHERE rid = new.rowid); END`,
  );
  sql.exec(`CREATE TRIGGER IF NOT EXISTS ${trigger('u', table)} BEFORE UPDATE ON ${t} ${when} BEGIN ${image('U')} END`);
  sql.exec(`CREATE TRIGGER IF NOT EXISTS ${trigger('d', table)} BEFORE DELETE ON ${t} ${when} BEGIN ${image('D')} END`);
  // Out-of-line bytea values follow the rows and images that hold them.
  installOverflowTriggers(sql, table);
}

/** Drop a table's undo log (its triggers go with the table). */
export function dropUndo(sql: SqlStorage, table: TableDef): void {
  sql.exec(`DROP TABLE IF EXISTS ${undoName(table)}`);
}

/** Turn trigger logging on or off for the rest of the current storage transaction. */
export function setLogging(sql: SqlStorage, on: boolean): void {
  sql.exec(`UPDATE pg_meta_tx SET logging = ?`, on ? 1 : 0);
}

/** COMMIT: the transaction's changes become the committed state (the caller then sweeps out-of-line values no row holds). */
export function commitUndo(sql: SqlStorage, table: TableDef): void {
  sql.exec(`DELETE FROM ${undoName(table)}`);
}

/** ROLLBACK: remove what the transaction wrote and put the committed images back (the caller then sweeps, as for COMMIT). */
export function rollbackUndo(sql: SqlStorage, table: TableDef): void {
  const t = sqliteName(table.schema, table.name);
  const log = undoName(table);
  const cols = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  sql.exec(`DELETE FROM ${t} WHERE rowid IN (SELECT rid FROM ${log})`);
  sql.exec(`INSERT INTO ${t} (rowid, ${cols}) SELECT rid, ${cols} FROM ${log} WHERE op <> 'I'`);
  sql.exec(`DELETE FROM ${log}`);
}

/**
 * At start: create what is missing (tables made before the undo log existed) and roll back
 * every transaction the previous instance left open. Returns how many tables it rolled back.
 */
export function recoverUndo(sql: SqlStorage, catalog: Catalog): number {
  sql.exec(FLAG);
  if (!sql.exec(`SELECT 1 FROM pg_meta_tx`).toArray().length) sql.exec(`INSERT INTO pg_meta_tx VALUES (0)`);
  setLogging(sql, false);
  let rolledBack = 0;
  for (const table of catalog.allTables()) {
    installUndo(sql, table);
    if (sql.exec(`SELECT 1 FROM ${undoName(table)} LIMIT 1`).toArray().length) {
      rollbackUndo(sql, table);
      rolledBack++;
    }
  }
  return rolledBack;
}

/**
 * The committed state of a table another transaction has written: a CTE body that stands in
 * for the table (its SQLite name is shadowed by a CTE of the same name; `main.` reaches the
 * real one). Without images (the writer only inserted) it stays a filter SQLite can flatten
 * into the outer query, keeping index order.
 */
export function readerView(table: TableDef, images: boolean): string {
  const t = `main.${sqliteName(table.schema, table.name)}`;
  const log = `main.${undoName(table)}`;
  const cols = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  const visible = `SELECT ${cols} FROM ${t} WHERE rowid NOT IN (SELECT rid FROM ${log})`;
  return images ? `${visible} UNION ALL SELECT ${cols} FROM ${log} WHERE op <> 'I'` : visible;
}

/** Prefix `stmt` (SQLite SQL) with CTEs that shadow tables: `views` maps SQLite table name → body. */
export function withViews(stmt: string, views: Map<string, string>): string {
  if (!views.size) return stmt;
  const ctes = [...views].map(([name, body]) => `${name} AS NOT MATERIALIZED (${body})`).join(', ');
  const m = /^WITH( RECURSIVE)? /i.exec(stmt);
  if (m) return `${m[0]}${ctes}, ${stmt.slice(m[0].length)}`;
  return `WITH ${ctes} ${stmt}`;
}
