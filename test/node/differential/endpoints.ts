/**
 * @module The two ends of a differential run: the reference PostgreSQL 15 and our stack
 * (shim → tunnel → Durable Object in miniflare), each a URL that the same client connects to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPostgres } from '../../support/postgres.ts';

export interface Endpoint {
  label: string;
  url: string;
  stop(): Promise<void>;
}

export async function startReference(): Promise<Endpoint> {
  const pg = await startPostgres();
  return { label: `PostgreSQL 15 (started in ${pg.startMs} ms)`, url: pg.url, stop: pg.stop };
}

/** Our whole stack on a fresh state dir. Imported lazily: it needs the shim's server module. */
export async function startOurStack(): Promise<Endpoint> {
  const { startStack } = await import('../../../scripts/stack.ts');
  const stateDir = mkdtempSync(path.join(tmpdir(), 'differential-stack-'));
  const started = performance.now();
  try {
    const stack = await startStack({ stateDir, shimPort: 0, password: 'differential' });
    return {
      label: `our stack (started in ${Math.round(performance.now() - started)} ms)`,
      url: stack.url,
      async stop() {
        try {
          await stack.stop();
        } finally {
          rmSync(stateDir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Starts both ends at once. If either fails, the other is stopped before the error is thrown:
 * a failed beforeAll must not leave a PostgreSQL or a workerd running.
 */
/** startPair while `work` (a build, say) runs; when either fails, whatever started is stopped. */
export async function startPairWhile(work: Promise<unknown>, a: () => Promise<Endpoint>, b: () => Promise<Endpoint>): Promise<[Endpoint, Endpoint]> {
  const [done, pair] = await Promise.allSettled([work, startPair(a, b)]);
  if (done.status === 'fulfilled' && pair.status === 'fulfilled') return pair.value;
  if (pair.status === 'fulfilled') await Promise.allSettled(pair.value.map((e) => e.stop()));
  throw done.status === 'rejected' ? done.reason : (pair as PromiseRejectedResult).reason;
}

export async function startPair(a: () => Promise<Endpoint>, b: () => Promise<Endpoint>): Promise<[Endpoint, Endpoint]> {
  const [x, y] = await Promise.allSettled([a(), b()]);
  if (x.status === 'fulfilled' && y.status === 'fulfilled') return [x.value, y.value];
  await Promise.allSettled([x, y].map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
  throw (x.status === 'rejected' ? x.reason : (y as PromiseRejectedResult).reason) as Error;
}
