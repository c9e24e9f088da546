/**
 * Convex's persistence test suite (deleted from convex-backend in ba16e0638), re-implemented
 * in test/rust-client (program `persistence-suite`) over tokio-postgres — Convex's own driver —
 * with Convex's exact SQL and call pattern: prepare without parameter types, binary parameters
 * and results, query_raw/execute_raw, START TRANSACTION with pipelined statements, buffered(16)
 * reads, copy_in. Each case runs against PostgreSQL 15 and against our stack, in Convex's
 * single-tenant and multitenant modes: both must pass, and every value the program observes
 * must be the same on both.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cargoBuild } from '../support/cargo.ts';
import { type Endpoint, startOurStack, startPairWhile, startReference } from './differential/endpoints.ts';

const run = promisify(execFile);
const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../rust-client');
const binary = path.join(project, 'target/release/persistence-suite');

/** Convex's 25 suite tests, then its Postgres-only tests and ours (see suite.rs). */
const TESTS = [
  'write_and_load',
  'write_and_load_from_table',
  'write_and_load_value_types',
  'overwrite_document',
  'overwrite_index',
  'write_and_load_sorting',
  'same_internal_id_multiple_tables',
  'query_index_at_ts',
  'query_index_range_short',
  'query_index_range_long',
  'query_multiple_indexes',
  'query_dangling_reference',
  'query_reference_deleted_doc',
  'query_with_rows_estimate_short',
  'query_with_rows_estimate_long',
  'write_then_read',
  'persistence_global',
  'persistence_enforce_retention',
  'persistence_delete_documents',
  'persistence_delete_many_documents',
  'persistence_delete_tablet_documents',
  'persistence_previous_revisions_of_documents',
  'persistence_previous_revisions',
  'persistence_load_revision_pairs',
  'persistence_table_stats',
  // crates/postgres/src/tests.rs
  'lease_preempt',
  'read_only',
  // Beyond Convex's suite: the FOR SHARE lease lock, Convex's COPY import path, and the three
  // statements of sql.rs its tests never reach (docs/convex-statements.md).
  'lease_for_share_blocks_takeover',
  'import_documents_and_indexes',
  'import_atomic',
  'load_from_table_desc',
  'delete_index_entries_chunked',
  'previous_revisions_of_documents_chunked',
];

let reference: Endpoint | undefined;
let candidate: Endpoint | undefined;

beforeAll(async () => {
  [reference, candidate] = await startPairWhile(cargoBuild(project), startReference, startOurStack);
}, 300_000);

afterAll(async () => {
  await Promise.all([reference?.stop(), candidate?.stop()]);
}, 60_000);

interface Outcome {
  ok: boolean;
  error?: string;
  observations: unknown[];
}

/** One test of the suite against one endpoint: its result line and what it observed. */
async function runCase(endpoint: Endpoint, mode: string, test: string): Promise<Outcome> {
  const { stdout } = await run(binary, [endpoint.url, mode, test], { maxBuffer: 64 << 20, timeout: 600_000 });
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { test: string; ok?: boolean; error?: string; observe?: string; value?: unknown });
  const result = lines.find((l) => l.ok !== undefined);
  if (!result) throw new Error(`no result line from ${test}:\n${stdout}`);
  return { ok: result.ok!, error: result.error, observations: lines.filter((l) => l.observe !== undefined).map((l) => [l.observe, l.value]) };
}

it('the program runs exactly these tests', async () => {
  const { stdout } = await run(binary, ['list']);
  expect(stdout.trim().split('\n')).toEqual(TESTS);
});

for (const mode of ['single', 'multitenant']) {
  describe(`Convex persistence suite (${mode === "single" ? "single-tenant" : "multitenant"}), tokio-postgres`, () => {
    for (const test of TESTS) {
      it(test, async () => {
        const [pg, ours] = await Promise.all([runCase(reference!, mode, test), runCase(candidate!, mode, test)]);
        expect(pg.error, 'PostgreSQL 15').toBeUndefined();
        expect(pg.ok).toBe(true);
        expect(ours.error, 'our stack').toBeUndefined();
        expect(ours.ok).toBe(true);
        // Where the answer is PostgreSQL's semantics, ours must be the same.
        expect(ours.observations).toEqual(pg.observations);
      }, 600_000);
    }
  });
}
