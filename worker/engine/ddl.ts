/**
 * @module DDL: CREATE/DROP SCHEMA, TABLE, INDEX and ALTER TABLE … ADD PRIMARY KEY/UNIQUE.
 * Each changes the catalog and the SQLite schema together, inside the caller's transaction.
 * PRIMARY KEY and UNIQUE are unique indexes named after the constraint, so a key added later
 * with ALTER TABLE works exactly like one declared inline.
 */
import type { PgError } from '../../tunnel/types.ts';
import { OID } from '../../tunnel/oids.ts';
import { quoteIdent, sqliteName, type Catalog, type TableDef } from './catalog.ts';
import { dropUndo, installUndo } from './undo.ts';
import { assertIndexable, dropOverflow } from './overflow.ts';
import {
  dependentObjectsStillExist,
  duplicateColumn,
  duplicateSchema,
  duplicateTable,
  invalidTableDefinition,
  undefinedColumn,
  undefinedSchema,
  undefinedTable,
} from './errors.ts';
import { fail, unsupported, type TranslateContext } from './translate/context.ts';
import { translateExpr } from './translate/expr.ts';
import { translateSelect } from './translate/select.ts';
import { serialTypes, typeModOf, typeOidOf } from './translate/types.ts';
import { formatText, fromStorage, needsIntegerCast, sqliteTypeAffinity } from './values/index.ts';

export interface DdlOutcome {
  tag: string;
  notices: PgError[];
}

const notice = (message: string): PgError => ({ severity: 'NOTICE', sqlstate: '42P07', message });

export function runDdl(kind: string, stmt: any, ctx: TranslateContext, sql: SqlStorage): DdlOutcome {
  const catalog = ctx.catalog;
  switch (kind) {
    case 'CreateSchemaStmt': {
      if (stmt.schemaElts?.length) unsupported('CREATE SCHEMA with elements');
      const name: string = stmt.schemaname;
      if (catalog.hasSchema(name) || name === 'pg_catalog' || name === 'information_schema') {
        if (stmt.if_not_exists) return { tag: 'CREATE SCHEMA', notices: [{ severity: 'NOTICE', sqlstate: '42P06', message: `schema "${name}" already exists, skipping` }] };
        fail(duplicateSchema(name));
      }
      catalog.addSchema(name);
      return { tag: 'CREATE SCHEMA', notices: [] };
    }
    case 'CreateStmt':
      return createTable(stmt, ctx, sql);
    case 'IndexStmt':
      return createIndex(stmt, ctx, sql);
    case 'AlterTableStmt':
      return alterTable(stmt, ctx, sql);
    case 'DropStmt':
      return drop(stmt, ctx, sql, catalog);
    default:
      unsupported(kind);
  }
}

function schemaFor(relation: any, ctx: TranslateContext): string {
  if (relation.schemaname) {
    if (!ctx.catalog.hasSchema(relation.schemaname)) fail(undefinedSchema(relation.schemaname));
    return relation.schemaname;
  }
  const s = ctx.creationSchema();
  if (!s) fail({ sqlstate: '3F000', message: 'no schema has been selected to create in' });
  return s;
}

function createTable(stmt: any, ctx: TranslateContext, sql: SqlStorage): DdlOutcome {
  const rel = stmt.relation;
  if (rel.relpersistence === 't') unsupported('temporary tables');
  if (stmt.inhRelations || stmt.partspec || stmt.ofTypename) unsupported('inheritance, partitioning and typed tables');
  const schema = schemaFor(rel, ctx);
  const name: string = rel.relname;
  if (ctx.catalog.relationExists(schema, name)) {
    if (stmt.if_not_exists) return { tag: 'CREATE TABLE', notices: [notice(`relation "${name}" already exists, skipping`)] };
    fail(duplicateTable(name));
  }
  const columns: { name: string; typeOid: number; typmod: number; notNull: boolean; defaultSql: string | null; identity?: 's' | 'a' | 'd' }[] = [];
  const keys: { kind: 'p' | 'u'; name?: string; columns: string[] }[] = [];
  for (const elt of stmt.tableElts ?? []) {
    if (elt.ColumnDef) {
      const d = elt.ColumnDef;
      if (columns.some((c) => c.name === d.colname)) fail(duplicateColumn(d.colname));
      const tn = d.typeName.names.map((n: any) => n.String.sval);
      const serial = d.typeName.arrayBounds ? undefined : serialTypes[tn[tn.length - 1]];
      const typeOid = serial ?? typeOidOf(d.typeName);
      const typmod = serial ? -1 : typeModOf(d.typeName, typeOid);
      // serial: an integer column, NOT NULL, defaulting to its own sequence (sequences.ts).
      let notNull = serial !== undefined;
      let sequence: 's' | 'a' | 'd' | undefined = serial !== undefined ? 's' : undefined;
      let defaultSql: string | null = null;
      for (const c of d.constraints ?? []) {
        const con = c.Constraint;
        switch (con.contype) {
          case 'CONSTR_NOTNULL':
            notNull = true;
            break;
          case 'CONSTR_NULL':
            break;
          case 'CONSTR_DEFAULT': {
            const v = translateExpr(con.raw_expr, { ctx, scope: [], subquery: (s, c2, o) => translateSelect(s.SelectStmt, c2, o) }, typeOid);
            if (v.sql.includes('\u0001')) fail({ sqlstate: '42P02', message: 'there is no parameter $1' });
            defaultSql = `(${v.sql})`;
            break;
          }
          case 'CONSTR_PRIMARY':
            keys.push({ kind: 'p', name: con.conname, columns: [d.colname] });
            break;
          case 'CONSTR_IDENTITY':
            if (con.options?.length) unsupported('identity sequence options');
            if (sequence) fail({ sqlstate: '42601', message: `multiple identity specifications for column "${d.colname}" of table "${name}"` });
            if (typeOid !== OID.int2 && typeOid !== OID.int4 && typeOid !== OID.int8) {
              fail({ sqlstate: '22023', message: `identity column type must be smallint, integer, or bigint` });
            }
            sequence = con.generated_when === 'a' ? 'a' : 'd';
            notNull = true;
            break;
          case 'CONSTR_UNIQUE':
            keys.push({ kind: 'u', name: con.conname, columns: [d.colname] });
            break;
          default:
            unsupported(`column constraint ${con.contype.replace('CONSTR_', '')}`);
        }
      }
      if (sequence && defaultSql) fail({ sqlstate: '42601', message: `multiple default values specified for column "${d.colname}" of table "${name}"` });
      columns.push({ name: d.colname, typeOid, typmod, notNull, defaultSql, ...(sequence && { identity: sequence }) });
    } else if (elt.Constraint) {
      const con = elt.Constraint;
      if (con.contype !== 'CONSTR_PRIMARY' && con.contype !== 'CONSTR_UNIQUE') unsupported(`table constraint ${con.contype.replace('CONSTR_', '')}`);
      keys.push({ kind: con.contype === 'CONSTR_PRIMARY' ? 'p' : 'u', name: con.conname, columns: con.keys.map((k: any) => k.String.sval) });
    } else unsupported(`CREATE TABLE element ${Object.keys(elt)[0]}`);
  }
  if (keys.filter((k) => k.kind === 'p').length > 1) fail(invalidTableDefinition(`multiple primary keys for table "${name}" are not allowed`));
  for (const k of keys) for (const c of k.columns) if (!columns.some((x) => x.name === c)) fail(undefinedColumn(c, name));
  const pk = keys.find((k) => k.kind === 'p');
  for (const c of columns) if (pk?.columns.includes(c.name)) c.notNull = true;
  const defs = columns.map(
    (c) => `${quoteIdent(c.name)} ${sqliteTypeAffinity(c.typeOid)}${c.notNull ? ' NOT NULL' : ''}${c.defaultSql ? ` DEFAULT ${c.defaultSql}` : ''}`,
  );
  sql.exec(`CREATE TABLE ${sqliteName(schema, name)} (${defs.join(', ')})`);
  const table = ctx.catalog.addTable(schema, name, columns.map(({ identity: _, ...c }) => c));
  installUndo(sql, table);
  for (const c of columns) {
    if (!c.identity) continue;
    // PostgreSQL's name: t_col_seq, made unique with a number like other implicit names.
    const base = `${name}_${c.name}_seq`;
    let seqName = base;
    for (let i = 1; ctx.catalog.relationExists(schema, seqName); i++) seqName = `${base}${i}`;
    ctx.catalog.addSequence(table, c.name, { schema, name: seqName, kind: c.identity });
  }
  for (const k of keys) addKey(table, k.kind, k.name, k.columns, ctx, sql);
  return { tag: 'CREATE TABLE', notices: [] };
}

/** PostgreSQL's constraint names: t_pkey, t_a_key, t_a_b_key (made unique with a number). */
function keyName(table: TableDef, kind: 'p' | 'u', columns: string[], catalog: Catalog): string {
  const base = kind === 'p' ? `${table.name}_pkey` : `${table.name}_${columns.join('_')}_key`;
  let name = base;
  for (let i = 1; catalog.relationExists(table.schema, name); i++) name = `${base}${i}`;
  return name;
}

function addKey(table: TableDef, kind: 'p' | 'u', given: string | undefined, columns: string[], ctx: TranslateContext, sql: SqlStorage): void {
  const catalog = ctx.catalog;
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice) fail(duplicateColumn(twice, `${kind === 'p' ? 'primary key' : 'unique'} constraint`));
  const fresh = catalog.table(table.schema, table.name)!;
  if (kind === 'p' && fresh.constraints.some((c) => c.kind === 'p')) fail(invalidTableDefinition(`multiple primary keys for table "${table.name}" are not allowed`));
  const name = given ?? keyName(fresh, kind, columns, catalog);
  if (catalog.relationExists(table.schema, name)) fail(duplicateTable(name));
  assertIndexable(sql, table, columns);
  // PostgreSQL builds the index (reporting duplicates) before it checks for NULLs.
  createUniqueIndex(table, name, columns, columns.map(quoteIdent), sql);
  if (kind === 'p') {
    // A primary key implies NOT NULL; SQLite cannot add it to existing columns, so check rows.
    for (const c of columns) {
      const nulls = sql.exec(`SELECT count(*) AS n FROM ${sqliteName(table.schema, table.name)} WHERE ${quoteIdent(c)} IS NULL`).one().n as number;
      if (nulls > 0) fail({ sqlstate: '23502', message: `column "${c}" of relation "${table.name}" contains null values`, column: c, table: table.name });
    }
  }
  catalog.addConstraint(fresh, { name, kind, columns });
  catalog.addIndex({ schema: table.schema, name, tableOid: table.oid, unique: true, columns, constraint: name });
}

/** A unique index over existing rows: a duplicate fails as PostgreSQL words it, naming the key. */
function createUniqueIndex(table: TableDef, name: string, columns: string[], keySql: string[], sql: SqlStorage): void {
  const target = sqliteName(table.schema, table.name);
  const oids = columns.map((c) => table.columns.find((x) => x.name === c)!.typeOid);
  const read = columns.map((c, i) => (needsIntegerCast(oids[i]) ? `CAST(${quoteIdent(c)} AS TEXT)` : quoteIdent(c))).join(', ');
  const notNull = columns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ');
  const dup = sql.exec(`SELECT ${read} FROM ${target} WHERE ${notNull} GROUP BY ${columns.map(quoteIdent).join(', ')} HAVING count(*) > 1 LIMIT 1`).raw().next();
  if (!dup.done) {
    const key = (dup.value as unknown[]).map((v, i) => formatText(oids[i], fromStorage(oids[i], v as never)!)).join(', ');
    fail({ sqlstate: '23505', message: `could not create unique index "${name}"`, detail: `Key (${columns.join(', ')})=(${key}) is duplicated.`, table: table.name, constraint: name });
  }
  sql.exec(`CREATE UNIQUE INDEX ${sqliteName(table.schema, name)} ON ${target} (${keySql.join(', ')})`);
}

function createIndex(stmt: any, ctx: TranslateContext, sql: SqlStorage): DdlOutcome {
  if (stmt.whereClause) unsupported('partial indexes');
  if (stmt.indexIncludingParams?.length) unsupported('INCLUDE columns');
  if (stmt.concurrent) unsupported('CREATE INDEX CONCURRENTLY');
  const rel = stmt.relation;
  const table = ctx.resolveTable(rel.schemaname, rel.relname);
  if (!table) fail(undefinedTable(rel.relname));
  const cols = stmt.indexParams.map((p: any) => {
    const e = p.IndexElem;
    if (!e.name) unsupported('expression indexes');
    if (!table.columns.some((c) => c.name === e.name)) fail(undefinedColumn(e.name));
    return `${quoteIdent(e.name)}${e.ordering === 'SORTBY_DESC' ? ' DESC' : ''}`;
  });
  const name: string = stmt.idxname ?? `${table.name}_${stmt.indexParams.map((p: any) => p.IndexElem.name).join('_')}_idx`;
  if (ctx.catalog.relationExists(table.schema, name)) {
    if (stmt.if_not_exists) return { tag: 'CREATE INDEX', notices: [notice(`relation "${name}" already exists, skipping`)] };
    fail(duplicateTable(name));
  }
  assertIndexable(sql, table, stmt.indexParams.map((p: any) => p.IndexElem.name));
  if (stmt.unique) createUniqueIndex(table, name, stmt.indexParams.map((p: any) => p.IndexElem.name), cols, sql);
  else sql.exec(`CREATE INDEX ${sqliteName(table.schema, name)} ON ${sqliteName(table.schema, table.name)} (${cols.join(', ')})`);
  ctx.catalog.addIndex({ schema: table.schema, name, tableOid: table.oid, unique: !!stmt.unique, columns: stmt.indexParams.map((p: any) => p.IndexElem.name), constraint: null });
  return { tag: 'CREATE INDEX', notices: [] };
}

function alterTable(stmt: any, ctx: TranslateContext, sql: SqlStorage): DdlOutcome {
  const rel = stmt.relation;
  const table = ctx.resolveTable(rel.schemaname, rel.relname);
  if (!table) {
    if (stmt.missing_ok) return { tag: 'ALTER TABLE', notices: [{ severity: 'NOTICE', sqlstate: '00000', message: `relation "${rel.relname}" does not exist, skipping` }] };
    fail(undefinedTable(rel.relname));
  }
  for (const c of stmt.cmds) {
    const cmd = c.AlterTableCmd;
    if (cmd.subtype !== 'AT_AddConstraint') unsupported(`ALTER TABLE ${cmd.subtype.replace('AT_', '')}`);
    const con = cmd.def.Constraint;
    if (con.contype !== 'CONSTR_PRIMARY' && con.contype !== 'CONSTR_UNIQUE') unsupported(`ALTER TABLE ADD ${con.contype.replace('CONSTR_', '')}`);
    const cols: string[] = con.keys.map((k: any) => k.String.sval);
    for (const col of cols) if (!table.columns.some((x) => x.name === col)) fail(undefinedColumn(col));
    addKey(table, con.contype === 'CONSTR_PRIMARY' ? 'p' : 'u', con.conname, cols, ctx, sql);
  }
  return { tag: 'ALTER TABLE', notices: [] };
}

function drop(stmt: any, ctx: TranslateContext, sql: SqlStorage, catalog: Catalog): DdlOutcome {
  const notices: PgError[] = [];
  const skip = (what: string, name: string) => notices.push({ severity: 'NOTICE', sqlstate: '00000', message: `${what} "${name}" does not exist, skipping` });
  const names = (o: any): string[] => (o.List ? o.List.items : [o]).map((x: any) => x.String.sval);
  switch (stmt.removeType) {
    case 'OBJECT_TABLE': {
      for (const o of stmt.objects) {
        const parts = names(o);
        const table = ctx.resolveTable(parts.length > 1 ? parts[0] : undefined, parts[parts.length - 1]);
        if (!table) {
          if (stmt.missing_ok) skip('table', parts[parts.length - 1]);
          else fail(undefinedTable(parts.join('.')));
          continue;
        }
        sql.exec(`DROP TABLE ${sqliteName(table.schema, table.name)}`);
        dropUndo(sql, table);
        dropOverflow(sql, table);
        catalog.dropTable(table);
      }
      return { tag: 'DROP TABLE', notices };
    }
    case 'OBJECT_INDEX': {
      for (const o of stmt.objects) {
        const parts = names(o);
        const schemas = parts.length > 1 ? [parts[0]] : ctx.searchPath;
        const index = schemas.map((s) => catalog.index(s, parts[parts.length - 1])).find(Boolean);
        if (!index) {
          if (stmt.missing_ok) skip('index', parts[parts.length - 1]);
          else fail({ sqlstate: '42704', message: `index "${parts.join('.')}" does not exist` });
          continue;
        }
        if (index.constraint) {
          fail({ sqlstate: '2BP01', message: `cannot drop index ${index.name} because constraint ${index.constraint} on table ${catalog.tableByOid(index.tableOid)?.name} requires it` });
        }
        sql.exec(`DROP INDEX ${sqliteName(index.schema, index.name)}`);
        catalog.dropIndex(index);
      }
      return { tag: 'DROP INDEX', notices };
    }
    case 'OBJECT_SCHEMA': {
      for (const o of stmt.objects) {
        const name: string = o.String.sval;
        if (!catalog.hasSchema(name)) {
          if (stmt.missing_ok) skip('schema', name);
          else fail(undefinedSchema(name));
          continue;
        }
        const tables = catalog.tablesIn(name);
        if (tables.length && stmt.behavior !== 'DROP_CASCADE') {
          fail(dependentObjectsStillExist(`cannot drop schema ${name} because other objects depend on it`));
        }
        for (const t of tables) {
          sql.exec(`DROP TABLE ${sqliteName(t.schema, t.name)}`);
          dropUndo(sql, t);
          dropOverflow(sql, t);
          catalog.dropTable(t);
        }
        catalog.dropSchema(name);
      }
      return { tag: 'DROP SCHEMA', notices };
    }
    default:
      unsupported(`DROP ${String(stmt.removeType).replace('OBJECT_', '')}`);
  }
}
