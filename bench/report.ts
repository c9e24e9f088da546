/**
 * @module The results: what bench/results/latest.json holds, and the tables printed from it.
 * Pure: numbers in, text out.
 */
import { ms, ratio, summarize, type Summary } from './stats.ts';
import type { ClientEvent } from './client.ts';

export interface WorkloadResult {
  family: string;
  rows_per_op: { ours: number | null; postgres: number | null };
  ours_p50_ms: number | null;
  ours_p99_ms: number | null;
  postgres_p50_ms: number | null;
  postgres_p99_ms: number | null;
  ratio_p50: number | null;
  round_p50_ms: { ours: number[]; postgres: number[] };
  ours_error: string | null;
  postgres_error: string | null;
  /** CPU ms per operation: workerd and the shim's process for ours, all PostgreSQL processes for PostgreSQL. */
  cpu_per_op_ms?: { workerd: number; shim: number; postgres: number };
  /** Per statement: p50 ms of the shim → DO execute call (tunnel both ways + the DO's work). */
  tunnel_call_p50_ms: Record<string, { p50_ms: number; calls: number }>;
}

/** Two endpoints' `samples` events for one workload → its row. */
export function workloadResult(family: string, events: ClientEvent[], tunnel: Map<string, number[]>): [string, WorkloadResult] {
  const of = (name: string) => events.find((e) => e.event === 'samples' && e.endpoint === name);
  const ours = of('ours');
  const pg = of('postgres');
  const so: Summary | undefined = ours && !ours.error ? summarize(ours.rounds_us) : undefined;
  const sp: Summary | undefined = pg && !pg.error ? summarize(pg.rounds_us) : undefined;
  const calls: WorkloadResult['tunnel_call_p50_ms'] = {};
  for (const [sql, samples] of tunnel) {
    const sorted = [...samples].sort((a, b) => a - b);
    calls[statementLabel(sql)] = { p50_ms: sorted[Math.floor(sorted.length / 2)], calls: samples.length };
  }
  return [
    (ours ?? pg)?.workload ?? '?',
    {
      family,
      rows_per_op: { ours: ours?.error ? null : (ours?.rows_per_op ?? null), postgres: pg?.error ? null : (pg?.rows_per_op ?? null) },
      ours_p50_ms: so?.p50_ms ?? null,
      ours_p99_ms: so?.p99_ms ?? null,
      postgres_p50_ms: sp?.p50_ms ?? null,
      postgres_p99_ms: sp?.p99_ms ?? null,
      ratio_p50: ratio(so?.p50_ms, sp?.p50_ms),
      round_p50_ms: { ours: so?.round_p50_ms ?? [], postgres: sp?.round_p50_ms ?? [] },
      ours_error: ours?.error ?? (ours ? null : 'no result'),
      postgres_error: pg?.error ?? (pg ? null : 'no result'),
      tunnel_call_p50_ms: calls,
    },
  ];
}

/** A statement's first meaningful words, for tables. */
export function statementLabel(sql: string): string {
  const text = sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const x = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v.toFixed(2)}×`);
const n0 = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(Math.round(v)));
const us = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v.toFixed(v < 10 ? 1 : 0)} µs`);

export function printReport(r: any): string {
  const out: string[] = [];
  out.push(`# Benchmark ${r.started} (${r.quick ? 'quick' : 'full'}; ${r.machine.cpus}× ${r.machine.cpu}, load average at start ${r.machine.loadavg_at_start.join(' ')})`);
  out.push(`commit ${r.machine.commit}${r.machine.dirty ? ' + uncommitted changes' : ''}; PostgreSQL: ${r.machine.postgres}; workerd ${r.machine.workerd}`);

  out.push('\n## Load (Convex UNNEST batches, 1024 rows per statement)');
  out.push(
    table(
      ['endpoint', 'documents', 'index rows', 'time', 'rows/s'],
      r.load.map((l: any) => [l.endpoint, String(l.documents), String(l.index_rows), l.error ? `failed: ${l.error}` : ms(l.ms), l.ms ? n0(((l.documents + l.index_rows) / l.ms) * 1000) : '–']),
    ),
  );

  out.push('\n## Workloads 1–4 (sequential, one connection, interleaved rounds; ratio = ours ÷ PostgreSQL at p50)');
  const rows: string[][] = [];
  for (const [name, w] of Object.entries<WorkloadResult>(r.workloads)) {
    const note = w.ours_error ? `ours failed: ${w.ours_error}` : w.postgres_error ? `PostgreSQL failed: ${w.postgres_error}` : w.rows_per_op.ours !== w.rows_per_op.postgres ? `rows differ: ours ${w.rows_per_op.ours?.toFixed(1)}, PostgreSQL ${w.rows_per_op.postgres?.toFixed(1)}` : '';
    rows.push([name, n0(w.rows_per_op.postgres ?? w.rows_per_op.ours), ms(w.postgres_p50_ms), ms(w.postgres_p99_ms), ms(w.ours_p50_ms), ms(w.ours_p99_ms), x(w.ratio_p50), note]);
  }
  out.push(table(['workload', 'rows/op', 'PG p50', 'PG p99', 'ours p50', 'ours p99', 'ratio', 'note'], rows));

  out.push('\n## Where our round trip goes (p50; single-statement reads)');
  out.push('client RTT = what the client saw; shim→DO = the shim\'s execute call (tunnel both ways + the DO); engine = the same statement in workerd without sockets (workload 6); SQLite = the engine\'s SQLite calls replayed alone.');
  const split: string[][] = [];
  for (const [name, w] of Object.entries<WorkloadResult>(r.workloads)) {
    const calls = Object.values(w.tunnel_call_p50_ms);
    const e = r.engine?.reads?.find((m: any) => m.name === name);
    if (calls.length !== 1 || w.ours_p50_ms === null) continue;
    const call = calls[0].p50_ms;
    const engine = e ? e.cached_us / 1000 : null;
    split.push([name, ms(w.ours_p50_ms), ms(w.ours_p50_ms - call), ms(call), ms(engine), ms(engine === null ? null : call - engine), ms(e?.sqlite_us == null ? null : e.sqlite_us / 1000), ms(w.postgres_p50_ms)]);
  }
  out.push(table(['workload', 'client RTT', 'client+shim', 'shim→DO', 'engine', 'tunnel+DO rest', 'SQLite', 'PG RTT'], split));

  out.push('\n## CPU per operation (process CPU over the whole workload ÷ operations; 10 ms ticks, so small numbers are coarse)');
  out.push(
    table(
      ['workload', 'workerd (DO)', 'shim', 'ours total', 'PostgreSQL'],
      Object.entries<WorkloadResult>(r.workloads)
        .filter(([, w]) => w.cpu_per_op_ms)
        .map(([name, w]) => [name, ms(w.cpu_per_op_ms!.workerd), ms(w.cpu_per_op_ms!.shim), ms(w.cpu_per_op_ms!.workerd + w.cpu_per_op_ms!.shim), ms(w.cpu_per_op_ms!.postgres)]),
    ),
  );

  out.push('\n## 5. Mix on concurrent connections');
  if (r.mix.error) out.push(`failed: ${r.mix.error}`);
  else {
    out.push(
      table(
        ['endpoint', 'connections', 'ops/s (rounds)', 'p50', 'p99', 'errors', 'note'],
        r.mix.endpoints.map((m: any) => [m.endpoint, String(m.connections), m.ops_per_s_by_round.map(n0).join(' / '), ms(m.p50_ms), ms(m.p99_ms), String(m.errors), [m.first_error && `first error: ${m.first_error}`, m.writes_excluded && `writes left out (${m.writes_excluded})`].filter(Boolean).join('; ')]),
      ),
    );
    if (r.mix.throughput_ratio !== null) out.push(`throughput ours ÷ PostgreSQL: ${x(r.mix.throughput_ratio)}; p50 ratio ${x(r.mix.ratio_p50)}`);
  }

  out.push('\n## 6. Engine alone in workerd (no sockets)');
  if (r.engine?.error) out.push(`failed: ${r.engine.error}`);
  else if (r.engine) {
    out.push(`load of ${r.engine.load_rows} rows through the engine: ${ms(r.engine.load_ms)} (${us((r.engine.load_ms * 1000) / r.engine.load_rows)} per row)`);
    out.push(
      table(
        ['statement', 'rows', 'cached execute', 'of which parse', 'translate (miss)', 'SQLite calls', 'SQLite alone'],
        r.engine.reads.map((m: any) => [m.name, String(m.rows), us(m.cached_us), us(m.parse_us), us(m.translate_us), String(m.sqlite_calls ?? '–'), us(m.sqlite_us)]),
      ),
    );
    out.push(
      table(
        ['UNNEST insert', 'documents', 'indexes', 'per row', 'SQLite calls (documents)', 'SQLite alone (documents)'],
        r.engine.writes.map((w: any) => [`${w.docs} rows`, us(w.documents_us), us(w.indexes_us), us(w.per_row_us), String(w.documents_sqlite_calls ?? '–'), us(w.documents_sqlite_us)]),
      ),
    );
    const pr = r.engine.per_row_us;
    out.push(`per row (load_documents, 1000- vs 100-row pages): engine ${us(pr.load_documents.engine)}, SQLite ${us(pr.load_documents.sqlite)}; parse of insert_document ${us(r.engine.parse_insert_document_us)}`);
  }

  out.push('\n## 7. Memory');
  const m = r.memory;
  if (m.hold) {
    const h = m.hold;
    out.push(
      table(
        ['', 'idle', 'connections open', 'held', 'per connection'],
        [
          ['shim process RSS (+ miniflare host)', mb(h.shim_idle_mib), String(h.connections), mb(h.shim_held_mib), kb(h.shim_held_mib, h.shim_idle_mib, h.connections)],
          ['shim process JS heap used', mb(h.shim_heap_idle_mib), String(h.connections), mb(h.shim_heap_used_mib), kb(h.shim_heap_used_mib, h.shim_heap_idle_mib, h.connections)],
          ['workerd RSS (the DO)', mb(h.workerd_idle_mib), String(h.connections), mb(h.workerd_held_mib), kb(h.workerd_held_mib, h.workerd_idle_mib, h.connections)],
          ['PostgreSQL PSS (server + backends)', mb(h.postgres_idle_mib), String(h.postgres_connections), mb(h.postgres_held_mib), kb(h.postgres_held_mib, h.postgres_idle_mib, h.postgres_connections)],
        ],
      ),
    );
    if (h.errors.length) out.push(`errors: ${h.errors.join('; ')}`);
  }
  for (const b of m.big ?? []) {
    const what = `${b.docs} documents + ${b.docs} index rows, ${((b.docs * b.doc_bytes) / 2 ** 20).toFixed(0)} MiB of json_value, one transaction`;
    if (b.error) out.push(`${b.endpoint}: ${what}: unavailable (failed: ${b.error})`);
    else out.push(`${b.endpoint}: ${what}: ${ms(b.ms)}${b.endpoint === 'ours' ? `; workerd RSS peak +${b.workerd_peak_growth_mib.toFixed(0)} MiB over ${b.workerd_before_mib.toFixed(0)} MiB (upper bound on DO heap); shim RSS peak +${b.shim_peak_growth_mib.toFixed(0)} MiB` : `; PostgreSQL PSS peak +${b.postgres_peak_growth_mib.toFixed(0)} MiB`}`);
  }
  const log: string[] = r.stack_log ?? [];
  const end = log.findIndex((l) => l.includes('bench: stopping'));
  const drops = log.slice(0, end < 0 ? undefined : end).filter((l) => /link down|dropped|error/i.test(l));
  if (drops.length) {
    const during = (at: string) => [...(r.phases as string[])].reverse().find((p) => p <= at)?.slice(25) ?? '?';
    out.push(`\nstack log (tunnel events during the run):\n${drops.slice(0, 10).map((d) => `${d} (during: ${during(d)})`).join('\n')}`);
  }
  return out.join('\n');
}

const mb = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(1)} MiB`);
const kb = (held: number | undefined, idle: number | undefined, n: number) => (held === undefined || idle === undefined ? '–' : `${(((held - idle) * 1024) / n).toFixed(0)} kB`);
