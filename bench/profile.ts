/**
 * @module `npm run profile`: where a round trip's CPU goes. Starts the local stack with
 * workerd's inspector on loopback, runs a loop of one statement through `pg` (extended
 * protocol, prepared once), and records two V8 CPU profiles over the same loop: the Durable
 * Object's (through the inspector) and this process's (the shim, wrangler's Node side and the
 * `pg` client). Prints CPU per operation of each process (from /proc) and the functions with
 * the most self time; writes both profiles to bench/results/ for Chrome DevTools.
 *
 * Usage: npm run profile [-- point|scan|write|load|pages] [iterations]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import { startStack } from '../scripts/stack.ts';
import { buildClient, runClient } from './client.ts';
import { cpuMs, workerdPids } from './proc.ts';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
}

/** A loop of one statement through `pg`. */
interface PgLoop {
  setup: (string | [string, unknown[]])[];
  text: string;
  values: (i: number) => unknown[];
}

const PG_LOOPS: Record<string, PgLoop> = {
  point: {
    setup: ['CREATE TABLE k (id int8 PRIMARY KEY, v bytea)', "INSERT INTO k SELECT g, '\\x00' FROM generate_series(1, 1000) g"],
    text: 'SELECT id, v FROM k WHERE id = $1',
    values: (i) => [i % 1000],
  },
  scan: {
    setup: ['CREATE TABLE k (id int8 PRIMARY KEY, v bytea)', ['INSERT INTO k SELECT g, $1::bytea FROM generate_series(1, 2000) g', [Buffer.alloc(300, 0xab)]]],
    text: 'SELECT id, v FROM k WHERE id > $1 ORDER BY id LIMIT 1000',
    values: (i) => [i % 1000],
  },
  write: {
    setup: ['CREATE TABLE k (id int8 PRIMARY KEY, v bytea)'],
    text: 'INSERT INTO k VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET v = excluded.v',
    values: (i) => [i % 1000, Buffer.from([i & 255])],
  },
};

/**
 * A workload: `prepare` once, then `pass` twice (unprofiled, then profiled), each running
 * `iterations` operations. `load` is Convex's UNNEST batches (1024 documents + 1024 index rows
 * per operation) through Convex's own driver, the benchmark's Rust client, binary throughout:
 * `pg` sends arrays as text, which would measure array-literal parsing instead.
 */
interface Workload {
  /** Loads can run once only (their keys would collide): then the CPU figures come from the profiled pass. */
  once?: boolean;
  prepare(url: string): Promise<void>;
  pass(iterations: number): Promise<void>;
  close(): Promise<void>;
}

function pgLoop(loop: PgLoop): Workload {
  let client: pg.Client;
  let next = 0;
  const query = () => client.query({ name: 'profiled', text: loop.text, values: loop.values(next++) });
  return {
    async prepare(url) {
      client = new pg.Client(url);
      await client.connect();
      for (const step of loop.setup) await (typeof step === 'string' ? client.query(step) : client.query(step[0], step[1]));
      for (let i = 0; i < 1000; i++) await query();
    },
    async pass(iterations) {
      for (let i = 0; i < iterations; i++) await query();
    },
    close: () => client?.end() ?? Promise.resolve(),
  };
}

/** Convex's load_documents pages of 1000 rows (binary results) over 10 loaded batches. */
function convexPages(): Workload {
  let url = '';
  const data = { batches: 10, doc_bytes: 300, needs_keys: false };
  return {
    async prepare(u) {
      url = u;
      await buildClient();
      await runClient('load', { endpoints: [{ name: 'ours', url }], ...data });
    },
    pass: (iterations) => runClient('run', { endpoints: [{ name: 'ours', url }], ...data, rounds: 1, ops: [{ op: 'docs_asc:1000', iters: iterations, warmup: 20 }] }).then(() => {}),
    close: async () => {},
  };
}

function convexLoad(): Workload {
  let url = '';
  return {
    once: true,
    async prepare(u) {
      url = u;
      await buildClient();
    },
    // Batches come in pairs (two revisions of each document).
    pass: (iterations) => runClient('load', { endpoints: [{ name: 'ours', url }], batches: Math.max(2, iterations), doc_bytes: 300, needs_keys: false }).then(() => {}),
    close: async () => {},
  };
}

const INSPECTOR_PORT = 9329;

/** The functions with the most self time, as "percent  name  file:line". */
function topSelf(profile: CpuProfile, count: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${f.url.split('/').slice(-2).join('/')}${f.lineNumber >= 0 ? `:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([k, n]) => `${((100 * n) / profile.samples.length).toFixed(1).padStart(5)}%  ${k}`);
}

/** A Chrome DevTools protocol connection to workerd's inspector (wrangler's proxy checks Origin). */
async function inspect(): Promise<(method: string, params?: object) => Promise<any>> {
  const targets = (await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { Origin: 'http://localhost' } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const pending = new Map<number, (m: any) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    pending.get(m.id)?.(m.result);
    pending.delete(m.id);
  });
  let next = 0;
  return (method, params = {}) =>
    new Promise((resolve) => {
      pending.set(++next, resolve);
      ws.send(JSON.stringify({ id: next, method, params }));
    });
}

const [name = 'point', n] = process.argv.slice(2);
const workload = name === 'load' ? convexLoad() : name === 'pages' ? convexPages() : PG_LOOPS[name] && pgLoop(PG_LOOPS[name]);
if (!workload) throw new Error(`unknown workload ${name}: one of ${[...Object.keys(PG_LOOPS), 'load', 'pages'].join(', ')}`);
const iterations = Number(n ?? (name === 'load' ? 20 : name === 'pages' ? 300 : 5000));

const stateDir = mkdtempSync(path.join(tmpdir(), 'profile-'));
const stack = await startStack({ password: 'profile', shimPort: 0, stateDir, inspectorPort: INSPECTOR_PORT });
try {
  await workload.prepare(stack.url);

  const workerd = workerdPids();
  const measured = async (): Promise<void> => {
    const started = performance.now();
    const [w0, s0] = [cpuMs(workerd), process.cpuUsage()];
    await workload.pass(iterations);
    const wall = (performance.now() - started) / iterations;
    const s1 = process.cpuUsage(s0);
    const perOp = (ms: number) => `${((ms * 1000) / iterations).toFixed(0)} µs`;
    console.log(
      `${name}: ${(wall * 1000).toFixed(0)} µs per operation; CPU per operation: workerd ${perOp(cpuMs(workerd) - w0)}, ` +
        `this process (shim, wrangler${PG_LOOPS[name] ? ', pg' : ''}) ${perOp((s1.user + s1.system) / 1000)}${workload.once ? ' (profilers running)' : ''}`,
    );
  };
  // Without profilers first: their sampling costs CPU of its own.
  if (!workload.once) await measured();

  const doCall = await inspect();
  const me = new Session();
  me.connect();
  for (const call of [doCall, (m: string, p?: object) => me.post(m as never, p as never)]) {
    await call('Profiler.enable');
    await call('Profiler.setSamplingInterval', { interval: 100 });
    await call('Profiler.start');
  }
  if (workload.once) await measured();
  else await workload.pass(iterations);
  const profiles = { do: (await doCall('Profiler.stop')).profile as CpuProfile, shim: ((await me.post('Profiler.stop')) as { profile: CpuProfile }).profile };
  const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'results');
  for (const [who, profile] of Object.entries(profiles)) {
    const file = path.join(out, `profile-${name}-${who}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`\n${who === 'do' ? 'Durable Object (workerd)' : 'this process'}: self time, top 25 (${path.relative(process.cwd(), file)})`);
    for (const line of topSelf(profile, 25)) console.log(line);
  }
} finally {
  await workload.close().catch(() => {});
  await stack.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
process.exit(0);
