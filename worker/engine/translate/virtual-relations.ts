/**
 * @module The system relations a client may read (information_schema.schemata/tables/columns,
 * pg_catalog.pg_tables), built from the catalog at plan time as a VALUES subquery. A plan is
 * cached under the catalog version, so DDL invalidates these rows with everything else.
 */
import { OID, elementTypeOf } from '../../../tunnel/oids.ts';
import type { Catalog } from '../catalog.ts';
import { quoteIdent } from '../catalog.ts';
import { typeName } from '../values/index.ts';
import { literal } from './expr.ts';

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
  if (schema === 'pg_catalog' && name === 'pg_tables') {
    return relation(
      [col('schemaname', OID.name), col('tablename', OID.name), col('tableowner', OID.name)],
      tables.map((t) => [t.schema, t.name, who.user]),
    );
  }
  return undefined;
}
