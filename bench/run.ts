/**
 * @module `npm run bench [-- --quick]`: our endpoint against a real PostgreSQL 15, same client
 * (Convex's driver, bench/client), same statements, same data, interleaved rounds. Starts both
 * servers on loopback (PostgreSQL from the machine's install, our stack as `npm start` runs it),
 * stops them at the end; prints tables and writes bench/results/latest.json. Installs nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from '../scripts/stack.ts';
import { startPostgres, type Postgres } from '../test/support/postgres.ts';
import { psqlPath } from '../test/support/psql.ts';
import { buildClient, runClient, type ClientEvent } from './client.ts';
import { runEngineMicro } from './engine/collect.ts';
import { cpuMs, postgresPids, pssMiB, rssMiB, sampler, totalRssMiB, workerdPids } from './proc.ts';
import { printReport, workloadResult, type WorkloadResult } from './report.ts';
import { percentile, ratio } from './stats.ts';
import { timeTunnelCalls } from './tunnel-timing.ts';
import { plan as makePlan } from './workloads.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const plan = makePlan(quick);
/** Progress on stderr; each line is also kept (with its time) so stack events can be placed. */
const phases: string[] = [];
const log = (line: string) => {
  phases.push(`${new Date().toISOString()} ${line}`);
  console.error(`[bench] ${line}`);
};

function machine() {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  const version = (pkg: string) => JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: execFileSync('/usr/lib/postgresql/15/bin/postgres', ['--version'], { encoding: 'utf8' }).trim(),
    wrangler: version('wrangler'),
    workerd: version('workerd'),
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    loadavg_at_start: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** PostgreSQL as deployed: durable commits (the test harness starts it with fsync off). */
function durable(pg: Postgres) {
  const psql = psqlPath();
  execFileSync(psql, [pg.url, '-qAt', '-c', 'ALTER SYSTEM SET fsync = on', '-c', 'SELECT pg_reload_conf()'], { stdio: 'ignore' });
}

async function main() {
  const started = new Date().toISOString();
  const results: any = { started, quick, machine: machine(), plan, phases, load: [], workloads: {} as Record<string, WorkloadResult>, memory: {} };
  log(`${quick ? 'quick' : 'full'} run; building the client`);
  await buildClient();

  // Workload 6 first: the engine alone, while nothing else of ours runs.
  log('6. engine microbenchmarks in workerd');
  const micro = await runEngineMicro({ quick, batches: plan.batches });
  results.engine = micro.result ?? { error: micro.error };

  log('starting PostgreSQL 15 and our stack');
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bench-stack-'));
  const timer = timeTunnelCalls();
  // The stack's own log (tunnel link up/down…), kept for the results: a dropped link explains failures.
  const stackLog: string[] = [];
  results.stack_log = stackLog;
  const stackLogLine = (line: string) => stackLog.push(`${new Date().toISOString()} ${line}`);
  const [pgStart, stackStart] = await Promise.allSettled([startPostgres(), startStack({ stateDir, shimPort: 0, password: 'bench', log: stackLogLine })]);
  const pg: Postgres | undefined = pgStart.status === 'fulfilled' ? pgStart.value : undefined;
  const stack: Stack | undefined = stackStart.status === 'fulfilled' ? stackStart.value : undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      timer.restore();
      stackLogLine('bench: stopping the stack');
      await Promise.allSettled([pg?.stop(), stack?.stop()]);
      rmSync(stateDir, { recursive: true, force: true });
    })());
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    if (!pg || !stack) throw (pgStart.status === 'rejected' ? pgStart.reason : (stackStart as PromiseRejectedResult).reason);
    durable(pg);
    const endpoints = [
      { name: 'postgres', url: pg.url },
      { name: 'ours', url: stack.url },
    ];
    let writeSeq = 0;
    const config = (extra: object, needsKeys = false) => ({ endpoints, batches: plan.batches, doc_bytes: plan.docBytes, needs_keys: needsKeys, write_seq: (writeSeq += 100_000), ...extra });

    log(`loading ${plan.batches} batches of 1024 documents and 1024 index rows into each`);
    const loaded = await runClient('load', config({}));
    results.load = loaded.filter((e) => e.event === 'load');
    // PostgreSQL's autovacuum would analyse the fresh tables within a minute; do it now.
    execFileSync(psqlPath(), [pg.url, '-qAt', '-c', 'ANALYZE'], { stdio: 'ignore' });
    // Without PostgreSQL's data nothing compares; a failure of ours is a result (its workloads then fail too).
    for (const l of results.load) if (l.error && l.endpoint === 'postgres') throw new Error(`loading PostgreSQL failed: ${l.error}`);

    for (const family of plan.families) {
      log(family.name);
      for (const op of family.ops) {
        log(`${family.name}: ${op.op}`);
        timer.reset();
        const cpu = { workerd: cpuMs(workerdPids()), shim: process.cpuUsage(), postgres: cpuMs(postgresPids(pg.port)) };
        const events = await runClient('run', config({ rounds: plan.rounds, ops: [op] }, family.needsKeys));
        const used = { workerd: cpuMs(workerdPids()) - cpu.workerd, shim: cpuUsedMs(cpu.shim), postgres: cpuMs(postgresPids(pg.port)) - cpu.postgres };
        const [name, result] = workloadResult(family.name, events, timer.take());
        // CPU per operation (warm-up included); coarse (10 ms ticks) but summed over the whole run.
        const ops = (endpoint: string) => (events.find((e) => e.event === 'samples' && e.endpoint === endpoint)?.rounds_us.flat().length ?? 0) + op.warmup;
        result.cpu_per_op_ms = { workerd: used.workerd / ops('ours'), shim: used.shim / ops('ours'), postgres: used.postgres / ops('postgres') };
        results.workloads[name] = result;
      }
    }

    log('5. mix on concurrent connections');
    try {
      const mixEvents = await runClient('mix', config(plan.mix, true));
      results.mix = mixSummary(mixEvents);
    } catch (e) {
      results.mix = { error: (e as Error).message };
    }

    log('7. memory: idle connections');
    results.memory.hold = await holdConnections(config(plan.hold), pg.port);
    log('7. memory: one 56 000-document transaction');
    results.memory.big = await bigTransaction(config({ docs: plan.big.docs, write_bytes: plan.big.docBytes }), pg.port);
  } finally {
    await stop();
  }

  results.finished = new Date().toISOString();
  const dir = path.join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(printReport(results));
  log('wrote bench/results/latest.json');
}

function cpuUsedMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function mixSummary(events: ClientEvent[]) {
  const endpoints = events
    .filter((e) => e.event === 'mix')
    .map((e) => {
      const all = (Object.values(e.by_op_us) as number[][]).flat().sort((a, b) => a - b);
      const byOp = Object.fromEntries(Object.entries(e.by_op_us as Record<string, number[]>).map(([op, v]) => [op, { n: v.length, p50_ms: percentile([...v].sort((a, b) => a - b), 50) / 1000 }]));
      return {
        endpoint: e.endpoint,
        connections: e.connections,
        ops_per_s_by_round: e.ops_per_s_by_round,
        ops_per_s: percentile([...e.ops_per_s_by_round].sort((a, b) => a - b), 50),
        p50_ms: percentile(all, 50) / 1000,
        p99_ms: percentile(all, 99) / 1000,
        by_op: byOp,
        errors: e.errors,
        first_error: e.first_error,
        writes_excluded: e.writes_excluded,
      };
    });
  const of = (name: string) => endpoints.find((e) => e.endpoint === name);
  return { endpoints, throughput_ratio: ratio(of('ours')?.ops_per_s, of('postgres')?.ops_per_s), ratio_p50: ratio(of('ours')?.p50_ms, of('postgres')?.p50_ms) };
}

/** Readings with no connection open, then with `connections` open on each endpoint in turn. */
async function holdConnections(config: object, pgPort: number) {
  const out: any = { errors: [] as string[] };
  out.postgres_idle_mib = pssMiB(postgresPids(pgPort));
  out.shim_idle_mib = rssMiB(process.pid);
  out.workerd_idle_mib = totalRssMiB(workerdPids());
  out.shim_heap_idle_mib = process.memoryUsage().heapUsed / 2 ** 20;
  await runClient('hold', config, (e, child) => {
    if (e.event !== 'holding') return;
    if (e.error) out.errors.push(`${e.endpoint}: ${e.error}`);
    if (e.endpoint === 'postgres') {
      out.postgres_connections = e.connections;
      out.postgres_held_mib = pssMiB(postgresPids(pgPort));
      // Ours has no connection open at this moment: its idle readings again, just before.
      out.shim_idle_mib = rssMiB(process.pid);
      out.workerd_idle_mib = totalRssMiB(workerdPids());
    } else {
      out.connections = e.connections;
      out.shim_held_mib = rssMiB(process.pid);
      out.shim_heap_used_mib = process.memoryUsage().heapUsed / 2 ** 20;
      out.workerd_held_mib = totalRssMiB(workerdPids());
    }
    child.stdin!.write('\n');
  });
  return out;
}

/** One huge write transaction per endpoint, with memory sampled while it runs. */
async function bigTransaction(config: object, pgPort: number) {
  const out: any[] = [];
  let samplers: { workerd: { stop(): number }; shim: { stop(): number }; pg: { stop(): number } } | undefined;
  let before = { workerd: 0, shim: 0, pg: 0 };
  await runClient('big', config, (e) => {
    if (e.event === 'begin') {
      // Processes looked up once: scanning /proc while sampling would steal the CPU we measure.
      const workerd = workerdPids();
      const postgres = postgresPids(pgPort);
      before = { workerd: totalRssMiB(workerd), shim: rssMiB(process.pid), pg: pssMiB(postgres) };
      samplers = {
        workerd: sampler(() => totalRssMiB(workerd)),
        shim: sampler(() => rssMiB(process.pid)),
        pg: sampler(() => pssMiB(postgres), 100),
      };
    } else if (e.event === 'big' && samplers) {
      const peak = { workerd: samplers.workerd.stop(), shim: samplers.shim.stop(), pg: samplers.pg.stop() };
      out.push({
        ...e,
        workerd_before_mib: before.workerd,
        workerd_peak_growth_mib: peak.workerd - before.workerd,
        shim_peak_growth_mib: peak.shim - before.shim,
        postgres_peak_growth_mib: peak.pg - before.pg,
      });
    }
  });
  return out;
}

await main();
