/** @module The names PostgreSQL uses for each type in its error messages (format_type style). */
import { OID, elementTypeOf } from '../../../tunnel/oids.ts';

const names: ReadonlyMap<number, string> = new Map<number, string>([
  [OID.bool, 'boolean'],
  [OID.bytea, 'bytea'],
  [OID.char, '"char"'],
  [OID.name, 'name'],
  [OID.int8, 'bigint'],
  [OID.int2, 'smallint'],
  [OID.int4, 'integer'],
  [OID.text, 'text'],
  [OID.oid, 'oid'],
  [OID.json, 'json'],
  [OID.float4, 'real'],
  [OID.float8, 'double precision'],
  [OID.unknown, 'unknown'],
  [OID.unknownLiteral, 'unknown'],
  [OID.bpchar, 'character'],
  [OID.varchar, 'character varying'],
  [OID.date, 'date'],
  [OID.time, 'time without time zone'],
  [OID.timestamp, 'timestamp without time zone'],
  [OID.timestamptz, 'timestamp with time zone'],
  [OID.interval, 'interval'],
  [OID.numeric, 'numeric'],
  [OID.regclass, 'regclass'],
  [OID.uuid, 'uuid'],
  [OID.jsonb, 'jsonb'],
]);

/** `integer`, `bigint`, `text[]`…: the type's name as PostgreSQL prints it in messages. */
export function typeName(oid: number): string {
  const element = elementTypeOf(oid);
  if (element !== undefined) return `${typeName(element)}[]`;
  return names.get(oid) ?? `type ${oid}`;
}
