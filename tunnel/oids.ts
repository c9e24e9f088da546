/** @module PostgreSQL type OIDs (pg_type.oid, as PostgreSQL 15 reports them). */
export const OID = {
  unknown: 0,
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  regproc: 24,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  unknownLiteral: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  regclass: 2205,
  uuid: 2950,
  jsonb: 3802,
  void: 2278,
  // arrays
  boolArray: 1000,
  byteaArray: 1001,
  nameArray: 1003,
  int2Array: 1005,
  int4Array: 1007,
  textArray: 1009,
  bpcharArray: 1014,
  varcharArray: 1015,
  int8Array: 1016,
  float4Array: 1021,
  float8Array: 1022,
  oidArray: 1028,
  timestampArray: 1115,
  dateArray: 1182,
  timestamptzArray: 1185,
  numericArray: 1231,
  uuidArray: 2951,
  jsonArray: 199,
  jsonbArray: 3807,
} as const;

const arrayOf: ReadonlyMap<number, number> = new Map([
  [OID.bool, OID.boolArray],
  [OID.bytea, OID.byteaArray],
  [OID.name, OID.nameArray],
  [OID.int2, OID.int2Array],
  [OID.int4, OID.int4Array],
  [OID.text, OID.textArray],
  [OID.bpchar, OID.bpcharArray],
  [OID.varchar, OID.varcharArray],
  [OID.int8, OID.int8Array],
  [OID.float4, OID.float4Array],
  [OID.float8, OID.float8Array],
  [OID.oid, OID.oidArray],
  [OID.timestamp, OID.timestampArray],
  [OID.date, OID.dateArray],
  [OID.timestamptz, OID.timestamptzArray],
  [OID.numeric, OID.numericArray],
  [OID.uuid, OID.uuidArray],
  [OID.json, OID.jsonArray],
  [OID.jsonb, OID.jsonbArray],
]);
const elementOf: ReadonlyMap<number, number> = new Map([...arrayOf].map(([e, a]) => [a, e]));

/** The array type whose elements are `oid`, or undefined. */
export function arrayTypeOf(oid: number): number | undefined {
  return arrayOf.get(oid);
}

/** The element type of array type `oid`, or undefined when `oid` is not an array type. */
export function elementTypeOf(oid: number): number | undefined {
  return elementOf.get(oid);
}
