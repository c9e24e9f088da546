/**
 * The same extended-protocol byte sequences sent to a real PostgreSQL 15 and to the shim: the
 * backend message codes must match (portal paging, skip-until-Sync, transaction status,
 * Describe without Execute, Close of unknown names). The shim runs canned statements; each case
 * names the PostgreSQL statement that behaves the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShim } from '../../../shim/server.ts';
import { startPostgres, type Postgres } from '../../support/postgres.ts';
import * as f from './bytes.ts';
import { CannedService } from './canned-service.ts';
import { RawClient, dataRow, rowDescription } from './raw-client.ts';

let pg: Postgres;
let shim: { port: number; close(): Promise<void> };

beforeAll(async () => {
  pg = await startPostgres();
  shim = await startShim({ host: '127.0.0.1', port: 0, password: 'pw', auth: 'password', service: new CannedService() });
}, 30_000);
afterAll(async () => {
  await shim?.close();
  await pg?.stop();
});

/** Canned statement → PostgreSQL statement with the same shape of result. */
const sql = {
  rows2: ['rows 2', 'select n from generate_series(1, 2) n'],
  rows3: ['rows 3', 'select n from generate_series(1, 3) n'],
  fail: ['fail', 'select 1 / (n - 1) from generate_series(1, 1) n'],
  begin: ['begin', 'begin'],
  commit: ['commit', 'commit'],
  insert: ['insert', 'create temp table if not exists t (a int)'],
};
type Which = 0 | 1;
type Script = (s: (k: keyof typeof sql) => string) => Buffer[];

const cases: [string, Script, number][] = [
  ['a page that fills the limit suspends, then SELECT 0', (s) => [f.parse('', s('rows2')), f.bind('', '', [], [], []), f.execute('', 2), f.execute('', 2), f.sync()], 1],
  ['paging past the end and re-executing', (s) => [f.parse('', s('rows3')), f.bind('p', '', [], [], []), f.execute('p', 2), f.execute('p', 2), f.execute('p', 0), f.sync()], 1],
  ['an error skips to Sync', (s) => [f.parse('', s('fail')), f.bind('', '', [], [], []), f.execute(''), f.parse('', s('rows2')), f.bind('', '', [], [], []), f.execute(''), f.sync(), f.parse('', s('rows2')), f.bind('', '', [], [], []), f.execute(''), f.sync()], 2],
  ['transaction status through an error', (s) => [f.query(s('begin')), f.parse('', s('fail')), f.bind('', '', [], [], []), f.execute(''), f.sync(), f.query(s('commit'))], 3],
  // (PostgreSQL refuses Parse and Bind in a failed transaction already; the shim answers them at
  // once, so as not to wait on earlier replies, and refuses the Execute.)
  ['an error the shim raises fails the transaction', (s) => [f.query(s('begin')), f.bind('', 'nope', [], [], []), f.sync(), f.query(s('rows2')), f.query(s('commit'))], 4],
  ['Describe P without Execute', (s) => [f.parse('', s('insert')), f.bind('', '', [], [], []), f.describe('P', ''), f.sync(), f.parse('', s('rows2')), f.bind('', '', [], [], []), f.describe('P', ''), f.sync()], 2],
  ['Close of unknown names, Flush', (s) => [f.close('S', 'nope'), f.close('P', 'nope'), f.flush(), f.sync()], 1],
  ['unknown statement and portal', () => [f.bind('', 'nope', [], [], []), f.sync(), f.execute('nope'), f.sync(), f.describe('S', 'nope'), f.sync()], 3],
  ['an empty query', () => [f.parse('', ''), f.bind('', '', [], [], []), f.describe('P', ''), f.execute(''), f.sync(), f.query('')], 2],
];

async function run(which: Which, script: Script, readies: number): Promise<string> {
  const port = which === 0 ? shim.port : pg.port;
  const { c } = await RawClient.login(port, 'pw', { user: which === 0 ? 'u' : 'postgres', database: 'postgres' });
  c.send(...script((k) => sql[k][which]));
  const out: string[] = [];
  for (let i = 0; i < readies; i++) {
    for (const m of await c.until('Z')) out.push(m.code === 'Z' ? `Z${m.body.toString()}` : m.code === 'E' ? `E` : m.code === 'C' ? `C(${m.body.toString().replace(/\0$/, '')})` : m.code);
  }
  c.end();
  return out.join(' ');
}

describe('extended protocol, shim vs PostgreSQL 15', () => {
  it.each(cases)('%s', async (_name, script, readies) => {
    const [ours, theirs] = [await run(0, script, readies), await run(1, script, readies)];
    expect(ours.replace(/C\((CREATE TABLE|INSERT 0 1|BEGIN|COMMIT|ROLLBACK)\)/g, 'C(cmd)')).toBe(theirs.replace(/C\((CREATE TABLE|INSERT 0 1|BEGIN|COMMIT|ROLLBACK)\)/g, 'C(cmd)'));
  });
});

/** What the canned `types` statement returns, as PostgreSQL computes it. */
const typesSql = `select true as b, (-32768)::int2 as i2, 2147483647::int4 as i4, 1800000000000000001::int8 as i8,
  (-9223372036854775808)::int8 as i8min, 1.5::float4 as f4, (-0.1)::float8 as f8, '-12345678901234567890.000123'::numeric as num,
  'héllo ☃'::text as txt, '\\x0001feff'::bytea as by, ''::bytea as empty, '{"a": 1}'::json as js, '{"a": 1}'::jsonb as jsb,
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, '2024-01-02'::date as d, '2024-01-02 03:04:05.123456'::timestamp as ts,
  '2024-01-02 03:04:05+00'::timestamptz as tz, array[1, null, -1]::int8[] as arr, array['a b', null, '"q"', '']::text[] as tarr, null::text as nul`;

describe('result encoding, shim vs PostgreSQL 15', () => {
  it.each([0, 1])('RowDescription and DataRow bytes match in format %i', async (format) => {
    const results = [];
    for (const which of [0, 1] as Which[]) {
      const { c } = await RawClient.login(which === 0 ? shim.port : pg.port, 'pw', { user: which === 0 ? 'u' : 'postgres', database: 'postgres' });
      c.send(f.parse('', which === 0 ? 'types' : typesSql), f.bind('', '', [], [], [format]), f.describe('P', ''), f.execute(''), f.sync());
      const out = await c.until('Z');
      c.end();
      results.push({ columns: rowDescription(out[2]), row: dataRow(out[3]) });
    }
    expect(results[0]).toEqual(results[1]);
  });
});
