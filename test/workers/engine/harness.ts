/**
 * @module Table-driven engine cases inside workerd: SQL in; rows, result OIDs, command tags and
 * SQLSTATEs out, all in one Durable Object per group (cases in a group run in order).
 */
import { env as workerEnv } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import type { Deployment } from '../../../worker/deployment.ts';
import type { Env } from '../../../worker/index.ts';
import type { SqlSession, SqlValue } from '../../../tunnel/types.ts';

const env = workerEnv as unknown as Env;

export interface Case {
  sql: string;
  /** Extended protocol with these parameters (types unspecified) instead of a simple query. */
  params?: SqlValue[];
  rows?: SqlValue[][];
  oids?: number[];
  names?: string[];
  tag?: string;
  /** Expected SQLSTATE of the error. */
  code?: string;
  message?: string;
  detail?: string;
  /** Inferred parameter OIDs (prepare). */
  paramOids?: number[];
}

async function run(s: SqlSession, c: Case) {
  if (c.params || c.paramOids) {
    if (c.paramOids) {
      const p = await s.prepare(c.sql, c.paramOids.map(() => 0));
      expect.soft({ sql: c.sql, error: p.error?.message, paramOids: p.description?.paramOids }).toEqual({ sql: c.sql, error: undefined, paramOids: c.paramOids });
      if (!c.params) return;
    }
    const r = await s.execute(c.sql, c.params!.map(() => 0), c.params!);
    return { error: r.error, result: r.results[0] };
  }
  const r = await s.query(c.sql);
  return { error: r.error, result: r.results[r.results.length - 1] };
}

export async function runGroup(cases: Case[]) {
  const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(crypto.randomUUID()));
  await runInDurableObject(stub, async (instance: Deployment) => {
    const s = await instance.engine.open({ user: 'u', database: 'd', params: {} });
    for (const c of cases) {
      const out = await run(s, c);
      if (!out) continue;
      const { error, result } = out;
      if (c.code) {
        expect.soft({ sql: c.sql, code: error?.sqlstate, ...(c.message && { message: error?.message }), ...(c.detail && { detail: error?.detail }) }).toEqual({
          sql: c.sql,
          code: c.code,
          ...(c.message && { message: c.message }),
          ...(c.detail && { detail: c.detail }),
        });
        continue;
      }
      expect.soft({ sql: c.sql, error: error && `${error.sqlstate} ${error.message}` }).toEqual({ sql: c.sql, error: undefined });
      if (c.rows) expect.soft({ sql: c.sql, rows: result?.rows }).toEqual({ sql: c.sql, rows: c.rows });
      if (c.oids) expect.soft({ sql: c.sql, oids: result?.columns?.map((x) => x.typeOid) }).toEqual({ sql: c.sql, oids: c.oids });
      if (c.names) expect.soft({ sql: c.sql, names: result?.columns?.map((x) => x.name) }).toEqual({ sql: c.sql, names: c.names });
      if (c.tag) expect.soft({ sql: c.sql, tag: result?.tag }).toEqual({ sql: c.sql, tag: c.tag });
    }
  });
}
