/**
 * @module What the multi-session tests share: one server per target for a describe block, a
 * fresh schema per test (so tests never see each other's tables), sessions opened into it,
 * and a way to tell whether a statement is still waiting.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { Session } from './client.ts';
import type { Endpoint, Target } from './targets.ts';

export interface Fixture {
  readonly server: Endpoint;
  /** Creates a fresh schema, runs `setup` in it and returns a way to open sessions there. */
  schema(setup: string[]): Promise<{ name: string; open: () => Promise<Session> }>;
}

/** Registers beforeAll/afterAll for one target; sessions opened through it are closed after each test. */
export function useTarget(target: Target): Fixture {
  let server: Endpoint | undefined;
  let count = 0;
  const open: Session[] = [];
  beforeAll(async () => {
    server = await target.start();
  }, 120_000);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.end()));
  });
  afterAll(async () => {
    await server?.stop();
  }, 60_000);
  return {
    get server() {
      if (!server) throw new Error(`${target.name} did not start`);
      return server;
    },
    async schema(setup) {
      const url = this.server.url;
      const name = `tx_${++count}`;
      const admin = await Session.open(url);
      try {
        await admin.rows(`CREATE SCHEMA ${name}`);
        await admin.rows(`SET search_path TO ${name}`);
        for (const sql of setup) await admin.rows(sql);
      } finally {
        await admin.end();
      }
      return {
        name,
        async open() {
          const s = await Session.open(url, name);
          open.push(s);
          return s;
        },
      };
    },
  };
}

/**
 * Gives a statement sent just before the time to reach the server and, if it does not wait,
 * to finish. Only ever used before asserting that something is STILL waiting or came later:
 * on a slow machine a wrong server may pass such a check, a right one never fails it.
 */
export function pause(ms = 300): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Tracks whether a promise has settled, without awaiting it. */
export function track<T>(p: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  const promise = p.finally(() => {
    done = true;
  });
  return { promise, settled: () => done };
}
