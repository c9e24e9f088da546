/** @module SQL type names as the test tables spell them, to OIDs. */
import { OID, arrayTypeOf } from '../../../tunnel/oids.ts';

const SCALARS: Record<string, number> = {
  int2: OID.int2, int4: OID.int4, int8: OID.int8, oid: OID.oid, bool: OID.bool, float4: OID.float4, float8: OID.float8,
  numeric: OID.numeric, bytea: OID.bytea, text: OID.text, varchar: OID.varchar, bpchar: OID.bpchar, name: OID.name,
  uuid: OID.uuid, json: OID.json, jsonb: OID.jsonb, date: OID.date, timestamp: OID.timestamp, timestamptz: OID.timestamptz,
};

export function oidOf(name: string): number {
  if (name.endsWith('[]')) return arrayTypeOf(oidOf(name.slice(0, -2)))!;
  const oid = SCALARS[name];
  if (oid === undefined) throw new Error(`no OID for ${name}`);
  return oid;
}
