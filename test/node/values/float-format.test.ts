/**
 * Differential: shortest round-trip float output against PostgreSQL 15 over many values:
 * random bit patterns (all exponents, subnormals), powers of ten at the fixed/exponent
 * thresholds, and float4 values. PostgreSQL prints `unnest($1::float8[])` from text input;
 * we parse the same text and print.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OID } from '../../../tunnel/oids.ts';
import { isPgError } from '../../../worker/engine/errors.ts';
import { formatText, parseText } from '../../../worker/engine/values/index.ts';
import { startPostgres, type Reference } from './pg-server.ts';

let pg: Reference;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inputs(float4: boolean): string[] {
  const rand = prng(float4 ? 4 : 8);
  const out: string[] = [];
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 1500; i++) {
    let v: number;
    if (float4) {
      view.setUint32(0, Math.floor(rand() * 2 ** 32));
      v = view.getFloat32(0);
    } else {
      view.setUint32(0, Math.floor(rand() * 2 ** 32));
      view.setUint32(4, Math.floor(rand() * 2 ** 32));
      v = view.getFloat64(0);
    }
    if (Number.isFinite(v)) out.push(String(v));
  }
  for (let e = -8; e <= 22; e++) out.push(`1e${e}`, `1.25e${e}`, `9.999e${e}`, `-7e${e}`);
  for (let i = 0; i < 200; i++) out.push(String((rand() * 10 ** Math.floor(rand() * 30 - 10)).toPrecision(1 + Math.floor(rand() * 17))));
  return out;
}

for (const [type, oid] of [['float8', OID.float8], ['float4', OID.float4]] as const) {
  test(`${type} output matches PostgreSQL for ${inputs(type === 'float4').length} values`, async () => {
    const values = inputs(type === 'float4');
    const r = await pg.query(`SELECT x::${type} FROM unnest($1::text[]) AS x`, [`{${values.join(',')}}`]);
    if (!('ok' in r)) throw new Error(r.message);
    const ours = values.map((s) => {
      const v = parseText(oid, s);
      return isPgError(v) ? v.message : formatText(oid, v);
    });
    const mismatches = values.map((s, i) => [s, ours[i], r.ok[i]![0]]).filter(([, a, b]) => a !== b);
    expect(mismatches).toEqual([]);
  });
}
