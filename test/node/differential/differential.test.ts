/**
 * The differential corpus (test/corpus) run against the reference PostgreSQL 15 and the
 * endpoint under test through the same client, `pg` in text mode. Each group runs in order in
 * a fresh schema on a fresh connection; every statement's outcome must match, except those the
 * corpus marks with a SKIP reason AND that the endpoint refuses with 0A000 (counted, printed).
 */
import pg from 'pg';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus, type Case, type Group } from '../../corpus/index.ts';
import { type Endpoint, startOurStack, startPair, startReference } from './endpoints.ts';
import { checkReference, describeCase, difference, inferredText, rawTypes, runCase, summarise } from './outcome.ts';

// The endpoint under test: our stack. Swap in `startReference` to prove the harness PostgreSQL vs PostgreSQL.
const startCandidate: () => Promise<Endpoint> = startOurStack;

interface Mismatch {
  group: string;
  case: string;
  what: string;
  expected: string;
  got: string;
}

const stats = { runs: 0, described: 0, matched: 0, skips: new Map<string, number>(), skipsNotTaken: [] as string[], mismatches: [] as Mismatch[] };
let reference: Endpoint | undefined;
let candidate: Endpoint | undefined;

beforeAll(async () => {
  [reference, candidate] = await startPair(startReference, startCandidate);
}, 180_000);

afterAll(async () => {
  await Promise.all([reference?.stop(), candidate?.stop()]);
  console.log(report());
}, 60_000);

async function openSession(endpoint: Endpoint, group: Group): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: endpoint.url, types: rawTypes, query_timeout: 20_000 });
  await client.connect();
  const schema = `corpus_${group.name}`;
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET search_path TO ${schema}`);
  return client;
}

/**
 * A second connection, for describing statements only (it executes nothing but SET).
 * fetch_types off: porsager's array-type lookup reads pg_catalog.pg_type, which is no test here.
 */
async function openDescriber(endpoint: Endpoint, group: Group): Promise<Sql> {
  const sql = postgres(endpoint.url, { max: 1, fetch_types: false, onnotice: () => {} });
  await sql.unsafe(`SET search_path TO corpus_${group.name}`);
  return sql;
}

async function runGroup(group: Group): Promise<Mismatch[]> {
  const [ref, got] = await Promise.all([openSession(reference!, group), openSession(candidate!, group)]);
  const [refDescriber, gotDescriber] = await Promise.all([openDescriber(reference!, group), openDescriber(candidate!, group)]);
  const found: Mismatch[] = [];
  const mismatch = (c: Case, what: string, expected: string, gotText: string) => found.push({ group: group.name, case: c.name, what, expected, got: gotText });
  try {
    for (const [i, c] of group.cases.entries()) {
      if (c.params !== undefined && c.skip === undefined) {
        // Convex's driver checks its values against these types: inference must agree exactly.
        const [x, y] = await Promise.all([describeCase(refDescriber, c), describeCase(gotDescriber, c)]);
        stats.described++;
        if (inferredText(x) !== inferredText(y)) mismatch(c, 'inferred parameter types differ', inferredText(x), inferredText(y));
      }
      const [a, b] = await Promise.all([runCase(ref, c), runCase(got, c)]);
      stats.runs++;
      const corpusBug = checkReference(c, a);
      if (corpusBug !== null) {
        mismatch(c, corpusBug, c.error ?? 'success', summarise(a));
        continue;
      }
      if (c.skip !== undefined && b.kind === 'error' && b.code === '0A000') {
        // A gate's skip takes the rest of the group with it: those statements depend on it.
        const skipped = c.gate ? group.cases.length - i : 1;
        stats.skips.set(c.skip, (stats.skips.get(c.skip) ?? 0) + skipped);
        if (c.gate) break;
        continue;
      }
      const diff = difference(c, a, b);
      if (diff !== null) mismatch(c, diff, summarise(a), summarise(b));
      else {
        stats.matched++;
        if (c.skip !== undefined) stats.skipsNotTaken.push(`${group.name} › ${c.name}`);
      }
    }
  } finally {
    await Promise.all([ref.end(), got.end(), refDescriber.end(), gotDescriber.end()]);
  }
  stats.mismatches.push(...found);
  return found;
}

function table(rows: Mismatch[]): string {
  return rows.map((m) => `  ${m.group} › ${m.case}: ${m.what}\n      expected: ${m.expected}\n      got:      ${m.got}`).join('\n');
}

function report(): string {
  if (reference === undefined || candidate === undefined) return 'differential: an endpoint did not start; nothing compared';
  const size = corpus.reduce((n, g) => n + g.cases.length, 0);
  const skipped = [...stats.skips.values()].reduce((n, k) => n + k, 0);
  const lines = [
    `differential: ${reference?.label} vs ${candidate?.label}`,
    `  corpus: ${size} statements in ${corpus.length} groups; runs: ${stats.runs}; parameter types described: ${stats.described}; matched: ${stats.matched}; skipped (0A000): ${skipped}; mismatches: ${stats.mismatches.length}`,
    ...[...stats.skips].map(([reason, n]) => `  skip ${String(n).padStart(3)} × ${reason}`),
  ];
  if (stats.skipsNotTaken.length > 0) lines.push(`  marked SKIP but answered and matched (${stats.skipsNotTaken.length}): ${stats.skipsNotTaken.join('; ')}`);
  if (stats.mismatches.length > 0) lines.push('  mismatches:', table(stats.mismatches));
  return lines.join('\n');
}

describe('differential corpus', () => {
  it('is well formed: ≥ 150 statements, unique names, identifier group names', () => {
    expect(corpus.reduce((n, g) => n + g.cases.length, 0)).toBeGreaterThanOrEqual(150);
    expect(new Set(corpus.map((g) => g.name)).size).toBe(corpus.length);
    for (const g of corpus) {
      expect(g.name).toMatch(/^[a-z][a-z0-9_]*$/);
      const names = g.cases.map((c) => c.name);
      expect(names.filter((n, i) => names.indexOf(n) !== i), `duplicate names in ${g.name}`).toEqual([]);
    }
  });

  for (const group of corpus) {
    it(`${group.name} (${group.cases.length} statements)`, async () => {
      const found = await runGroup(group);
      expect(found.length, `mismatches:\n${table(found)}`).toBe(0);
    }, 120_000);
  }
});
