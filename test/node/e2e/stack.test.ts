/**
 * The whole local stack, as `npm start` runs it: real clients (psql, pg, postgres) over real
 * sockets → shim → tunnel → Durable Object in workerd → SQLite persisted on disk.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../scripts/stack.ts';
import { psqlPath } from '../../support/psql.ts';

const PASSWORD = 'e2e-password';
let stateDir: string;
let stack: Stack;

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'stack-e2e-'));
  stack = await startStack({ stateDir, shimPort: 0, password: PASSWORD });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

/** psql runs as a child process; async, since the shim serving it lives in this process. */
async function psql(url: string, sql: string): Promise<string> {
  const { stdout } = await promisify(execFile)(psqlPath(), [url, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', timeout: 20_000 });
  return stdout.trim();
}

describe('the local stack', () => {
  it('stores and returns int8, bytea and NULL exactly through psql', async () => {
    await psql(stack.url, 'CREATE TABLE t (id int8 PRIMARY KEY, b bytea, n text)');
    await psql(stack.url, "INSERT INTO t VALUES (1800000000000000001::int8, '\\xdeadbeef', NULL)");
    expect(await psql(stack.url, 'SELECT id, b, n IS NULL FROM t')).toBe('1800000000000000001|\\xdeadbeef|t');
  });

  it('refuses a wrong password with 28P01', async () => {
    const client = new pg.Client({ connectionString: stack.url.replace(PASSWORD, 'nope') });
    await expect(client.connect()).rejects.toMatchObject({ code: '28P01' });
  });

  it('serves pg (extended protocol, text results) with parameters', async () => {
    const client = new pg.Client({ connectionString: stack.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE pg_t (id int8 PRIMARY KEY, v text)');
      const ins = await client.query('INSERT INTO pg_t (id, v) VALUES ($1, $2), ($3, $4) RETURNING id', ['9223372036854775807', 'max', '-1', null]);
      expect(ins.command).toBe('INSERT');
      expect(ins.rowCount).toBe(2);
      const res = await client.query('SELECT id, v FROM pg_t WHERE id > $1 ORDER BY id', ['-2']);
      expect(res.rows).toEqual([
        { id: '-1', v: null },
        { id: '9223372036854775807', v: 'max' },
      ]);
      expect(res.fields.map((f) => f.dataTypeID)).toEqual([20, 25]);
      await expect(client.query('SELECT * FROM missing')).rejects.toMatchObject({ code: '42P01' });
      await expect(client.query('INSERT INTO pg_t VALUES (-1, $1)', ['dup'])).rejects.toMatchObject({ code: '23505' });
    } finally {
      await client.end();
    }
  });

  it('serves postgres (porsager) with binary-safe bytea and many connections', async () => {
    const sql = postgres(stack.url, { max: 8, prepare: true });
    try {
      await sql`CREATE TABLE pj (id int4 PRIMARY KEY, b bytea)`;
      const bytes = Buffer.from([0, 1, 2, 255]);
      await sql`INSERT INTO pj VALUES (${1}, ${bytes}), (${2}, ${Buffer.alloc(0)})`;
      const rows = await sql`SELECT id, b FROM pj ORDER BY id`;
      expect(rows.map((r) => [r.id, Buffer.from(r.b).toString('hex')])).toEqual([
        [1, '000102ff'],
        [2, ''],
      ]);
      const counts = await Promise.all(Array.from({ length: 24 }, () => sql`SELECT count(*)::int4 AS n FROM pj`));
      expect(counts.every((r) => r[0].n === 2)).toBe(true);
    } finally {
      await sql.end();
    }
  });

  it('keeps the data across a restart', async () => {
    await stack.stop();
    stack = await startStack({ stateDir, shimPort: 0, password: PASSWORD });
    expect(await psql(stack.url, 'SELECT id FROM t')).toBe('1800000000000000001');
  }, 120_000);
});
