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
