/**
 * tokio-postgres, Convex's own driver, against the reference PostgreSQL and the endpoint under
 * test: prepare with unspecified parameter types (the driver checks its Rust types against the
 * OIDs the server infers), binary parameters and results, int64 edges, empty bytea, NULL,
 * bool/float8/non-ASCII text, three pipelined statements with a failing one in the middle, and
 * transactions (rollback, commit, 25P02 after a failure).
 * The program (test/rust-client) prints JSON lines; both endpoints must print the same.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cargoBuild } from '../support/cargo.ts';
import { type Endpoint, startOurStack, startPairWhile, startReference } from './differential/endpoints.ts';

// The endpoint under test: our stack. Swap in `startReference` to prove the harness PostgreSQL vs PostgreSQL.
const startCandidate: () => Promise<Endpoint> = startOurStack;

const run = promisify(execFile);
const project = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../rust-client');
const binary = path.join(project, 'target/release/rust-client');

let reference: Endpoint | undefined;
let candidate: Endpoint | undefined;

beforeAll(async () => {
  [reference, candidate] = await startPairWhile(cargoBuild(project), startReference, startCandidate);
}, 300_000);

afterAll(async () => {
  await Promise.all([reference?.stop(), candidate?.stop()]);
}, 60_000);

async function clientOutput(endpoint: Endpoint): Promise<string[]> {
  const { stdout } = await run(binary, [endpoint.url], { timeout: 60_000 });
  return stdout.trim().split('\n');
}

describe('tokio-postgres (Convex\'s driver)', () => {
  let expected: string[] = [];

  it('against PostgreSQL 15: exact int8 edges, empty bytea, NULLs, bool/float8/unicode, inferred parameter types, a pipelined error, transactions', async () => {
    expected = await clientOutput(reference!);
    expect(expected).toContain('{"prepare":"insert","params":["int8","int8","bytea","text"],"columns":[]}');
    expect(expected).toContain('{"id":1,"big":"1800000000000000001","data":"deadbeef","note":"ts"}');
    expect(expected).toContain('{"id":2,"big":"-1","data":"","note":""}');
    expect(expected).toContain('{"id":3,"big":"9223372036854775807","data":"00","note":"max"}');
    expect(expected).toContain('{"id":5,"big":null,"data":null,"note":null}');
    expect(expected).toContain('{"big":"1800000000000000000","ids":[]}');
    expect(expected).toContain('{"empty_bytea":[2]}');
    expect(expected).toContain('{"duplicate":"23505"}');
    expect(expected).toContain('{"want":true,"id":1,"flag":true,"score":"0.1","label":"émoji ☃"}');
    expect(expected).toContain('{"want":false,"id":2,"flag":false,"score":"-1.5e300","label":""}');
    expect(expected).toContain('{"pipelined":["1800000000000000001","42P01","max"]}');
    expect(expected).toContain('{"count":5}');
    expect(expected.slice(-3)).toEqual([
      '{"rolled back":{"inside":6,"after":5}}',
      '{"committed":{"updated":1,"note":"committed"}}',
      '{"aborted":{"duplicate":"23505","next":"25P02","rows after rollback":0}}',
    ]);
  }, 60_000);

  it('against the endpoint under test: the same output, line for line', async () => {
    expect(expected.length).toBeGreaterThan(0);
    expect(await clientOutput(candidate!)).toEqual(expected);
  }, 60_000);
});
