/**
 * COPY … FROM STDIN BINARY against PostgreSQL 15 and our stack (shim → tunnel → DO):
 * the same protocol byte sequences, compared message by message (CopyInResponse, the Sync a
 * client sends in copy mode ignored, rows split across CopyData chunks, CopyDone, CopyFail,
 * bad data, unexpected messages, duplicate keys all or nothing, COPY inside a transaction);
 * then psql's `\copy … (format binary)` of a file PostgreSQL wrote. tokio-postgres's
 * `copy_in` (Convex's import path) is covered by persistence-suite.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psqlPath } from '../support/psql.ts';
import { type Endpoint, startPair, startReference } from './differential/endpoints.ts';
import * as f from './shim/bytes.ts';
import { fields, RawClient, type Msg } from './shim/raw-client.ts';

const run = promisify(execFile);
let reference: Endpoint | undefined;
let candidate: Endpoint | undefined;
let dir: string;

/** Our stack with cleartext password auth, which the raw protocol client speaks. */
async function startOurs(): Promise<Endpoint> {
  const { startStack } = await import('../../scripts/stack.ts');
  const stateDir = mkdtempSync(path.join(tmpdir(), 'copy-stack-'));
  const stack = await startStack({ stateDir, shimPort: 0, password: 'copy', auth: 'password' }).catch((e: unknown) => {
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  });
  return {
    label: 'our stack',
    url: stack.url,
    async stop() {
      await stack.stop().finally(() => rmSync(stateDir, { recursive: true, force: true }));
    },
  };
}

beforeAll(async () => {
  [reference, candidate] = await startPair(startReference, startOurs);
  dir = mkdtempSync(path.join(tmpdir(), 'copy-from-stdin-'));
}, 300_000);

afterAll(async () => {
  await Promise.all([reference?.stop(), candidate?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function login(endpoint: Endpoint): Promise<RawClient> {
  const url = new URL(endpoint.url);
  const { c } = await RawClient.login(Number(url.port), decodeURIComponent(url.password), { user: url.username, database: url.pathname.slice(1) });
  return c;
}

/** Messages as comparable text: codes, with tags, SQLSTATEs and transaction status. */
function summary(messages: Msg[]): string[] {
  return messages.map((m) => {
    if (m.code === 'Z') return `Z${m.body.toString()}`;
    if (m.code === 'E') return `E${fields(m).C}`;
    if (m.code === 'C') return `C(${m.body.toString().replace(/\0$/, '')})`;
    if (m.code === 'G') return `G${m.body.toString('hex')}`;
    return m.code;
  });
}

/** Sends the script at once and reads through `readies` ReadyForQuery messages. */
async function exchange(endpoint: Endpoint, script: Buffer[], readies: number): Promise<string[]> {
  const c = await login(endpoint);
  try {
    c.send(...script);
    const out: Msg[] = [];
    for (let i = 0; i < readies; i++) out.push(...(await c.until('Z')));
    return summary(out);
  } finally {
    c.end();
  }
}

// --- binary COPY data, built here byte by byte ---

const SIGNATURE = [...Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')];

function int8(v: bigint): number[] {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return [...b];
}

/** Rows of (id int8, b bytea, t text, flag bool); `payload` bytes of bytea make a row large. */
function copyData(ids: bigint[], payload = 3, trailer = true): Buffer {
  const b = f.bytes().raw(SIGNATURE).int32(0).int32(0);
  for (const id of ids) {
    const text = [...Buffer.from(`row ${id} ☃`, 'utf8')];
    b.int16(4).int32(8).raw(int8(id));
    if (id % 3n === 0n) b.int32(-1);
    else b.int32(payload).raw(Array.from({ length: payload }, (_, i) => (i + Number(id)) & 0xff));
    b.int32(text.length).raw(text).int32(1).byte(Number(id % 2n));
  }
  if (trailer) b.int16(-1);
  return b.build();
}

const copyDataMsg = (data: Buffer) => f.msg('d', f.bytes().raw(data));
const copyDone = () => f.msg('c');
const copyFail = (message: string) => f.msg('f', f.bytes().cstring(message));

/** The data cut into CopyData messages at the given offsets (rows straddle them). */
function chunked(data: Buffer, cuts: number[]): Buffer[] {
  const at = [0, ...cuts, data.length];
  return at.slice(1).map((end, i) => copyDataMsg(data.subarray(at[i], end)));
}

const COLUMNS = '(id int8 PRIMARY KEY, b bytea, t text, flag bool)';
const contents = (table: string) => f.query(`SELECT id, b, t, flag FROM ${table} ORDER BY id`);

/** Each endpoint's answers to the same script; they must be equal. */
async function both(script: (table: string) => Buffer[], readies: number, table: string): Promise<[string[], string[]]> {
  const setup = [f.query(`CREATE TABLE ${table} ${COLUMNS}`)];
  return Promise.all(
    [reference!, candidate!].map(async (e) => {
      const out = await exchange(e, [...setup, ...script(table)], readies + 1);
      return out.slice(out.indexOf('ZI') + 1);
    }),
  ) as Promise<[string[], string[]]>;
}

describe('COPY FROM STDIN BINARY, byte for byte against PostgreSQL 15', () => {
  const cases: [string, (t: string) => Buffer[], number, string[]][] = [
    [
      'extended protocol as tokio-postgres sends it: Bind/Execute/Sync, data split mid-row, CopyDone, Sync',
      (t) => {
        const data = copyData([1n, 2n, 3n, 1_800_000_000_000_000_000n], 5000);
        return [f.parse('', `COPY ${t} (id, b, t, flag) FROM STDIN BINARY`), f.bind('', '', [], [], []), f.execute(''), f.sync(), ...chunked(data, [7, 19, 4096, 9000, 9001]), copyDone(), f.sync(), contents(t)];
      },
      2,
      ['1', '2', 'G0100040001000100010001', 'C(COPY 4)', 'ZI', 'T', 'D', 'D', 'D', 'D', 'C(SELECT 4)', 'ZI'],
    ],
    [
      'simple Query, no column list, no trailer, one CopyData per byte of the header',
      (t) => {
        const data = copyData([5n, 6n], 3, false);
        return [f.query(`COPY ${t} FROM STDIN (FORMAT binary)`), ...chunked(data, Array.from({ length: 19 }, (_, i) => i + 1)), copyDone(), contents(t)];
      },
      2,
      ['G0100040001000100010001', 'C(COPY 2)', 'ZI', 'T', 'D', 'D', 'C(SELECT 2)', 'ZI'],
    ],
    [
      'CopyFail (extended): 57014, nothing written, the connection goes on',
      (t) => [f.parse('', `COPY ${t} FROM STDIN BINARY`), f.bind('', '', [], [], []), f.execute(''), f.sync(), copyDataMsg(copyData([1n, 2n])), copyFail('client gave up'), f.sync(), contents(t)],
      2,
      ['1', '2', 'G0100040001000100010001', 'E57014', 'ZI', 'T', 'C(SELECT 0)', 'ZI'],
    ],
    [
      'a bad signature fails the COPY (22P04); the CopyData and CopyDone after it are dropped',
      (t) => [f.query(`COPY ${t} FROM STDIN BINARY`), copyDataMsg(Buffer.from('not a copy file at all')), copyDataMsg(copyData([1n])), copyDone(), contents(t)],
      2,
      ['G0100040001000100010001', 'E22P04', 'ZI', 'T', 'C(SELECT 0)', 'ZI'],
    ],
    [
      'data cut inside a row at CopyDone (22P04)',
      (t) => {
        const data = copyData([1n, 2n], 3, false);
        return [f.query(`COPY ${t} FROM STDIN BINARY`), copyDataMsg(data.subarray(0, data.length - 2)), copyDone(), contents(t)];
      },
      2,
      ['G0100040001000100010001', 'E22P04', 'ZI', 'T', 'C(SELECT 0)', 'ZI'],
    ],
    [
      'a duplicate key fails the whole COPY (23505): all rows or none',
      (t) => [f.query(`INSERT INTO ${t} (id) VALUES (2)`), f.query(`COPY ${t} FROM STDIN BINARY`), copyDataMsg(copyData([1n, 3n, 2n, 4n])), copyDone(), contents(t)],
      3,
      ['C(INSERT 0 1)', 'ZI', 'G0100040001000100010001', 'E23505', 'ZI', 'T', 'D', 'C(SELECT 1)', 'ZI'],
    ],
    [
      'an unknown table (42P01) and an unknown column (42703) fail before copy mode',
      (t) => [f.query('COPY no_such_table FROM STDIN BINARY'), f.query(`COPY ${t} (id, nope) FROM STDIN BINARY`), copyDataMsg(copyData([1n])), copyDone(), contents(t)],
      3,
      ['E42P01', 'ZI', 'E42703', 'ZI', 'T', 'C(SELECT 0)', 'ZI'],
    ],
    [
      'inside a transaction: COPY then ROLLBACK leaves nothing; COPY then COMMIT keeps its rows',
      (t) => [
        f.query('BEGIN'),
        f.query(`COPY ${t} FROM STDIN BINARY`),
        copyDataMsg(copyData([1n, 2n])),
        copyDone(),
        f.query('ROLLBACK'),
        f.query('START TRANSACTION'),
        f.query(`COPY ${t} FROM STDIN BINARY`),
        copyDataMsg(copyData([7n])),
        copyDone(),
        f.query('COMMIT'),
        contents(t),
      ],
      7,
      ['C(BEGIN)', 'ZT', 'G0100040001000100010001', 'C(COPY 2)', 'ZT', 'C(ROLLBACK)', 'ZI', 'C(START TRANSACTION)', 'ZT', 'G0100040001000100010001', 'C(COPY 1)', 'ZT', 'C(COMMIT)', 'ZI', 'T', 'D', 'C(SELECT 1)', 'ZI'],
    ],
    [
      'a failed COPY inside a transaction aborts it (25P02 until ROLLBACK)',
      (t) => [f.query('BEGIN'), f.query(`COPY ${t} FROM STDIN BINARY`), copyFail('stop'), f.query('SELECT 1'), f.query('ROLLBACK')],
      4,
      ['C(BEGIN)', 'ZT', 'G0100040001000100010001', 'E57014', 'ZE', 'E25P02', 'ZE', 'C(ROLLBACK)', 'ZI'],
    ],
  ];
  cases.forEach(([name, script, readies, expected], i) => {
    it(name, async () => {
      const [pg, ours] = await both(script, readies, `copy_case_${i}`);
      expect(pg, 'PostgreSQL 15').toEqual(expected);
      expect(ours).toEqual(pg);
    }, 60_000);
  });

  it('a Query during COPY is a protocol violation: ERROR, then FATAL, and the connection ends (08P01)', async () => {
    const read = async (e: Endpoint) => {
      const c = await login(e);
      c.send(f.query(`CREATE TABLE copy_violation ${COLUMNS}`), f.query('COPY copy_violation FROM STDIN BINARY'), copyDataMsg(copyData([1n])), f.query('SELECT 1'), copyDone());
      const out: Msg[] = [];
      for (;;) {
        const m = await c.next().catch(() => undefined);
        if (!m) return summary(out);
        out.push(m);
      }
    };
    const [pg, ours] = await Promise.all([read(reference!), read(candidate!)]);
    expect(pg).toEqual(['C(CREATE TABLE)', 'ZI', 'G0100040001000100010001', 'E08P01', 'E08P01']);
    expect(ours).toEqual(pg);
  }, 60_000);

  it('rows come back exactly as PostgreSQL stores them (int8 beyond 2^53, empty and NULL bytea, UTF-8)', async () => {
    const table = 'copy_values';
    const script = [f.query(`CREATE TABLE ${table} ${COLUMNS}`), f.query(`COPY ${table} FROM STDIN BINARY`), ...chunked(copyData([1n, 2n, 3n, -1n, 9_223_372_036_854_775_807n], 0), [30, 31, 60]), copyDone()];
    const read = async (e: Endpoint) => {
      const c = await login(e);
      try {
        c.send(...script, f.parse('', `SELECT id, b, t, flag FROM ${table} ORDER BY id`), f.bind('', '', [], [], [1]), f.execute(''), f.sync());
        for (let i = 0; i < 2; i++) await c.until('Z');
        return (await c.until('Z')).filter((m) => m.code === 'D').map((m) => m.body.toString('hex'));
      } finally {
        c.end();
      }
    };
    const [pg, ours] = await Promise.all([read(reference!), read(candidate!)]);
    expect(pg).toHaveLength(5);
    expect(ours).toEqual(pg);
  }, 60_000);

  it('refuses COPY FROM STDIN in text format with 0A000 (PostgreSQL accepts it: a known gap)', async () => {
    const ours = await exchange(candidate!, [f.query(`CREATE TABLE copy_text ${COLUMNS}`), f.query('COPY copy_text FROM STDIN'), copyDataMsg(Buffer.from('1\t\\x00\tx\tt\n')), copyDone()], 2);
    expect(ours).toEqual(['C(CREATE TABLE)', 'ZI', 'E0A000', 'ZI']);
  }, 60_000);
});

describe("psql's \\copy … (format binary)", () => {
  it('loads a file PostgreSQL wrote into our stack: the same rows, and a second load fails as a whole', async () => {
    const psql = psqlPath();
    const file = path.join(dir, 'rows.bin');
    const sql = (e: Endpoint, ...commands: string[]) =>
      run(psql, [e.url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...commands.flatMap((c) => ['-c', c])], { maxBuffer: 64 << 20 }).then((r) => r.stdout);
    const create = `CREATE TABLE psql_rows (id int8 PRIMARY KEY, b bytea, t text, flag bool, n int4)`;
    await sql(
      reference!,
      create,
      `INSERT INTO psql_rows SELECT g * 1000000000000000, CASE WHEN g % 7 = 0 THEN NULL ELSE decode(repeat(to_hex(g % 16), g % 50 * 20 + 2), 'hex') END, 'row ' || g || ' é', g % 2 = 0, CASE WHEN g % 5 = 0 THEN NULL ELSE g END FROM generate_series(1, 3000) g`,
      `\\copy psql_rows TO '${file}' (format binary)`,
    );
    // psql reads the file in chunks of its own size: rows straddle CopyData messages.
    expect(statSync(file).size).toBeGreaterThan(100_000);
    await sql(candidate!, create, `\\copy psql_rows FROM '${file}' (format binary)`);
    const select = 'SELECT id, b, t, flag, n FROM psql_rows ORDER BY id';
    const [pg, ours] = await Promise.all([sql(reference!, select), sql(candidate!, select)]);
    expect(pg.trim().split('\n')).toHaveLength(3000);
    expect(ours).toEqual(pg);
    // Every row collides: the second load fails and writes nothing.
    const again = await run(psql, [candidate!.url, '-X', '-q', '-c', `\\copy psql_rows FROM '${file}' (format binary)`]).catch((e: { stderr: string }) => e);
    expect((again as { stderr: string }).stderr).toMatch(/duplicate key value violates unique constraint "psql_rows_pkey"/);
    expect((await sql(candidate!, 'SELECT count(*) FROM psql_rows')).trim()).toBe('3000');
  }, 120_000);

  it('a COPY larger than one statement can hold (48 MiB, outside a transaction) loads whole, and one failing row late in it writes nothing', async () => {
    const psql = psqlPath();
    const sql = (e: Endpoint, ...commands: string[]) =>
      run(psql, [e.url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...commands.flatMap((c) => ['-c', c])], { maxBuffer: 256 << 20 }).then((r) => r.stdout);
    const create = 'CREATE TABLE psql_big (id int8 PRIMARY KEY, b bytea)';
    const big = path.join(dir, 'big.bin');
    const late = path.join(dir, 'late-duplicate.bin');
    // 48 rows of 1 MiB each; the second file: 48 new rows, then a copy of row 1 at the very end.
    const rows = (from: number, to: number) => `SELECT g::int8, decode(repeat(lpad(to_hex(g % 256), 2, '0'), 1048576), 'hex') FROM generate_series(${from}, ${to}) g`;
    await sql(reference!, `\\copy (${rows(1, 48)}) TO '${big}' (format binary)`, `\\copy (${rows(49, 96)} UNION ALL ${rows(1, 1)}) TO '${late}' (format binary)`);
    expect(statSync(big).size).toBeGreaterThan(48 << 20);
    await sql(candidate!, create, `\\copy psql_big FROM '${big}' (format binary)`);
    expect((await sql(candidate!, 'SELECT count(*), sum(length(b)) FROM psql_big')).trim()).toBe(`48|${48 << 20}`);
    // Byte for byte, a dozen rows per result (a DO holds a whole result in memory).
    for (let from = 1; from <= 48; from += 12) {
      const ours = await sql(candidate!, `SELECT id, b FROM psql_big WHERE id BETWEEN ${from} AND ${from + 11} ORDER BY id`);
      const theirs = await sql(reference!, `${rows(from, from + 11)} ORDER BY 1`);
      expect(ours === theirs, `rows ${from}-${from + 11}`).toBe(true);
    }
    const again = await run(psql, [candidate!.url, '-X', '-q', '-c', `\\copy psql_big FROM '${late}' (format binary)`], { maxBuffer: 64 << 20 }).catch((e: { stderr: string }) => e);
    expect((again as { stderr: string }).stderr).toMatch(/duplicate key value violates unique constraint "psql_big_pkey"/);
    expect((await sql(candidate!, 'SELECT count(*), max(id) FROM psql_big')).trim()).toBe('48|48');
  }, 180_000);
});
