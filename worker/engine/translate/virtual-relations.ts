/**
 * @module The system relations a client may read (information_schema.schemata/tables/columns,
 * pg_catalog.pg_tables, pg_type and pg_class), built from the catalog at plan time as a VALUES
 * subquery. A plan is cached under the catalog version, so DDL invalidates these rows with
 * everything else; pg_class.reltuples alone is computed when the statement runs.
 */
import { OID, arrayTypeOf, elementTypeOf } from '../../../tunnel/oids.ts';
import type { Catalog } from '../catalog.ts';
import { quoteIdent } from '../catalog.ts';
import { typeName } from '../values/index.ts';
import { literal } from './expr.ts';
import { RELTUPLES_MARK } from './relation-size.ts';

export interface VirtualRelation {
  /** A subquery whose columns carry the names below. */
  sql: string;
  columns: { name: string; type: number }[];
}

export interface SessionIdentity {
  user: string;
  database: string;
}

type Row = (string | bigint | null)[];

/** pg_catalog's namespace OID, as in PostgreSQL. */
const PG_CATALOG_NAMESPACE = 11n;

/** pg_type.typname → OID of every type the engine stores. */
const STORED_TYPES: Record<string, number> = {
  bool: OID.bool, bytea: OID.bytea, name: OID.name, int8: OID.int8, int2: OID.int2, int4: OID.int4, text: OID.text,
  oid: OID.oid, json: OID.json, float4: OID.float4, float8: OID.float8, bpchar: OID.bpchar, varchar: OID.varchar,
  date: OID.date, timestamp: OID.timestamp, timestamptz: OID.timestamptz, numeric: OID.numeric, uuid: OID.uuid, jsonb: OID.jsonb,
};

/** pg_type.typcategory (B boolean, N numeric, S string, D date/time, U user/other). */
function categoryOf(oid: number): string {
  if (oid === OID.bool) return 'B';
  if ([OID.int2, OID.int4, OID.int8, OID.oid, OID.float4, OID.float8, OID.numeric].includes(oid as never)) return 'N';
  if ([OID.text, OID.varchar, OID.bpchar, OID.name].includes(oid as never)) return 'S';
  if ([OID.date, OID.timestamp, OID.timestamptz].includes(oid as never)) return 'D';
  return 'U';
}

/** Schemas every database has, beside the user's. */
export const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema'];

function relation(columns: { name: string; type: number }[], rows: Row[]): VirtualRelation {
  if (rows.length === 0) {
    return { sql: `SELECT ${columns.map((c) => `NULL AS ${quoteIdent(c.name)}`).join(', ')} WHERE 0`, columns };
  }
  const values = rows.map((r) => `(${r.map((v, i) => literal(columns[i].type, v)).join(', ')})`).join(', ');
  return { sql: `SELECT ${columns.map((c, i) => `column${i + 1} AS ${quoteIdent(c.name)}`).join(', ')} FROM (VALUES ${values})`, columns };
}

const col = (name: string, type: number) => ({ name, type });

/** information_schema's data_type: the SQL-standard type name, ARRAY for arrays. */
function dataType(oid: number): string {
  return elementTypeOf(oid) !== undefined ? 'ARRAY' : typeName(oid);
}

/** The virtual relation `schema.name`, or undefined when there is none by that name. */
export function virtualRelation(schema: string, name: string, catalog: Catalog, who: SessionIdentity): VirtualRelation | undefined {
  const schemas = [...SYSTEM_SCHEMAS, ...catalog.schemas()];
  const tables = schemas.flatMap((s) => catalog.tablesIn(s));
  if (schema === 'information_schema') {
    switch (name) {
      case 'schemata':
        return relation(
          [col('catalog_name', OID.name), col('schema_name', OID.name), col('schema_owner', OID.name)],
          schemas.map((s) => [who.database, s, who.user]),
        );
      case 'tables':
        return relation(
          [col('table_catalog', OID.name), col('table_schema', OID.name), col('table_name', OID.name), col('table_type', OID.varchar)],
          tables.map((t) => [who.database, t.schema, t.name, 'BASE TABLE']),
        );
      case 'columns':
        return relation(
          [
            col('table_catalog', OID.name),
            col('table_schema', OID.name),
            col('table_name', OID.name),
            col('column_name', OID.name),
            col('ordinal_position', OID.int4),
            col('is_nullable', OID.varchar),
            col('data_type', OID.varchar),
          ],
          tables.flatMap((t) =>
            t.columns.map((c) => [who.database, t.schema, t.name, c.name, BigInt(c.attnum), c.notNull ? 'NO' : 'YES', dataType(c.typeOid)]),
          ),
        );
    }
  }
  if (schema === 'pg_catalog' && name === 'pg_type') {
    // The types this engine stores, with their array types: what drivers (postgres, …) read
    // at connect to learn how to decode arrays.
    const rows: Row[] = [];
    for (const [typname, oid] of Object.entries(STORED_TYPES)) {
      const array = arrayTypeOf(oid) ?? 0;
      rows.push([BigInt(oid), typname, PG_CATALOG_NAMESPACE, BigInt(array), 0n, 'b', categoryOf(oid)]);
      if (array) rows.push([BigInt(array), `_${typname}`, PG_CATALOG_NAMESPACE, 0n, BigInt(oid), 'b', 'A']);
    }
    return relation(
      [col('oid', OID.oid), col('typname', OID.name), col('typnamespace', OID.oid), col('typarray', OID.oid), col('typelem', OID.oid), col('typtype', OID.text), col('typcategory', OID.text)],
      rows,
    );
  }
  if (schema === 'pg_catalog' && name === 'pg_class') return pgClass(catalog);
  if (schema === 'pg_catalog' && name === 'pg_tables') {
    return relation(
      [col('schemaname', OID.name), col('tablename', OID.name), col('tableowner', OID.name)],
      tables.map((t) => [t.schema, t.name, who.user]),
    );
  }
  return undefined;
}

/** pg_namespace OIDs: PostgreSQL's for pg_catalog and public; other schemas a stable hash. */
export function namespaceOid(schema: string): bigint {
  if (schema === 'pg_catalog') return PG_CATALOG_NAMESPACE;
  if (schema === 'public') return 2200n;
  if (schema === 'information_schema') return 13_000n;
  // FNV-1a into [2^30, 2^31): far above the OIDs tables take (16384 upwards).
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(schema)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return BigInt(2 ** 30 + (h % 2 ** 30));
}

/**
 * pg_class, tables only (relkind 'r'; indexes and sequences have no OID in this catalog), read
 * from the catalog's own table so the statement does not grow with the number of tables.
 * reltuples counts the rows of the tables the statement names by regclass, and is -1 for the
 * others (relation-size.ts).
 */
function pgClass(catalog: Catalog): VirtualRelation {
  const columns = [col('oid', OID.oid), col('relname', OID.name), col('relnamespace', OID.oid), col('reltuples', OID.float4), col('relkind', OID.char)];
  const namespaces = catalog.schemas().map((s) => `WHEN ${literal(OID.text, s)} THEN ${namespaceOid(s)}`);
  const namespace = namespaces.length ? `(CASE pg_class_t.schema ${namespaces.join(' ')} END)` : 'NULL';
  return {
    sql: `SELECT pg_class_t.oid AS "oid", pg_class_t.name AS "relname", ${namespace} AS "relnamespace", CAST(${RELTUPLES_MARK} AS REAL) AS "reltuples", 'r' AS "relkind" FROM pg_meta_tables AS pg_class_t`,
    columns,
  };
}
