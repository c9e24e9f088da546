/**
 * Transaction control in one session, against PostgreSQL 15 and our stack: each sequence of
 * sequences.ts runs on a fresh connection in its own schema, once in the simple query protocol
 * and once in the extended one (Parse/Bind/Execute/Sync, as Convex's driver sends everything),
 * and every step's outcome must be exactly the one PostgreSQL gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from './client.ts';
import { sequences } from './sequences.ts';
import { type Endpoint, targets } from './targets.ts';

for (const target of targets) {
  describe(`single-session transactions on ${target.name}`, () => {
    let server: Endpoint;
    let schemas = 0;
    beforeAll(async () => {
      server = await target.start();
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    }, 60_000);

    for (const protocol of ['simple', 'extended'] as const) {
      for (const seq of sequences) {
        if (protocol === 'extended' && seq.simpleOnly) continue;
        it(`${protocol}: ${seq.name}`, async () => {
          const schema = `seq_${++schemas}`;
          const session = await Session.open(server.url);
          try {
            await session.rows(`CREATE SCHEMA ${schema}`);
            await session.rows(`SET search_path TO ${schema}`);
            await session.rows('CREATE TABLE t (id int8 PRIMARY KEY, v text)');
            await session.rows("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
            for (const [i, step] of seq.steps.entries()) {
              const got = await session.run(step.sql, { params: step.params, extended: protocol === 'extended' });
              expect(got, `step ${i + 1}: ${step.sql} answered ${JSON.stringify(got)}`).toEqual(step.expect);
            }
          } finally {
            await session.end();
          }
        });
      }
    }
  });
}
