/** @module json/jsonb, timestamp/timestamptz/date and uuid: stored, normalised, compared. */
import { type Group, q, SKIP } from './case.ts';

export const jsons: Group = {
  name: 'jsons',
  cases: [
    q('create', 'CREATE TABLE docs (id int4 PRIMARY KEY, j json, jb jsonb)'),
    q('insert', `INSERT INTO docs VALUES (1, '{"a": 1, "b": [1,2]}', '{"b": [1, 2], "a": 1}'), (2, '[]', 'null'), (3, NULL, NULL), (4, '"s"', '{"x": {"y": 1.50}}')`),
    q('select all (json kept, jsonb normalised)', 'SELECT * FROM docs ORDER BY id'),
    q('-> and ->>', "SELECT jb -> 'a', jb ->> 'a', jb -> 'b' FROM docs WHERE id = 1", { skip: SKIP.jsonOps }),
    q('nested ->', "SELECT jb -> 'x' -> 'y' FROM docs WHERE id = 4", { skip: SKIP.jsonOps }),
    q('jsonb equality ignores layout', `SELECT '{"a":1}'::jsonb = '{ "a" : 1 }'::jsonb`),
    q('bad json', "SELECT '{bad'::json", { error: '22P02' }),
    q('json to text', 'SELECT j::text FROM docs WHERE id = 1'),
  ],
};

export const datetimes: Group = {
  name: 'datetimes',
  cases: [
    q('create', 'CREATE TABLE times (id int4 PRIMARY KEY, ts timestamp, tz timestamptz, d date)'),
    q('insert', "INSERT INTO times VALUES (1, '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.789+02', '2024-02-29'), (2, '1970-01-01', '1970-01-01 00:00:00Z', '1970-01-01'), (3, NULL, NULL, NULL), (4, '2000-01-01 00:00:00.000001', '1999-12-31 23:59:59.999999-08', '0001-01-01')"),
    q('select all', 'SELECT * FROM times ORDER BY id'),
    q('timestamp comparison', "SELECT id FROM times WHERE ts > '2000-01-01' ORDER BY id"),
    q('timestamptz order', 'SELECT id FROM times ORDER BY tz DESC NULLS LAST'),
    q('date plus integer', 'SELECT d + 1 FROM times WHERE id = 1', { skip: SKIP.datetimeOps }),
    q('casts between kinds', 'SELECT ts::date, tz::timestamp, d::timestamp FROM times WHERE id = 1', { skip: SKIP.casts }),
    q('offset normalised to UTC', "SELECT '2024-01-01 10:00:00+05'::timestamptz"),
    q('impossible date', "SELECT '2024-02-30'::date", { error: '22008' }),
    q('not a date', "SELECT 'not a date'::date", { error: '22007' }),
  ],
};

export const uuids: Group = {
  name: 'uuids',
  cases: [
    q('create', 'CREATE TABLE ids (id uuid PRIMARY KEY, label text)'),
    q('insert spellings', "INSERT INTO ids VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a'), ('{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12}', 'b'), ('a0eebc999c0b4ef8bb6d6bb9bd380a13', 'c')"),
    q('select canonical', 'SELECT * FROM ids ORDER BY id'),
    q('lookup by upper case', "SELECT label FROM ids WHERE id = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12'"),
    q('bad uuid', "SELECT 'nope'::uuid", { error: '22P02' }),
    q('duplicate key', "INSERT INTO ids VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'dup')", { error: '23505' }),
    q('uuid to text', "SELECT id::text FROM ids WHERE label = 'c'"),
  ],
};
