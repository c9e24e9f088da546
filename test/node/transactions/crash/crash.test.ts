/**
 * Crash safety of transactions on our stack: a transactional workload (ledger.ts) runs on
 * several connections while workerd (the Durable Object's runtime) or, in other rounds, the
 * shim process is SIGKILLed at a random moment; after each restart on the same state an
 * invariant checker confirms that every acknowledged COMMIT is present, no transaction is
 * partial, nothing uncommitted is visible and each counter matches its ledger rows.
 * Our stack only: PostgreSQL's own crash safety is not in question here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../client.ts';
import { check, LEDGER, runClient, type Tx } from './ledger.ts';
import { SplitStack } from './split-stack.ts';
import { prng } from '../../../support/prng.ts';

const ROUNDS = 10;
const CLIENTS = 4;

/** A session once the stack answers again (it may be restarting); bounded so a dead stack fails. */
async function whenUp(url: string, boundMs = 30_000): Promise<Session> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    try {
      const s = await Session.open(url);
      if ((await s.run('SELECT 1')).error === undefined) return s;
      await s.end();
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`the stack did not answer within ${boundMs} ms after a crash`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('crash safety of transactions on our stack', () => {
  let stateDir: string;
  let stack: SplitStack;

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'tx-crash-'));
    stack = await SplitStack.start(stateDir);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it(`${ROUNDS} rounds, workerd and the shim killed in turn at random points: every acknowledged COMMIT survives, no partial or uncommitted transaction is visible`, async () => {
    const seed = Date.now() % 100_000;
    const random = prng(seed);
    const clients = Array.from({ length: ROUNDS * CLIENTS }, (_, i) => i);
    const setup = await whenUp(stack.url);
    for (const sql of LEDGER) await setup.rows(sql);
    await setup.rows(`INSERT INTO counters SELECT g, 0 FROM generate_series(0, ${clients.length - 1}) AS g`);
    await setup.end();

    const log: Tx[] = [];
    const rounds: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const victim = round % 2 === 0 ? 'workerd' : 'shim';
      const sessions = await Promise.all(Array.from({ length: CLIENTS }, () => whenUp(stack.url)));
      let stopping = false;
      const work = sessions.map((s, i) => runClient(s, round * CLIENTS + i, (round * CLIENTS + i) * 100_000, prng(seed * 31 + round * CLIENTS + i), log, () => stopping));
      const before = log.length;
      await new Promise((r) => setTimeout(r, 100 + random() * 800));
      if (victim === 'workerd') stack.killWorkerd();
      else await stack.killShim();
      const during = log.length - before;
      stopping = true;
      await Promise.all(work);
      await Promise.all(sessions.map((s) => s.end()));
      if (victim === 'shim') await stack.restartShim();

      const checker = await whenUp(stack.url);
      const verdict = await check(checker, log, clients);
      await checker.end();
      rounds.push(`round ${round + 1} (${victim} killed after ${during} transactions started); so far ${verdict.present} present, ${verdict.acknowledged} acknowledged, in doubt ${verdict.inDoubtPresent} kept / ${verdict.inDoubtAbsent} lost`);
      expect(verdict.violations, `seed ${seed}, round ${round + 1}, ${victim} killed`).toEqual([]);
    }
    console.log(`crash rounds (seed ${seed}):\n  ${rounds.join('\n  ')}`);
    // The workload did commit things, and crashes did land mid-transaction.
    expect(log.filter((t) => t.fate === 'acknowledged').length).toBeGreaterThan(ROUNDS * CLIENTS);
  }, 120_000);
});
