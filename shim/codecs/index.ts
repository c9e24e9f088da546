/** @module The codec for each type OID; unknown types pass their text through as strings. */
import { OID, elementTypeOf } from '../../tunnel/oids.ts';
import { arrayCodec } from './array.ts';
import { boolCodec } from './bool.ts';
import { byteaCodec } from './bytea.ts';
import type { Codec } from './codec.ts';
import { dateCodec } from './date.ts';
import { float4Codec, float8Codec } from './float.ts';
import { int2Codec, int4Codec, int8Codec, oidCodec } from './int.ts';
import { jsonbCodec, jsonCodec } from './json.ts';
import { numericCodec } from './numeric.ts';
import { passThroughCodec, textLikeCodec } from './text.ts';
import { timestampWithoutTzCodec, timestamptzCodec } from './timestamp.ts';
import { uuidCodec } from './uuid.ts';

export type { Codec } from './codec.ts';

const scalars = new Map<number, Codec>([
  [OID.bool, boolCodec],
  [OID.int2, int2Codec],
  [OID.int4, int4Codec],
  [OID.int8, int8Codec],
  [OID.oid, oidCodec],
  [OID.float4, float4Codec],
  [OID.float8, float8Codec],
  [OID.numeric, numericCodec],
  [OID.bytea, byteaCodec],
  [OID.json, jsonCodec],
  [OID.jsonb, jsonbCodec],
  [OID.uuid, uuidCodec],
  [OID.date, dateCodec],
  [OID.timestamp, timestampWithoutTzCodec],
  [OID.timestamptz, timestamptzCodec],
  ...[OID.text, OID.varchar, OID.bpchar, OID.name, OID.char, OID.regclass].map((o): [number, Codec] => [o, textLikeCodec(o)]),
]);

const cache = new Map<number, Codec>();

export function codecFor(oid: number): Codec {
  let c = cache.get(oid);
  if (c) return c;
  const element = elementTypeOf(oid);
  const elementCodec = element === undefined ? undefined : scalars.get(element);
  c = scalars.get(oid) ?? (element !== undefined && elementCodec ? arrayCodec(oid, element, elementCodec) : passThroughCodec(oid));
  cache.set(oid, c);
  return c;
}
