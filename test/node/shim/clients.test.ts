/**
 * The shim against real clients over loopback: node-postgres (`pg`), porsager's `postgres` and
 * psql, each authenticating and querying a CannedService (tests of the protocol, not the engine).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShim } from '../../../shim/server.ts';
import { psqlPath } from '../../support/psql.ts';
import { CannedService } from './canned-service.ts';

const PASSWORD = 'sekrit-pw';
const service = new CannedService();
let scram: { port: number; close(): Promise<void> };
let cleartext: { port: number; close(): Promise<void> };

beforeAll(async () => {
  scram = await startShim({ host: '127.0.0.1', port: 0, password: PASSWORD, service });
  cleartext = await startShim({ host: '127.0.0.1', port: 0, password: PASSWORD, auth: 'password', service });
});
afterAll(async () => {
  await scram.close();
  await cleartext.close();
});

function pgClient(port: number, password = PASSWORD): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port, user: 'alice', database: 'db1', password, application_name: 'tests' });
}

describe('pg (node-postgres)', () => {
  it('authenticates with SCRAM-SHA-256 and opens a session with the startup fields', async () => {
    const c = pgClient(scram.port);
    await c.connect();
    const info = service.sessions.at(-1)!.info;
    expect(info).toMatchObject({ user: 'alice', database: 'db1', params: { application_name: 'tests' } });
    const r = await c.query('rows 3');
    expect(r.rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(r.command).toBe('SELECT');
    await c.end();
    await new Promise((r) => setTimeout(r, 20));
    expect(service.sessions.at(-1)!.closed).toBe(true);
  });

  it('authenticates with a cleartext password', async () => {
    const c = pgClient(cleartext.port);
    await c.connect();
    expect((await c.query('rows 1')).rowCount).toBe(1);
    await c.end();
  });

  it.each([
    ['SCRAM', () => scram.port],
    ['cleartext', () => cleartext.port],
  ])('refuses a wrong password (%s) with 28P01', async (_name, port) => {
    const c = pgClient(port(), 'wrong');
    const err = await c.connect().then(() => null, (e: unknown) => e as { code: string; message: string });
    expect(err?.code).toBe('28P01');
    expect(err?.message).toBe('password authentication failed for user "alice"');
  });

  it('reports the server parameters', async () => {
    const c = pgClient(scram.port);
    await c.connect();
    const params = (c as unknown as { connectionParameters: unknown; _parameterStatus?: unknown });
    void params;
    const show = await c.query('SHOW server_version');
    expect(show.fields.map((f) => f.name)).toEqual(['server_version']);
    expect(show.rows).toEqual([{ server_version: '15.8' }]);
    await c.end();
  });

  it('runs parameterised statements through the extended protocol in one execute call', async () => {
    const c = pgClient(scram.port);
    await c.connect();
    const session = service.sessions.at(-1)!;
    const r = await c.query('echo $1::int8, $2', ['1800000000000000001', 'x y']);
    expect(r.rows).toEqual([{ c1: '1800000000000000001', c2: 'x y' }]);
    expect(session.calls.filter((s) => s.startsWith('prepare') || s.startsWith('execute'))).toEqual([
      'execute echo $1::int8, $2 ["1800000000000000001","x y"]',
    ]);
    await c.end();
  });

  it('reports errors with every field', async () => {
    const c = pgClient(scram.port);
    await c.connect();
    const err = (await c.query('fail').catch((e: unknown) => e)) as Record<string, unknown>;
    expect(err).toMatchObject({ code: '23505', constraint: 't_pkey', detail: 'Key (id)=(1) already exists.', position: '7', table: 't', column: 'id', schema: 'public' });
    // The connection stays usable.
    expect((await c.query('rows 2')).rowCount).toBe(2);
    await c.end();
  });

  it('pipelines many queries and answers them in order', async () => {
    const c = pgClient(scram.port);
    await c.connect();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => c.query(`echo $1::int4`, [i])));
    expect(results.map((r) => r.rows[0].c1)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    await c.end();
  });
});

describe('postgres (porsager)', () => {
  it('queries with typed parameters, prepared and not', async () => {
    for (const prepare of [true, false]) {
      const sql = postgres({ host: '127.0.0.1', port: scram.port, user: 'bob', database: 'db', password: PASSWORD, prepare, max: 1, fetch_types: false });
      const rows = await sql.unsafe('echo $1::int8, $2::text, $3::bool', ['9223372036854775807', 'héllo', true]);
      expect([...rows]).toEqual([{ c1: '9223372036854775807', c2: 'héllo', c3: true }]);
      const many = await Promise.all([1, 2, 3].map((n) => sql.unsafe(`rows ${n}`)));
      expect(many.map((r) => r.length)).toEqual([1, 2, 3]);
      await sql.end();
    }
  });

  it('reports an error and carries on', async () => {
    const sql = postgres({ host: '127.0.0.1', port: scram.port, user: 'bob', database: 'db', password: PASSWORD, max: 1, fetch_types: false });
    const err = (await sql.unsafe('fail').catch((e: unknown) => e)) as Record<string, unknown>;
    expect(err).toMatchObject({ code: '23505', constraint_name: 't_pkey' });
    expect([...(await sql.unsafe('rows 1'))]).toEqual([{ n: 1 }]);
    await sql.end();
  });
});

describe('psql', () => {
  const run = promisify(execFile);
  const psql = (port: number, args: string[]) =>
    run(psqlPath(), ['-h', '127.0.0.1', '-p', String(port), '-U', 'carol', '-d', 'x', '-X', '-A', '-t', ...args], {
      env: { ...process.env, PGPASSWORD: PASSWORD, PGCONNECT_TIMEOUT: '5' },
    });

  it('runs a simple query over SCRAM and cleartext', async () => {
    for (const port of [scram.port, cleartext.port]) {
      const { stdout } = await psql(port, ['-c', 'rows 2']);
      expect(stdout).toBe('1\n2\n');
    }
  });

  it('prints notices and errors', async () => {
    const { stderr, stdout } = await psql(scram.port, ['-c', 'notice']);
    expect(stdout).toBe('1\n');
    expect(stderr).toContain('NOTICE:  just so you know');
    const err = await psql(scram.port, ['-c', 'fail']).catch((e: { stderr: string }) => e);
    expect(err.stderr).toContain('ERROR:  duplicate key value violates unique constraint "t_pkey"');
  });
});
