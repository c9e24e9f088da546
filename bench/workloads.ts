/**
 * @module What `npm run bench` runs, family by family, and how much of it (`--quick` runs
 * every workload, fewer times). The statements themselves live in the client
 * (bench/client/src/*.rs, one file per family) and the engine microbenchmarks
 * (bench/engine/micro.test.ts).
 */

export interface Op {
  /** The client's operation name (bench/client/src/main.rs, Op::parse). */
  op: string;
  iters: number;
  warmup: number;
}

export interface Family {
  name: string;
  ops: Op[];
  /** The index scan and the mix need the sorted index keys (the client computes them). */
  needsKeys?: boolean;
}

export interface Plan {
  /** 1024-row batches loaded into each endpoint: documents and as many index rows. */
  batches: number;
  docBytes: number;
  rounds: number;
  families: Family[];
  mix: { connections: number; seconds: number; rounds: number };
  hold: { connections: number; postgres_connections: number };
  big: { docs: number; docBytes: number };
}

export function plan(quick: boolean): Plan {
  // Iterations per round; `--quick` divides them (never below 2) and runs fewer rounds.
  const n = (full: number) => (quick ? Math.max(2, Math.round(full / 4)) : full);
  const op = (name: string, iters: number, warmup = 5): Op => ({ op: name, iters: n(iters), warmup: quick ? Math.min(warmup, 2) : warmup });
  return {
    // 100 batches: 102 400 documents (51 200 ids, two revisions each) and 102 400 index rows.
    batches: 100,
    docBytes: 300,
    rounds: quick ? 3 : 5,
    families: [
      {
        name: '1. point reads',
        ops: [op('select_one', 200), op('global', 200), op('exact_rev', 200), op('prev_rev', 200), op('prev_rev_chunk', 100), op('exact_rev_chunk', 100)],
      },
      { name: '2. index scan', ops: [op('index_page:100', 20, 2), op('index_page:1000', 8, 1)], needsKeys: true },
      {
        name: '3. load_documents',
        ops: [op('docs_asc:100', 40), op('docs_asc:1000', 10, 2), op('docs_desc:1000', 10, 2), op('docs_asc_prev:1000', 10, 2)],
      },
      {
        name: '4. write transaction',
        ops: [op('write_tx:1024', 6, 1), op('write_tx:3', 40), op('write_autocommit:1024', 6, 1)],
      },
    ],
    mix: { connections: 16, seconds: quick ? 2 : 5, rounds: quick ? 2 : 3 },
    // PostgreSQL's default max_connections is 100 (3 reserved): it holds 90.
    hold: { connections: 128, postgres_connections: 90 },
    // Convex's limit: 56 000 writes per transaction; 2 397-byte documents make 128 MiB.
    big: { docs: 56_000, docBytes: 2397 },
  };
}
