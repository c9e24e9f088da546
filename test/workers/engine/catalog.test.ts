/**
 * The catalog's memory copy is kept up to date by each DDL in place of a reload; after any
 * sequence of DDL (including failures that roll back) it must equal what a fresh Catalog reads
 * back from the pg_meta tables.
 */
import { env as workerEnv } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { expect, it } from 'vitest';
import type { Deployment } from '../../../worker/deployment.ts';
import type { Env } from '../../../worker/index.ts';
import { Catalog } from '../../../worker/engine/catalog.ts';

const env = workerEnv as unknown as Env;

/** Everything a translation can ask the catalog, in a comparable shape. */
function snapshot(c: Catalog) {
  return {
    schemas: c.schemas(),
    tables: c.allTables().map((t) => ({ ...t, byOid: c.tableByOid(t.oid) === c.table(t.schema, t.name), indexes: c.indexesOf(t.oid) })),
  };
}

it('keeps its memory copy equal to what it stores, through creates, drops and failed DDL', async () => {
  const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(crypto.randomUUID()));
  await runInDurableObject(stub, async (instance: Deployment, state) => {
    const s = await instance.engine.open({ user: 'u', database: 'd', params: {} });
    const steps: [string, string?][] = [
      ['CREATE SCHEMA a'],
      ['CREATE TABLE a.t (id int8 PRIMARY KEY, v text UNIQUE, n serial, g int4 GENERATED ALWAYS AS IDENTITY)'],
      ['CREATE TABLE u (x int4, y int4)'],
      ["INSERT INTO u VALUES (1, 1), (1, 2)"],
      ['ALTER TABLE u ADD PRIMARY KEY (x)', '23505'],
      ['ALTER TABLE u ADD CONSTRAINT u_k UNIQUE (x, y)'],
      ['CREATE INDEX u_y ON u (y)'],
      ['CREATE TABLE p (a int4, b int4)'],
      ['ALTER TABLE p ADD PRIMARY KEY (a)'],
      ['CREATE TABLE u (z int4)', '42P07'],
      ['CREATE TABLE w (k bytea, PRIMARY KEY (k), UNIQUE (k, k))', '42701'],
      ['DROP INDEX u_k', '2BP01'],
      ['ALTER TABLE u ADD UNIQUE (y, y)', '42701'],
      ['DROP INDEX u_y'],
      ['CREATE TABLE a.v (id serial PRIMARY KEY)'],
      ['DROP TABLE a.t'],
      ['CREATE TABLE a.t (id int8)'],
      ['CREATE SCHEMA b; CREATE TABLE b.x (id int4 PRIMARY KEY); CREATE TABLE b.x (id int4)', '42P07'],
      ['CREATE SCHEMA b; CREATE TABLE b.x (id int4 PRIMARY KEY)'],
      ['DROP SCHEMA b CASCADE'],
    ];
    for (const [sql, code] of steps) {
      const r = await s.query(sql);
      if (code) expect.soft({ sql, code: r.error?.sqlstate }).toEqual({ sql, code });
      else if (r.error && !r.error.sqlstate.startsWith('0A')) expect.soft({ sql, error: r.error.message }).toEqual({ sql, error: undefined });
      expect.soft({ sql, catalog: snapshot(instance.engine.catalog) }).toEqual({ sql, catalog: snapshot(new Catalog(state.storage.sql)) });
    }
    // The steps above did change it: the schemas and tables that should exist, do.
    expect(instance.engine.catalog.allTables().map((t) => `${t.schema}.${t.name}`).sort()).toEqual(['a.t', 'a.v', 'public.p', 'public.u']);
    expect(instance.engine.catalog.indexesOf(instance.engine.catalog.table('public', 'u')!.oid).map((i) => i.name)).toEqual(['u_k']);
  });
});
