/**
 * The storage forms through a real SQLite (node:sqlite), as the engine will bind and read
 * them: coercion of client values, exactness of int8 and timestamps beyond 2^53, BLOB
 * semantics of bytea, the array JSON encoding as SQLite's json_each sees it, and ordering.
 */
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, test } from 'vitest';
import { OID } from '../../../tunnel/oids.ts';
import type { SqlValue } from '../../../tunnel/types.ts';
import { isPgError } from '../../../worker/engine/errors.ts';
import {
  coerceValue, formatText, fromStorage, needsIntegerCast, parseText, sqliteAffinity, sqliteTypeAffinity, toStorage,
  type StorageBinding,
} from '../../../worker/engine/values/index.ts';

const db = new DatabaseSync(':memory:');

function binding(oid: number, v: SqlValue): StorageBinding {
  const b = toStorage(oid, v);
  if (isPgError(b)) throw new Error(b.message);
  return b;
}

/** Stores values in one column of `oid`'s affinity; returns them read back, in `order`. */
function roundTrip(oid: number, values: SqlValue[], order = 'rowid'): SqlValue[] {
  db.exec(`DROP TABLE IF EXISTS t; CREATE TABLE t (c ${sqliteTypeAffinity(oid)})`);
  for (const v of values) {
    const b = binding(oid, v);
    db.prepare(b.castInteger ? 'INSERT INTO t VALUES (CAST(? AS INTEGER))' : 'INSERT INTO t VALUES (?)').run(b.bind);
  }
  const sql = `SELECT ${needsIntegerCast(oid) ? 'CAST(c AS TEXT)' : 'c'} AS c FROM t ORDER BY t.${order}`;
  return (db.prepare(sql).all() as { c: string | number | Uint8Array | null }[]).map((r) => fromStorage(oid, r.c));
}

const INT8_EDGES = [1800000000000000001n, -1n, 0n, 9223372036854775807n, -9223372036854775807n, -9223372036854775808n, 9007199254740993n];

describe('toStorage coerces client values', () => {
  const cases: [string, number, SqlValue, StorageBinding | { sqlstate: string; message: string }][] = [
    ['int8 bigint beyond 2^53', OID.int8, 1800000000000000001n, { bind: '1800000000000000001', castInteger: true }],
    ['int8 text param', OID.int8, ' -9223372036854775808 ', { bind: '-9223372036854775808', castInteger: true }],
    ['int8 integral number', OID.int8, 3, { bind: '3', castInteger: true }],
    ['int8 fractional number', OID.int8, 1.5, { sqlstate: '22P02', message: 'invalid input syntax for type bigint: "1.5"' }],
    ['int8 text out of range', OID.int8, '9223372036854775808', { sqlstate: '22003', message: 'value "9223372036854775808" is out of range for type bigint' }],
    ['int8 bigint out of range', OID.int8, 2n ** 63n, { sqlstate: '22003', message: 'bigint out of range' }],
    ['int4 bigint out of range', OID.int4, 2n ** 31n, { sqlstate: '22003', message: 'integer out of range' }],
    ['int4 text', OID.int4, ' 42 ', { bind: 42, castInteger: false }],
    ['int4 bad text', OID.int4, 'abc', { sqlstate: '22P02', message: 'invalid input syntax for type integer: "abc"' }],
    ['int2 number', OID.int2, -32768, { bind: -32768, castInteger: false }],
    ['bool', OID.bool, true, { bind: 1, castInteger: false }],
    ['bool text', OID.bool, 'off', { bind: 0, castInteger: false }],
    ['float8 NaN', OID.float8, NaN, { bind: 'NaN', castInteger: false }],
    ['float8 from bigint', OID.float8, 2n, { bind: 2, castInteger: false }],
    ['float4 rounds', OID.float4, 0.1, { bind: Math.fround(0.1), castInteger: false }],
    ['numeric text', OID.numeric, '1.5e-3', { bind: '0.0015', castInteger: false }],
    ['numeric bigint', OID.numeric, -9223372036854775808n, { bind: '-9223372036854775808', castInteger: false }],
    ['empty bytea', OID.bytea, new Uint8Array(), { bind: new Uint8Array(), castInteger: false }],
    ['bytea text', OID.bytea, '\\x00ff', { bind: Uint8Array.of(0, 255), castInteger: false }],
    ['text with NUL', OID.text, 'a\u0000b', { sqlstate: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' }],
    ['text with a lone surrogate', OID.text, 'a\ud800', { sqlstate: '22021', message: 'invalid byte sequence for encoding "UTF8": 0xed 0xa0 0x80' }],
    ['unicode text', OID.text, 'é漢😀', { bind: 'é漢😀', castInteger: false }],
    ['uuid upper', OID.uuid, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', { bind: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', castInteger: false }],
    ['jsonb', OID.jsonb, '{"b":[1,2],"a":1,"a":3}', { bind: '{"a": 3, "b": [1, 2]}', castInteger: false }],
    ['json verbatim', OID.json, '{"b" : 1}', { bind: '{"b" : 1}', castInteger: false }],
    ['date', OID.date, '2024-1-2', { bind: '2024-01-02', castInteger: false }],
    ['timestamptz with offset', OID.timestamptz, '1970-01-01 01:00:00.000001+01', { bind: '1', castInteger: true }],
    ['timestamp beyond 2^53 µs', OID.timestamp, '2300-01-01 00:00:00.000001', { bind: '10413792000000001', castInteger: true }],
    ['NULL', OID.int8, null, { bind: null, castInteger: false }],
    ['int8[] with NULL and big values', OID.int8Array, [1800000000000000001n, null, -9223372036854775808n], { bind: '[1800000000000000001,null,-9223372036854775808]', castInteger: false }],
    ['int4[] element out of range', OID.int4Array, [1n, 2n ** 40n], { sqlstate: '22003', message: 'integer out of range' }],
    ['text[] from a literal', OID.textArray, '{"a b",NULL,"\\""}', { bind: '["a b",null,"\\""]', castInteger: false }],
    ['bytea[]', OID.byteaArray, [Uint8Array.of(1, 2), new Uint8Array(), null], { bind: '["0102","",null]', castInteger: false }],
    ['float8[] specials', OID.float8Array, [NaN, -Infinity, -0, 1e20], { bind: '["NaN","-Infinity",-0.0,100000000000000000000]', castInteger: false }],
    ['bool[]', OID.boolArray, [true, null, false], { bind: '[true,null,false]', castInteger: false }],
    ['timestamptz[]', OID.timestamptzArray, ['1970-01-01 00:00:01+00'], { bind: '[1000000]', castInteger: false }],
    ['numeric[]', OID.numericArray, ['1.50', 'NaN'], { bind: '["1.50","NaN"]', castInteger: false }],
  ];
  for (const [name, oid, value, expected] of cases) {
    test(name, () => {
      const b = toStorage(oid, value);
      if ('sqlstate' in expected) expect(b).toMatchObject(expected);
      else expect(b).toEqual(expected);
    });
  }
  test('dates that would not sort as text are refused with 0A000', () => {
    for (const d of ['0044-03-15 BC', '10000-01-01', '5874897-12-31']) {
      expect(toStorage(OID.date, d)).toMatchObject({ sqlstate: '0A000' });
      expect(toStorage(OID.dateArray, ['2024-01-02', d])).toMatchObject({ sqlstate: '0A000' });
    }
  });
  test('an unsupported type is 0A000', () => {
    expect(toStorage(OID.interval, '1 day')).toMatchObject({ sqlstate: '0A000' });
  });
});

describe('values survive SQLite exactly', () => {
  test('int8 edges, in numeric order', () => {
    const sorted = [...INT8_EDGES].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(roundTrip(OID.int8, INT8_EDGES, 'c')).toEqual(sorted);
  });
  test('random int8 values round-trip', () => {
    const values = Array.from({ length: 200 }, (_, i) => BigInt.asIntN(64, BigInt(Math.floor(Math.random() * 2 ** 52)) * 4099n + BigInt(i)));
    expect(roundTrip(OID.int8, values)).toEqual(values);
  });
  test('bytea: empty stays an empty BLOB, NUL bytes kept, bytewise order', () => {
    const values = [Uint8Array.of(2), new Uint8Array(), Uint8Array.of(1, 0, 255), Uint8Array.of(1), null];
    const back = roundTrip(OID.bytea, values, 'c');
    expect(back.map((v) => (v === null ? null : formatText(OID.bytea, v)))).toEqual([null, '\\x', '\\x01', '\\x0100ff', '\\x02']);
    db.exec('DROP TABLE IF EXISTS b; CREATE TABLE b (c BLOB)');
    db.prepare('INSERT INTO b VALUES (?)').run(binding(OID.bytea, new Uint8Array()).bind);
    expect(db.prepare('SELECT typeof(c) AS t, length(c) AS n FROM b').get()).toEqual({ t: 'blob', n: 0 });
  });
  test('timestamps before 1970 and after 2^53 µs keep order and microseconds', () => {
    const values = ['2300-01-01 00:00:00.000001', '1969-12-31 23:59:59.999999', '0044-03-15 12:30:00 BC', '2024-01-02 03:04:05.5'];
    expect(roundTrip(OID.timestamp, values, 'c')).toEqual([
      '0044-03-15 12:30:00 BC', '1969-12-31 23:59:59.999999', '2024-01-02 03:04:05.5', '2300-01-01 00:00:00.000001',
    ]);
  });
  test('float8: NaN stays NaN and sorts above Infinity, as in PostgreSQL', () => {
    const back = roundTrip(OID.float8, [NaN, Infinity, -Infinity, 1.5, 5e-324], 'c');
    expect(back).toEqual([-Infinity, 5e-324, 1.5, Infinity, NaN]);
  });
  test('bool, numeric, uuid, jsonb, date', () => {
    expect(roundTrip(OID.bool, [true, false, null])).toEqual([true, false, null]);
    expect(roundTrip(OID.numeric, ['-0.00', '1e3'])).toEqual(['0.00', '1000']);
    expect(roundTrip(OID.date, ['2000-02-29', '0001-01-01', '9999-12-31'], 'c')).toEqual(['0001-01-01', '2000-02-29', '9999-12-31']);
    expect(roundTrip(OID.jsonb, ['{"é":1,"b":2}'])).toEqual(['{"b": 2, "é": 1}']);
  });
  test('arrays round-trip exactly, NULL elements included', () => {
    const arrays: [number, SqlValue][] = [
      [OID.int8Array, [9223372036854775807n, null, -9223372036854775808n, 1800000000000000001n]],
      [OID.textArray, ['', null, 'NULL', 'a "b" \\c', 'é😀']],
      [OID.byteaArray, [new Uint8Array(), Uint8Array.of(0, 1, 255), null]],
      [OID.float8Array, [NaN, Infinity, -Infinity, 0.1, 1e-320, null]],
      [OID.boolArray, [true, false, null]],
      [OID.timestamptzArray, ['2300-01-01 00:00:00.000001+00', null]],
      [OID.dateArray, ['0044-03-15', '2024-01-02']],
      [OID.jsonbArray, ['{"a": [1, 2]}', 'null']],
      [OID.int4Array, []],
    ];
    for (const [oid, v] of arrays) expect(roundTrip(oid, [v])).toEqual([v]);
  });
  test("the array encoding is what SQLite's json_each needs: exact int64, unhex for bytea", () => {
    const ints = binding(OID.int8Array, [1800000000000000001n, null, -9223372036854775808n]).bind;
    const rows = db.prepare('SELECT CAST(value AS TEXT) AS v, type FROM json_each(?)').all(ints);
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { v: '1800000000000000001', type: 'integer' },
      { v: null, type: 'null' },
      { v: '-9223372036854775808', type: 'integer' },
    ]);
    const blobs = binding(OID.byteaArray, [Uint8Array.of(1, 2), new Uint8Array()]).bind;
    const b = db.prepare('SELECT hex(unhex(value)) AS h, typeof(unhex(value)) AS t FROM json_each(?)').all(blobs);
    expect(b.map((r) => ({ ...r }))).toEqual([{ h: '0102', t: 'blob' }, { h: '', t: 'blob' }]);
  });
});

describe('affinity and reads', () => {
  test('sqliteTypeAffinity', () => {
    const table: [number, string][] = [
      [OID.bool, 'INTEGER'], [OID.int2, 'INTEGER'], [OID.int4, 'INTEGER'], [OID.int8, 'INTEGER'], [OID.oid, 'INTEGER'],
      [OID.timestamp, 'INTEGER'], [OID.timestamptz, 'INTEGER'], [OID.float4, 'REAL'], [OID.float8, 'REAL'],
      [OID.numeric, 'TEXT'], [OID.text, 'TEXT'], [OID.uuid, 'TEXT'], [OID.date, 'TEXT'], [OID.jsonb, 'TEXT'],
      [OID.bytea, 'BLOB'], [OID.int8Array, 'TEXT'], [OID.byteaArray, 'TEXT'],
    ];
    for (const [oid, affinity] of table) expect([oid, sqliteTypeAffinity(oid), sqliteAffinity(oid)]).toEqual([oid, affinity, affinity]);
  });
  test('fromStorage accepts what workerd returns', () => {
    expect(fromStorage(OID.bytea, new ArrayBuffer(0))).toEqual(new Uint8Array());
    expect(fromStorage(OID.int8, '-9223372036854775808')).toBe(-9223372036854775808n);
    expect(fromStorage(OID.int4, 7)).toBe(7n);
    expect(fromStorage(OID.bool, 0)).toBe(false);
    expect(fromStorage(OID.timestamptz, '0')).toBe('1970-01-01 00:00:00+00');
    expect(fromStorage(OID.float8, 'NaN')).toBeNaN();
    expect(fromStorage(OID.text, null)).toBe(null);
  });
  test('coerceValue leaves canonical values alone', () => {
    for (const [oid, text] of [[OID.timestamptz, '2024-01-02 03:04:05.5+00'], [OID.jsonb, '{"a": 1}'], [OID.numeric, '1.50'], [OID.date, '0044-03-15 BC']] as const) {
      expect(coerceValue(oid, text)).toBe(text);
      expect(parseText(oid, text)).toBe(text);
    }
  });
});
