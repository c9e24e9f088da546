/**
 * Many sessions at once, against PostgreSQL 15 and our stack: a bank-transfer invariant (money
 * is neither created nor lost, every acknowledged transfer is there exactly once, no lost update)
 * and Convex's committer: 16 write transactions open at once on separate connections, each
 * pipelining its lease check (FOR SHARE) and UNNEST batch inserts, all present afterwards.
 */
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import type { Session } from './client.ts';
import { useTarget } from './fixture.ts';
import { targets } from './targets.ts';
import { prng } from '../../support/prng.ts';

const ACCOUNTS = 10;
const START_BALANCE = 1000;
const CLIENTS = 8;
const TRANSFERS_PER_CLIENT = 20;

interface Transfer {
  client: number;
  seq: number;
  from: number;
  to: number;
  amount: number;
}

const BANK = [
  'CREATE TABLE accounts (id int8 PRIMARY KEY, balance int8 NOT NULL)',
  `INSERT INTO accounts SELECT g, ${START_BALANCE} FROM generate_series(1, ${ACCOUNTS}) AS g`,
  'CREATE TABLE transfers (client int8, seq int8, src int8, dst int8, amount int8, PRIMARY KEY (client, seq))',
];

/** Reads both balances under FOR UPDATE and writes back values computed here: without the row locks, concurrent transfers would overwrite each other. */
async function transferWithLockingRead(s: Session, t: Transfer): Promise<boolean> {
  await s.rows('BEGIN');
  const rows = await s.rows('SELECT id, balance FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR UPDATE', [t.from, t.to]);
  const balance = new Map(rows.map(([id, b]) => [Number(id), Number(b)]));
  if (rows.length !== 2) throw new Error(`FOR UPDATE returned ${rows.length} rows`);
  if (balance.get(t.from)! < t.amount) {
    await s.rows('ROLLBACK');
    return false;
  }
  await s.rows('UPDATE accounts SET balance = $1 WHERE id = $2', [balance.get(t.from)! - t.amount, t.from]);
  await s.rows('UPDATE accounts SET balance = $1 WHERE id = $2', [balance.get(t.to)! + t.amount, t.to]);
  await s.rows('INSERT INTO transfers VALUES ($1, $2, $3, $4, $5)', [t.client, t.seq, t.from, t.to, t.amount]);
  const commit = await s.run('COMMIT');
  if (commit.error || commit.tags[0] !== 'COMMIT') throw new Error(`COMMIT answered ${commit.error ?? commit.tags}`);
  return true;
}

/** Relative updates, lower id first (so PostgreSQL cannot deadlock); the row locks of the UPDATEs alone keep the sum. */
async function transferWithRelativeUpdates(s: Session, t: Transfer): Promise<boolean> {
  await s.rows('START TRANSACTION');
  const [first, second] = t.from < t.to ? [[t.from, -t.amount], [t.to, t.amount]] : [[t.to, t.amount], [t.from, -t.amount]];
  for (const [id, delta] of [first!, second!]) {
    const out = await s.run('UPDATE accounts SET balance = balance + $1 WHERE id = $2', { params: [delta, id] });
    if (out.tags[0] !== 'UPDATE 1') throw new Error(`UPDATE answered ${out.error ?? out.tags}`);
  }
  await s.rows('INSERT INTO transfers VALUES ($1, $2, $3, $4, $5)', [t.client, t.seq, t.from, t.to, t.amount]);
  const commit = await s.run('COMMIT');
  if (commit.error || commit.tags[0] !== 'COMMIT') throw new Error(`COMMIT answered ${commit.error ?? commit.tags}`);
  return true;
}

/** Convex's tables (crates/postgres/src/sql.rs). */
const CONVEX = [
  'CREATE TABLE documents (id BYTEA NOT NULL, ts BIGINT NOT NULL, table_id BYTEA NOT NULL, json_value BYTEA NOT NULL, deleted BOOLEAN DEFAULT false, prev_ts BIGINT, PRIMARY KEY (ts, table_id, id))',
  'CREATE INDEX documents_by_table_and_id ON documents (table_id, id, ts)',
  'CREATE TABLE indexes (index_id BYTEA NOT NULL, ts BIGINT NOT NULL, key_prefix BYTEA NOT NULL, key_suffix BYTEA NULL, key_sha256 BYTEA NOT NULL, deleted BOOLEAN, table_id BYTEA NULL, document_id BYTEA NULL, PRIMARY KEY (index_id, key_sha256, ts))',
  'CREATE TABLE leases (id BIGINT NOT NULL, ts BIGINT NOT NULL, PRIMARY KEY (id))',
  'INSERT INTO leases (id, ts) VALUES (1, 1800000000000000000)',
];
const LEASE = '1800000000000000000';
// Schema-qualified, as Convex writes every statement.
const INSERT_DOCUMENTS = (s: string) => `INSERT INTO ${s}.documents (id, ts, table_id, json_value, deleted, prev_ts) SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[], $5::BOOLEAN[], $6::BIGINT[])`;
const INSERT_INDEXES = (s: string) => `INSERT INTO ${s}.indexes (index_id, ts, key_prefix, key_suffix, key_sha256, deleted, table_id, document_id)
    SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BYTEA[], $4::BYTEA[], $5::BYTEA[], $6::BOOLEAN[], $7::BYTEA[], $8::BYTEA[])
    ON CONFLICT ON CONSTRAINT indexes_pkey DO UPDATE SET deleted = excluded.deleted, table_id = excluded.table_id, document_id = excluded.document_id`;
const WRITERS = 16;
const ROWS_PER_WRITE = 64;

/** A PostgreSQL array literal of bytea values (sent as text, typed by the server). */
const byteaArray = (xs: Buffer[]) => `{${xs.map((x) => `"\\\\x${x.toString('hex')}"`).join(',')}}`;
const textArray = (xs: (string | null)[]) => `{${xs.map((x) => x ?? 'NULL').join(',')}}`;

/** Writer w's batch: documents at ts 1.8·10^18 + w + 1, ids w·1000 + i, one index row each. */
function convexBatch(w: number) {
  const ts = (1800000000000000001n + BigInt(w)).toString();
  const ids = Array.from({ length: ROWS_PER_WRITE }, (_, i) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(w * 1000 + i);
    return b;
  });
  const n = ids.length;
  const documents = [byteaArray(ids), textArray(Array(n).fill(ts)), byteaArray(Array(n).fill(Buffer.from([0x0a]))), byteaArray(ids.map((id) => Buffer.from(`{"w":${w},"id":"${id.toString('hex')}"}`))), textArray(Array(n).fill('f')), textArray(Array(n).fill(null))];
  const indexes = [byteaArray(Array(n).fill(Buffer.from([0x01]))), textArray(Array(n).fill(ts)), byteaArray(ids), byteaArray(Array(n).fill(Buffer.alloc(0))), byteaArray(ids), textArray(Array(n).fill('f')), byteaArray(Array(n).fill(Buffer.from([0x0a]))), byteaArray(ids)];
  return { ts, documents, indexes };
}

for (const target of targets) {
  describe(`concurrency on ${target.name}`, () => {
    const fx = useTarget(target);

    for (const [name, transfer, seed] of [
      ['SELECT … FOR UPDATE, then absolute UPDATEs', transferWithLockingRead, 7],
      ['relative UPDATEs (balance = balance + $1)', transferWithRelativeUpdates, 11],
    ] as const) {
      it(`bank transfers, ${CLIENTS} clients × ${TRANSFERS_PER_CLIENT}, ${name}: sum kept, every acknowledged transfer applied exactly once`, async () => {
        const { open } = await fx.schema(BANK);
        const sessions = await Promise.all(Array.from({ length: CLIENTS }, () => open()));
        const acknowledged: Transfer[] = [];
        let declined = 0;
        await Promise.all(
          sessions.map(async (s, client) => {
            const random = prng(seed * 1000 + client);
            for (let seq = 0; seq < TRANSFERS_PER_CLIENT; seq++) {
              const from = 1 + Math.floor(random() * ACCOUNTS);
              const to = 1 + ((from + Math.floor(random() * (ACCOUNTS - 1))) % ACCOUNTS);
              const t = { client, seq, from, to, amount: 1 + Math.floor(random() * 300) };
              if (await transfer(s, t)) acknowledged.push(t);
              else declined++;
            }
          }),
        );
        const expected = new Map(Array.from({ length: ACCOUNTS }, (_, i) => [i + 1, START_BALANCE]));
        for (const t of acknowledged) {
          expected.set(t.from, expected.get(t.from)! - t.amount);
          expected.set(t.to, expected.get(t.to)! + t.amount);
        }
        const s = sessions[0]!;
        expect(await s.rows('SELECT sum(balance) FROM accounts')).toEqual([[String(ACCOUNTS * START_BALANCE)]]);
        expect(await s.rows('SELECT id, balance FROM accounts ORDER BY id')).toEqual([...expected].map(([id, b]) => [String(id), String(b)]));
        expect(await s.rows('SELECT count(*) FROM transfers')).toEqual([[String(acknowledged.length)]]);
        expect(acknowledged.length + declined).toBe(CLIENTS * TRANSFERS_PER_CLIENT);
        console.log(`${target.name}, ${name}: ${acknowledged.length} transfers committed, ${declined} declined`);
      }, 60_000);
    }

    it(`${WRITERS} Convex write transactions at once (START TRANSACTION, lease FOR SHARE, UNNEST inserts of ${ROWS_PER_WRITE} documents and index rows, pipelined; COMMIT): all present`, async () => {
      const { name } = await fx.schema(CONVEX);
      // One single-connection client per writer: its queries pipeline on that connection.
      const writers = Array.from({ length: WRITERS }, () => postgres(fx.server.url, { max: 1, fetch_types: false, onnotice: () => {} }));
      const sql = writers[0]!;
      try {
        // Every transaction is open before any writes, so all 16 really overlap.
        await Promise.all(writers.map((c) => c.unsafe('START TRANSACTION')));
        const outcomes = await Promise.all(
          writers.map(async (c, w) => {
            const batch = convexBatch(w);
            // Pipelined, as Convex's driver sends them: three requests before the first answer.
            const [lease, documents, indexes] = await Promise.all([
              c.unsafe(`SELECT 1 FROM ${name}.leases WHERE id=1 AND ts=$1 FOR SHARE`, [LEASE]),
              c.unsafe(INSERT_DOCUMENTS(name), batch.documents),
              c.unsafe(INSERT_INDEXES(name), batch.indexes),
            ]);
            await c.unsafe('COMMIT');
            return [lease.count, documents.count, indexes.count];
          }),
        );
        expect(outcomes).toEqual(Array(WRITERS).fill([1, ROWS_PER_WRITE, ROWS_PER_WRITE]));
        const [docs] = await sql`SELECT count(*)::int8 AS n, count(DISTINCT ts)::int8 AS stamps FROM ${sql(name)}.documents`;
        expect([docs!.n, docs!.stamps]).toEqual([String(WRITERS * ROWS_PER_WRITE), String(WRITERS)]);
        const [idx] = await sql`SELECT count(*)::int8 AS n FROM ${sql(name)}.indexes`;
        expect(idx!.n).toBe(String(WRITERS * ROWS_PER_WRITE));
        const perWriter = await sql`SELECT ts::text AS ts, count(*)::int8 AS n FROM ${sql(name)}.documents GROUP BY ts ORDER BY ts`;
        expect(perWriter.map((r) => [r.ts, r.n])).toEqual(Array.from({ length: WRITERS }, (_, w) => [convexBatch(w).ts, String(ROWS_PER_WRITE)]));
        const [lease] = await sql`SELECT ts::text AS ts FROM ${sql(name)}.leases WHERE id = 1`;
        expect(lease!.ts).toBe(LEASE);
      } finally {
        await Promise.all(writers.map((c) => c.end()));
      }
    }, 60_000);
  });
}
