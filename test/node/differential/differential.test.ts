/**
 * The differential corpus (test/corpus) run against the reference PostgreSQL 15 and the
 * endpoint under test through the same client, `pg` in text mode, twice: once in the simple
 * query protocol, once in the extended one. Each group runs in order in a fresh schema on a
 * fresh connection; every statement's outcome must match, except those the corpus marks with
 * a SKIP reason AND that the endpoint refuses with 0A000 (counted, printed).
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

type Protocol = 'simple' | 'extended';

/** One pass over the corpus: its own pair of endpoints, its own counts. */
interface Pass {
  protocol: Protocol;
  reference?: Endpoint;
  candidate?: Endpoint;
  runs: number;
  described: number;
  matched: number;
  skips: Map<string, number>;
  skipsNotTaken: string[];
  mismatches: Mismatch[];
}

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

async function runGroup(pass: Pass, group: Group): Promise<Mismatch[]> {
  const [ref, got] = await Promise.all([openSession(pass.reference!, group), openSession(pass.candidate!, group)]);
  const [refDescriber, gotDescriber] = await Promise.all([openDescriber(pass.reference!, group), openDescriber(pass.candidate!, group)]);
  const found: Mismatch[] = [];
  const mismatch = (c: Case, what: string, expected: string, gotText: string) => found.push({ group: group.name, case: c.name, what, expected, got: gotText });
  try {
    for (const [i, c] of group.cases.entries()) {
      if (c.params !== undefined && c.skip === undefined && pass.protocol === 'extended') {
        // Convex's driver checks its values against these types: inference must agree exactly.
        const [x, y] = await Promise.all([describeCase(refDescriber, c), describeCase(gotDescriber, c)]);
        pass.described++;
        if (inferredText(x) !== inferredText(y)) mismatch(c, 'inferred parameter types differ', inferredText(x), inferredText(y));
      }
      const [a, b] = await Promise.all([runCase(ref, c, pass.protocol), runCase(got, c, pass.protocol)]);
      pass.runs++;
      const corpusBug = checkReference(c, a);
      if (corpusBug !== null) {
        mismatch(c, corpusBug, c.error ?? 'success', summarise(a));
        continue;
      }
      if (c.skip !== undefined && b.kind === 'error' && b.code === '0A000') {
        // A gate's skip takes the rest of the group with it: those statements depend on it.
        const skipped = c.gate ? group.cases.length - i : 1;
        pass.skips.set(c.skip, (pass.skips.get(c.skip) ?? 0) + skipped);
        if (c.gate) break;
        continue;
      }
      const diff = difference(c, a, b);
      if (diff !== null) mismatch(c, diff, summarise(a), summarise(b));
      else {
        pass.matched++;
        if (c.skip !== undefined) pass.skipsNotTaken.push(`${group.name} › ${c.name}`);
      }
    }
  } finally {
    await Promise.all([ref.end(), got.end(), refDescriber.end(), gotDescriber.end()]);
  }
  pass.mismatches.push(...found);
  return found;
}

function table(rows: Mismatch[]): string {
  return rows.map((m) => `  ${m.group} › ${m.case}: ${m.what}\n      expected: ${m.expected}\n      got:      ${m.got}`).join('\n');
}

function report(pass: Pass): string {
  const { reference, candidate } = pass;
  const title = `differential, ${pass.protocol} query protocol`;
  if (reference === undefined || candidate === undefined) return `${title}: an endpoint did not start; nothing compared`;
  const size = corpus.reduce((n, g) => n + g.cases.length, 0);
  const skipped = [...pass.skips.values()].reduce((n, k) => n + k, 0);
  const lines = [
    `${title}: ${reference.label} vs ${candidate.label}`,
    `  corpus: ${size} statements in ${corpus.length} groups; runs: ${pass.runs}; parameter types described: ${pass.described}; matched: ${pass.matched}; skipped (0A000): ${skipped}; mismatches: ${pass.mismatches.length}`,
    ...[...pass.skips].map(([reason, n]) => `  skip ${String(n).padStart(3)} × ${reason}`),
  ];
  if (pass.skipsNotTaken.length > 0) lines.push(`  marked SKIP but answered and matched (${pass.skipsNotTaken.length}): ${pass.skipsNotTaken.join('; ')}`);
  if (pass.mismatches.length > 0) lines.push('  mismatches:', table(pass.mismatches));
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
});

// Simple protocol as psql sends it; extended (Parse/Bind/Execute) for every statement, as
// Convex's driver sends everything. Each pass has fresh endpoints: the corpus creates schemas.
for (const protocol of ['simple', 'extended'] as const) {
  describe(`differential corpus, ${protocol} query protocol`, () => {
    const pass: Pass = { protocol, runs: 0, described: 0, matched: 0, skips: new Map(), skipsNotTaken: [], mismatches: [] };

    beforeAll(async () => {
      [pass.reference, pass.candidate] = await startPair(startReference, startCandidate);
    }, 180_000);

    afterAll(async () => {
      await Promise.all([pass.reference?.stop(), pass.candidate?.stop()]);
      console.log(report(pass));
    }, 60_000);

    for (const group of corpus) {
      it(`${group.name} (${group.cases.length} statements)`, async () => {
        const found = await runGroup(pass, group);
        expect(found.length, `mismatches:\n${table(found)}`).toBe(0);
      }, 120_000);
    }
  });
}
