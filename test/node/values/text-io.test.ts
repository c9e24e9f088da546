/**
 * Differential: every text input case goes to PostgreSQL 15 (`SELECT $1::type`, raw text
 * results) and through parseText → formatText; the output text, or the SQLSTATE and message,
 * must agree. Successful cases then make a round trip through a real SQLite (node:sqlite)
 * in the storage form: toStorage → column of sqliteTypeAffinity → fromStorage → same text.
 */
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isPgError } from '../../../worker/engine/errors.ts';
import { formatText, fromStorage, needsIntegerCast, parseText, sqliteTypeAffinity, toStorage } from '../../../worker/engine/values/index.ts';
import { startPostgres, type Reference } from './pg-server.ts';
import { MORE_TEXT_CASES, TEXT_CASES } from './text-cases.ts';
import { oidOf } from './type-oids.ts';

let pg: Reference;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});

type Outcome = { ok: string } | { code: string; message: string; detail?: string };

function ours(oid: number, input: string): Outcome {
  const v = parseText(oid, input);
  if (isPgError(v)) return v.detail === undefined ? { code: v.sqlstate, message: v.message } : { code: v.sqlstate, message: v.message, detail: v.detail };
  return { ok: formatText(oid, v) };
}

async function theirs(type: string, input: string): Promise<Outcome> {
  const r = await pg.query(`SELECT $1::${type}`, [input]);
  return 'ok' in r ? { ok: r.ok[0]![0]! } : r;
}

const db = new DatabaseSync(':memory:');

/** Writes and reads one value through SQLite exactly as the engine will. */
function throughSqlite(oid: number, input: string): string {
  const v = parseText(oid, input);
  if (isPgError(v)) throw new Error('case did not parse');
  const b = toStorage(oid, v);
  if (isPgError(b)) return `toStorage: ${b.sqlstate} ${b.message}`;
  db.exec(`DROP TABLE IF EXISTS t; CREATE TABLE t (c ${sqliteTypeAffinity(oid)})`);
  db.prepare(b.castInteger ? 'INSERT INTO t VALUES (CAST(? AS INTEGER))' : 'INSERT INTO t VALUES (?)').run(b.bind);
  const row = db.prepare(needsIntegerCast(oid) ? 'SELECT CAST(c AS TEXT) AS c FROM t' : 'SELECT c FROM t').get() as { c: string | number | Uint8Array | null };
  return formatText(oid, fromStorage(oid, row.c));
}

for (const [table, cases] of [['', TEXT_CASES], [' (more forms)', MORE_TEXT_CASES]] as const) for (const [type, inputs] of Object.entries(cases)) {
  describe(`${type} text input and output match PostgreSQL${table}`, () => {
    for (const input of inputs) {
      test(JSON.stringify(input), async () => {
        const oid = oidOf(type);
        const expected = await theirs(type, input);
        expect(ours(oid, input)).toEqual(expected);
        // SQLite keeps a REAL -0.0 as integer 0, so -0 comes back as 0 (they compare equal).
        if (!('ok' in expected)) return;
        // Dates outside years 1-9999 would not sort as text, so storage refuses them.
        if (type.startsWith('date') && /\bBC\b|\d{5}-/.test(expected.ok)) {
          expect(throughSqlite(oid, input)).toBe('toStorage: 0A000 storing a date before year 1 or after year 9999 is not supported');
        } else expect(throughSqlite(oid, input)).toBe(expected.ok === '-0' && type.startsWith('float') ? '0' : expected.ok);
      });
    }
  });
}
