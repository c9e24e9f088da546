/**
 * Workload 6: the engine alone, inside workerd, no sockets. For each of Convex's statements
 * over the same data shape as the socket benchmarks: the cost of a cached execute, of
 * parsing its text (done on every execute), of a plan-cache miss (translation), and of the
 * SQLite statements the engine issues for it replayed directly (the floor). Per-row costs come
 * from 100- versus 1000-row pages and from the 1024-row UNNEST inserts.
 *
 * Not part of `npm test` (bench/engine/vitest.config.ts, run by `npm run bench`); it prints
 * one `BENCH_ENGINE {json}` line and asserts only that the statements succeed.
 */
import { env as workerEnv } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { expect, it } from 'vitest';
import type { SqlSession, SqlValue } from '../../tunnel/types.ts';
import type { Deployment } from '../../worker/deployment.ts';
import { loadParser, parseSql } from '../../worker/engine/parser.ts';
import * as Q from './convex-sql.ts';
import { BATCH, batchTs, DataSet, docId, docParams, indexParams, INDEX_ID, keyPrefix, keySha, rng, tableId } from './data.ts';

const env = workerEnv as unknown as { DEPLOYMENT: DurableObjectNamespace<Deployment>; BENCH_BATCHES?: string; BENCH_QUICK?: string };
const quick = env.BENCH_QUICK === '1';
const data = new DataSet(Number(env.BENCH_BATCHES ?? 100), 300);
const LEASE_TS = 1_700_000_000_000_000_000n;

/** Each timed loop runs at least this long: workerd's clock is coarse (about 1 ms here). */
const LOOP_MS = quick ? 30 : 100;
const REPS = quick ? 3 : 5;

/** µs per call: the median over REPS loops, each of at least LOOP_MS (or `maxCalls`), of the mean call time. */
async function perCall(fn: (i: number) => unknown, maxCalls = Infinity): Promise<{ median: number; min: number; max: number }> {
  const means: number[] = [];
  let i = 0;
  for (let r = 0; r < REPS; r++) {
    const started = performance.now();
    let calls = 0;
    let elapsed = 0;
    do {
      await fn(i++);
      calls++;
      elapsed = performance.now() - started;
    } while (elapsed < LOOP_MS && calls < maxCalls);
    means.push((elapsed * 1000) / calls);
  }
  means.sort((a, b) => a - b);
  return { median: means[Math.floor(means.length / 2)], min: means[0], max: means[means.length - 1] };
}

async function ok<T extends { error?: { sqlstate: string; message: string } }>(p: Promise<T>, what: string): Promise<T> {
  const r = await p;
  if (r.error) throw new Error(`${what}: ${r.error.sqlstate} ${r.error.message}`);
  return r;
}

type Exec = (query: string, ...bindings: unknown[]) => { raw(): Iterable<unknown[]> };

/**
 * The SQLite calls one engine execute makes, captured on SqlStorage's prototype (the engine
 * holds its own reference to the storage object, so the prototype is where to look).
 */
async function captureExec(sql: SqlStorage, fn: () => Promise<unknown>): Promise<{ calls: [string, unknown[]][]; exec: Exec } | undefined> {
  const proto = Object.getPrototypeOf(sql) as { exec: Exec };
  const original = proto.exec;
  const calls: [string, unknown[]][] = [];
  try {
    proto.exec = function (this: SqlStorage, query: string, ...bindings: unknown[]) {
      calls.push([query, bindings]);
      return original.call(this, query, ...bindings);
    };
  } catch {
    return undefined;
  }
  try {
    await fn();
  } finally {
    proto.exec = original;
  }
  return proto.exec === original ? { calls, exec: original } : undefined;
}

interface ReadCase {
  name: string;
  sql: string;
  params: (pick: (n: number) => number) => SqlValue[];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

const zeros = (params: SqlValue[]) => params.map(() => 0);

function readCases(): ReadCase[] {
  const anyDoc = (pick: (n: number) => number) => pick(data.ids);
  const chunk = (exact: boolean) => (pick: (n: number) => number) =>
    Array.from({ length: 8 }, () => {
      const n = anyDoc(pick);
      const [first, second] = data.revisionTs(n);
      return exact ? [tableId(n), docId(n), first, data.readTs] : [tableId(n), docId(n), second];
    }).flat();
  // Documents in index-key order, so a page can start where a full page follows.
  const byKey = Array.from({ length: data.ids }, (_, n) => [keyPrefix(n), n] as const).sort(([a], [b]) => compareBytes(a, b));
  // `from`/`to`: where in the key space (fractions) the page may start.
  const indexPage = (limit: number, from = 0, to = 1) => (pick: (n: number) => number) => {
    const lo = Math.floor((byKey.length - limit) * from);
    const n = byKey[lo + pick(Math.max(1, Math.floor((byKey.length - limit) * to) - lo))][1];
    return [INDEX_ID, data.readTs, keyPrefix(n), keySha(n), BigInt(limit)];
  };
  const docsPage = (limit: number) => (pick: (n: number) => number) => {
    const k = pick(data.batches - Math.ceil(limit / BATCH) - 1);
    const n = data.batch(k).ns[pick(BATCH)];
    return [batchTs(k), tableId(n), docId(n), data.readTs, BigInt(limit)];
  };
  return [
    { name: 'get_persistence_global', sql: Q.GET_PERSISTENCE_GLOBAL, params: () => ['max_repeatable_ts'] },
    { name: 'advisory lease check', sql: Q.ADVISORY_LEASE_CHECK, params: () => [LEASE_TS] },
    {
      name: 'exact_rev',
      sql: Q.EXACT_REV,
      params: (pick) => {
        const n = anyDoc(pick);
        return [tableId(n), docId(n), data.revisionTs(n)[0], data.readTs];
      },
    },
    {
      name: 'prev_rev',
      sql: Q.PREV_REV,
      params: (pick) => {
        const n = anyDoc(pick);
        return [tableId(n), docId(n), data.revisionTs(n)[1]];
      },
    },
    { name: 'prev_rev_chunk (8)', sql: Q.PREV_REV_CHUNK, params: chunk(false) },
    { name: 'exact_rev_chunk (8)', sql: Q.EXACT_REV_CHUNK, params: chunk(true) },
    { name: 'index page 100', sql: Q.INDEX_PAGE_FROM, params: indexPage(100) },
    { name: 'index page 1000', sql: Q.INDEX_PAGE_FROM, params: indexPage(1000) },
    // Where the page starts matters if the plan reads from the start key to the end of the range.
    { name: 'index page 100, start in the first 5% of keys', sql: Q.INDEX_PAGE_FROM, params: indexPage(100, 0, 0.05) },
    { name: 'index page 100, start in the last 5% of keys', sql: Q.INDEX_PAGE_FROM, params: indexPage(100, 0.95, 1) },
    { name: 'load_documents asc 100', sql: Q.LOAD_DOCS_ASC, params: docsPage(100) },
    { name: 'load_documents asc 1000', sql: Q.LOAD_DOCS_ASC, params: docsPage(1000) },
  ];
}

async function measureRead(s: SqlSession, storage: DurableObjectStorage, c: ReadCase) {
  const pick = rng(11);
  const params = Array.from({ length: 64 }, () => c.params(pick));
  const first = await ok(s.execute(c.sql, zeros(params[0]), params[0]), c.name);
  const rows = first.results[0]?.rows.length ?? 0;
  const cached = await perCall((i) => s.execute(c.sql, zeros(params[i % 64]), params[i % 64]));
  const parse = await perCall(() => parseSql(c.sql));
  // A distinct text per call misses the plan cache: parse + translate + execute.
  let miss = 0;
  const missed = await perCall((i) => s.execute(`${c.sql}\n-- plan cache miss ${i} ${miss++}`, zeros(params[i % 64]), params[i % 64]));
  const captured = await captureExec(storage.sql, () => s.execute(c.sql, zeros(params[0]), params[0]));
  let sqlite: { median: number } | undefined;
  if (captured) {
    sqlite = await perCall(() => {
      for (const [query, bindings] of captured.calls) for (const _ of captured.exec.call(storage.sql, query, ...bindings).raw());
    });
  }
  return {
    name: c.name,
    rows,
    cached_us: cached.median,
    cached_spread_us: [cached.min, cached.max],
    parse_us: parse.median,
    translate_us: missed.median - cached.median,
    miss_us: missed.median,
    sqlite_calls: captured?.calls.length ?? null,
    sqlite_us: sqlite?.median ?? null,
    sqlite_sql: captured?.calls.map(([q]) => q) ?? null,
  };
}

it('engine costs per statement and per row', async () => {
  const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(crypto.randomUUID()));
  await runInDurableObject(stub, async (instance: Deployment, state) => {
    await loadParser();
    const s = await instance.engine.open({ user: 'bench', database: 'bench', params: {} });
    for (const q of Q.INIT) await ok(s.query(q), 'init');
    await ok(s.execute(Q.WRITE_PERSISTENCE_GLOBAL, [0, 0], ['max_repeatable_ts', new TextEncoder().encode('{"ts":1}')]), 'global');
    await ok(s.query(`UPDATE ${Q.SCHEMA}.leases SET ts = ${LEASE_TS} WHERE id = 1`), 'lease');

    // The load, as the socket benchmark does it: per batch, documents then index rows.
    const loadStarted = performance.now();
    for (let k = 0; k < data.batches; k++) {
      const { ns, rev, prevTs } = data.batch(k);
      await ok(s.execute(Q.INSERT_DOCUMENT, [0, 0, 0, 0, 0, 0], docParams(ns, batchTs(k), prevTs, rev, data.docBytes)), 'load documents');
      await ok(s.execute(Q.INSERT_INDEX, [0, 0, 0, 0, 0, 0, 0, 0], indexParams(ns, batchTs(k))), 'load indexes');
    }
    const loadMs = performance.now() - loadStarted;

    const reads = [];
    for (const c of readCases()) reads.push(await measureRead(s, state.storage, c));

    // Writes: fresh ids and ts per call, so each is a real insert. Inputs built up front.
    let seq = 0;
    const writeInputs = (docs: number, count: number) =>
      Array.from({ length: count }, () => {
        const ts = batchTs(1_000_000 + seq);
        const first = 10_000_000 + seq++ * 4096;
        const ns = Array.from({ length: docs }, (_, i) => first + i);
        return [docParams(ns, ts, null, 1, data.docBytes), indexParams(ns, ts)];
      });
    const writes = [];
    for (const docs of [BATCH, 3]) {
      // Inputs built up front (the DO has ~128 MB: few large batches, many small ones).
      const count = docs === BATCH ? 3 * REPS : 400 * REPS;
      const inputs = writeInputs(docs, count);
      const documents = await perCall((i) => ok(s.execute(Q.INSERT_DOCUMENT, [0, 0, 0, 0, 0, 0], inputs[i][0]), 'insert documents'), count / REPS);
      const indexes = await perCall((i) => ok(s.execute(Q.INSERT_INDEX, [0, 0, 0, 0, 0, 0, 0, 0], inputs[i][1]), 'insert indexes'), count / REPS);
      // The floor: the same SQLite calls replayed in a storage transaction that is then undone.
      const [docInput] = writeInputs(docs, 1);
      const captured = await captureExec(state.storage.sql, () => ok(s.execute(Q.INSERT_DOCUMENT, [0, 0, 0, 0, 0, 0], docInput[0]), 'capture insert'));
      // Take the captured rows out again, so the replay inserts them anew.
      await ok(s.execute(`DELETE FROM ${Q.SCHEMA}.documents WHERE ts = $1`, [0], [(docInput[0][1] as SqlValue[])[0]]), 'delete captured');
      let sqlite: { median: number } | undefined;
      if (captured) {
        const undo = new Error('undo');
        sqlite = await perCall(() => {
          try {
            state.storage.transactionSync(() => {
              for (const [query, bindings] of captured.calls) for (const _ of captured.exec.call(state.storage.sql, query, ...bindings).raw());
              throw undo;
            });
          } catch (err) {
            if (err !== undo) throw err;
          }
        });
      }
      writes.push({
        docs,
        documents_us: documents.median,
        indexes_us: indexes.median,
        per_row_us: (documents.median + indexes.median) / (2 * docs),
        documents_sqlite_calls: captured?.calls.length ?? null,
        documents_sqlite_us: sqlite?.median ?? null,
        documents_sqlite_sql: captured ? [...new Set(captured.calls.map(([q]) => q))] : null,
      });
    }
    const parseInsert = await perCall(() => parseSql(Q.INSERT_DOCUMENT));

    const byName = Object.fromEntries(reads.map((r) => [r.name, r]));
    const perRow = (small: string, large: string, key: 'cached_us' | 'sqlite_us') => {
      const a = byName[small];
      const b = byName[large];
      const da = a[key];
      const db = b[key];
      return da === null || db === null || b.rows === a.rows ? null : (db - da) / (b.rows - a.rows);
    };
    const out = {
      batches: data.batches,
      load_ms: loadMs,
      load_rows: data.batches * BATCH * 2,
      reads,
      writes,
      parse_insert_document_us: parseInsert.median,
      per_row_us: {
        load_documents: { engine: perRow('load_documents asc 100', 'load_documents asc 1000', 'cached_us'), sqlite: perRow('load_documents asc 100', 'load_documents asc 1000', 'sqlite_us') },
      },
    };
    console.log(`BENCH_ENGINE ${JSON.stringify(out)}`);
    expect(reads.every((r) => r.rows > 0)).toBe(true);
  });
});
