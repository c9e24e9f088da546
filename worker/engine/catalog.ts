/**
 * @module The catalog: schemas, tables (with stable OIDs), columns with PostgreSQL types,
 * named constraints and indexes. Stored in SQLite tables of our own (`pg_meta_*`), mirrored in
 * memory, and versioned so cached translations die with the DDL that invalidates them.
 */

/** The slice of `ctx.storage.sql` the catalog needs. */
export type Sql = SqlStorage;

export interface ColumnDef {
  name: string;
  attnum: number;
  typeOid: number;
  /** varchar(n): n; -1 when none. */
  typmod: number;
  notNull: boolean;
  /** SQLite expression for DEFAULT, already translated; null when none. */
  defaultSql: string | null;
  /** serial or identity: the sequence (in the table's schema) that supplies the default. */
  sequence?: SequenceDef;
}

export interface SequenceDef {
  schema: string;
  name: string;
  /** 's': serial (a plain default); 'a' / 'd': GENERATED ALWAYS / BY DEFAULT AS IDENTITY. */
  kind: 's' | 'a' | 'd';
}

export interface ConstraintDef {
  name: string;
  kind: 'p' | 'u';
  columns: string[];
}

export interface IndexDef {
  schema: string;
  name: string;
  tableOid: number;
  unique: boolean;
  /** Key columns in index order. */
  columns: string[];
  /** Constraint it implements, if any (PRIMARY KEY / UNIQUE). */
  constraint: string | null;
}

export interface TableDef {
  oid: number;
  schema: string;
  name: string;
  columns: ColumnDef[];
  constraints: ConstraintDef[];
}

/** The SQLite name of a user table or index: schema and name, quoted as one identifier. */
export function sqliteName(schema: string, name: string): string {
  return quoteIdent(`${schema}.${name}`);
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** First OID handed to user tables, as PostgreSQL's FirstNormalObjectId. */
const FIRST_OID = 16384;

const BOOTSTRAP = [
  `CREATE TABLE IF NOT EXISTS pg_meta_schemas (name TEXT PRIMARY KEY)`,
  `CREATE TABLE IF NOT EXISTS pg_meta_tables (oid INTEGER PRIMARY KEY, schema TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (schema, name))`,
  `CREATE TABLE IF NOT EXISTS pg_meta_columns (table_oid INTEGER NOT NULL, attnum INTEGER NOT NULL, name TEXT NOT NULL,
     type_oid INTEGER NOT NULL, not_null INTEGER NOT NULL, default_sql TEXT, typmod INTEGER NOT NULL DEFAULT -1, PRIMARY KEY (table_oid, attnum))`,
  `CREATE TABLE IF NOT EXISTS pg_meta_constraints (schema TEXT NOT NULL, name TEXT NOT NULL, table_oid INTEGER NOT NULL,
     kind TEXT NOT NULL, columns TEXT NOT NULL, PRIMARY KEY (schema, name))`,
  `CREATE TABLE IF NOT EXISTS pg_meta_indexes (schema TEXT NOT NULL, name TEXT NOT NULL, table_oid INTEGER NOT NULL,
     is_unique INTEGER NOT NULL, constraint_name TEXT, columns TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (schema, name))`,
  `CREATE TABLE IF NOT EXISTS pg_meta_sequences (schema TEXT NOT NULL, name TEXT NOT NULL, table_oid INTEGER NOT NULL,
     column_name TEXT NOT NULL, kind TEXT NOT NULL, last_value INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (schema, name))`,
  `INSERT OR IGNORE INTO pg_meta_schemas VALUES ('public')`,
];

export class Catalog {
  readonly #sql: Sql;
  #tables = new Map<string, TableDef>();
  #byOid = new Map<number, TableDef>();
  #schemas = new Set<string>();
  #indexes = new Map<string, IndexDef>();
  #sequences = new Set<string>();
  /** Highest value handed out per sequence by this object (see nextValues). */
  readonly #handedOut = new Map<string, bigint>();
  /** Bumped by every DDL; translations cached under an older version are stale. */
  version = 0;

  constructor(sql: Sql) {
    this.#sql = sql;
    for (const stmt of BOOTSTRAP) sql.exec(stmt);
    // Catalogs made before index columns were recorded (local dev state) gain the column.
    if (!sql.exec('SELECT * FROM pg_meta_columns LIMIT 0').columnNames.includes('typmod')) {
      sql.exec('ALTER TABLE pg_meta_columns ADD COLUMN typmod INTEGER NOT NULL DEFAULT -1');
    }
    if (!sql.exec('SELECT * FROM pg_meta_indexes LIMIT 0').columnNames.includes('columns')) {
      sql.exec(`ALTER TABLE pg_meta_indexes ADD COLUMN columns TEXT NOT NULL DEFAULT '[]'`);
    }
    this.reload();
  }

  /** Re-read everything (at start, and after a rolled-back DDL). */
  reload(): void {
    this.version++;
    this.#schemas = new Set(this.#sql.exec<{ name: string }>('SELECT name FROM pg_meta_schemas').toArray().map((r) => r.name));
    const tables = new Map<number, TableDef>();
    for (const r of this.#sql.exec<{ oid: number; schema: string; name: string }>('SELECT oid, schema, name FROM pg_meta_tables')) {
      tables.set(r.oid, { oid: r.oid, schema: r.schema, name: r.name, columns: [], constraints: [] });
    }
    for (const r of this.#sql.exec<{ table_oid: number; attnum: number; name: string; type_oid: number; typmod: number; not_null: number; default_sql: string | null }>(
      'SELECT * FROM pg_meta_columns ORDER BY table_oid, attnum',
    )) {
      tables.get(r.table_oid)?.columns.push({ name: r.name, attnum: r.attnum, typeOid: r.type_oid, typmod: r.typmod, notNull: !!r.not_null, defaultSql: r.default_sql });
    }
    for (const r of this.#sql.exec<{ name: string; table_oid: number; kind: string; columns: string }>('SELECT * FROM pg_meta_constraints')) {
      tables.get(r.table_oid)?.constraints.push({ name: r.name, kind: r.kind as 'p' | 'u', columns: JSON.parse(r.columns) });
    }
    this.#sequences = new Set();
    for (const r of this.#sql.exec<{ schema: string; name: string; table_oid: number; column_name: string; kind: string }>('SELECT schema, name, table_oid, column_name, kind FROM pg_meta_sequences')) {
      this.#sequences.add(`${r.schema}.${r.name}`);
      const col = tables.get(r.table_oid)?.columns.find((c) => c.name === r.column_name);
      if (col) col.sequence = { schema: r.schema, name: r.name, kind: r.kind as SequenceDef['kind'] };
    }
    this.#tables = new Map([...tables.values()].map((t) => [`${t.schema}.${t.name}`, t]));
    this.#byOid = tables;
    this.#indexes = new Map();
    for (const r of this.#sql.exec<{ schema: string; name: string; table_oid: number; is_unique: number; constraint_name: string | null; columns: string }>(
      'SELECT * FROM pg_meta_indexes',
    )) {
      const columns = JSON.parse(r.columns) as string[];
      this.#indexes.set(`${r.schema}.${r.name}`, { schema: r.schema, name: r.name, tableOid: r.table_oid, unique: !!r.is_unique, columns, constraint: r.constraint_name });
    }
  }

  /** User schemas (public included), in name order. */
  schemas(): string[] {
    return [...this.#schemas].sort();
  }

  hasSchema(name: string): boolean {
    return this.#schemas.has(name);
  }

  table(schema: string, name: string): TableDef | undefined {
    return this.#tables.get(`${schema}.${name}`);
  }

  tableByOid(oid: number): TableDef | undefined {
    return this.#byOid.get(oid);
  }

  index(schema: string, name: string): IndexDef | undefined {
    return this.#indexes.get(`${schema}.${name}`);
  }

  /** Any relation (table or index) of that name in the schema: names share one namespace. */
  relationExists(schema: string, name: string): boolean {
    const key = `${schema}.${name}`;
    return this.#tables.has(key) || this.#indexes.has(key) || this.#sequences.has(key);
  }

  allTables(): TableDef[] {
    return [...this.#tables.values()];
  }

  tablesIn(schema: string): TableDef[] {
    return [...this.#tables.values()].filter((t) => t.schema === schema);
  }

  indexesOf(tableOid: number): IndexDef[] {
    return [...this.#indexes.values()].filter((i) => i.tableOid === tableOid);
  }

  // --- writes: each runs inside the caller's transactionSync ---
  // Each updates the memory copy in place of a full reload (a reload per DDL made creating
  // n tables cost O(n²)); a table that changes is replaced by a new TableDef, never mutated,
  // and a rolled-back DDL restores the memory copy with reload().

  addSchema(name: string): void {
    this.#sql.exec('INSERT INTO pg_meta_schemas VALUES (?)', name);
    this.#schemas.add(name);
    this.version++;
  }

  dropSchema(name: string): void {
    this.#sql.exec('DELETE FROM pg_meta_schemas WHERE name = ?', name);
    this.#schemas.delete(name);
    this.version++;
  }

  addTable(schema: string, name: string, columns: Omit<ColumnDef, 'attnum'>[]): TableDef {
    const next = this.#sql.exec<{ oid: number }>('SELECT coalesce(max(oid) + 1, ?) AS oid FROM pg_meta_tables', FIRST_OID).one().oid;
    this.#sql.exec('INSERT INTO pg_meta_tables VALUES (?, ?, ?)', next, schema, name);
    columns.forEach((c, i) =>
      this.#sql.exec(
        'INSERT INTO pg_meta_columns (table_oid, attnum, name, type_oid, not_null, default_sql, typmod) VALUES (?, ?, ?, ?, ?, ?, ?)',
        next,
        i + 1,
        c.name,
        c.typeOid,
        c.notNull ? 1 : 0,
        c.defaultSql,
        c.typmod,
      ),
    );
    const table: TableDef = {
      oid: next,
      schema,
      name,
      columns: columns.map((c, i) => ({ name: c.name, attnum: i + 1, typeOid: c.typeOid, typmod: c.typmod, notNull: c.notNull, defaultSql: c.defaultSql })),
      constraints: [],
    };
    this.#putTable(table);
    return table;
  }

  dropTable(t: TableDef): void {
    this.#sql.exec('DELETE FROM pg_meta_columns WHERE table_oid = ?', t.oid);
    this.#sql.exec('DELETE FROM pg_meta_constraints WHERE table_oid = ?', t.oid);
    this.#sql.exec('DELETE FROM pg_meta_indexes WHERE table_oid = ?', t.oid);
    this.#sql.exec('DELETE FROM pg_meta_sequences WHERE table_oid = ?', t.oid);
    this.#sql.exec('DELETE FROM pg_meta_tables WHERE oid = ?', t.oid);
    this.#tables.delete(`${t.schema}.${t.name}`);
    this.#byOid.delete(t.oid);
    for (const [key, i] of this.#indexes) if (i.tableOid === t.oid) this.#indexes.delete(key);
    for (const c of t.columns) if (c.sequence) this.#sequences.delete(`${c.sequence.schema}.${c.sequence.name}`);
    this.version++;
  }

  addSequence(t: TableDef, column: string, seq: SequenceDef): void {
    this.#sql.exec('INSERT INTO pg_meta_sequences (schema, name, table_oid, column_name, kind) VALUES (?, ?, ?, ?, ?)', seq.schema, seq.name, t.oid, column, seq.kind);
    // A new sequence of a dropped one's name starts over.
    this.#handedOut.delete(`${seq.schema}.${seq.name}`);
    this.#sequences.add(`${seq.schema}.${seq.name}`);
    const current = this.#byOid.get(t.oid)!;
    this.#putTable({ ...current, columns: current.columns.map((c) => (c.name === column ? { ...c, sequence: seq } : c)) });
  }

  /**
   * Hand out `count` values of a sequence; returns the first (the rest follow by one). As in
   * PostgreSQL, values taken by a statement that then rolls back are not handed out again:
   * the counter in SQLite rolls back with it, so the object also remembers the highest value
   * it gave out. (After a restart the stored counter is the last committed use; values of
   * rolled-back statements may then come again, which no committed row can tell.)
   */
  nextValues(seq: SequenceDef, count: number): bigint {
    const key = `${seq.schema}.${seq.name}`;
    const stored = BigInt(this.#sql.exec<{ v: string }>('SELECT CAST(last_value AS TEXT) AS v FROM pg_meta_sequences WHERE schema = ? AND name = ?', seq.schema, seq.name).one().v);
    const handedOut = this.#handedOut.get(key) ?? stored;
    const first = (handedOut > stored ? handedOut : stored) + 1n;
    const last = first + BigInt(count) - 1n;
    this.#sql.exec('UPDATE pg_meta_sequences SET last_value = CAST(? AS INTEGER) WHERE schema = ? AND name = ?', last.toString(), seq.schema, seq.name);
    this.#handedOut.set(key, last);
    return first;
  }

  addConstraint(t: TableDef, c: ConstraintDef): void {
    this.#sql.exec('INSERT INTO pg_meta_constraints VALUES (?, ?, ?, ?, ?)', t.schema, c.name, t.oid, c.kind, JSON.stringify(c.columns));
    if (c.kind === 'p') {
      for (const col of c.columns) this.#sql.exec('UPDATE pg_meta_columns SET not_null = 1 WHERE table_oid = ? AND name = ?', t.oid, col);
    }
    const current = this.#byOid.get(t.oid)!;
    this.#putTable({
      ...current,
      columns: c.kind === 'p' ? current.columns.map((col) => (c.columns.includes(col.name) ? { ...col, notNull: true } : col)) : current.columns,
      constraints: [...current.constraints, { name: c.name, kind: c.kind, columns: [...c.columns] }],
    });
  }

  addIndex(i: IndexDef): void {
    this.#sql.exec(
      'INSERT INTO pg_meta_indexes (schema, name, table_oid, is_unique, constraint_name, columns) VALUES (?, ?, ?, ?, ?, ?)',
      i.schema,
      i.name,
      i.tableOid,
      i.unique ? 1 : 0,
      i.constraint,
      JSON.stringify(i.columns),
    );
    this.#indexes.set(`${i.schema}.${i.name}`, { ...i, columns: [...i.columns] });
    this.version++;
  }

  dropIndex(i: IndexDef): void {
    this.#sql.exec('DELETE FROM pg_meta_indexes WHERE schema = ? AND name = ?', i.schema, i.name);
    this.#indexes.delete(`${i.schema}.${i.name}`);
    if (i.constraint) {
      this.#sql.exec('DELETE FROM pg_meta_constraints WHERE schema = ? AND name = ?', i.schema, i.constraint);
      const current = this.#byOid.get(i.tableOid);
      if (current) this.#putTable({ ...current, constraints: current.constraints.filter((c) => c.name !== i.constraint) });
    }
    this.version++;
  }

  /** Store a new or changed table under its name and OID. */
  #putTable(t: TableDef): void {
    this.#tables.set(`${t.schema}.${t.name}`, t);
    this.#byOid.set(t.oid, t);
    this.version++;
  }
}
