/**
 * @module Statements in the shapes self-hosted Convex sends (DESIGN.md §3.1), on its table
 * layout: nanosecond timestamps beyond 2^53, bytea keys, row-value paging both ways, the
 * lease update whose row count is checked, upserts by constraint name, optimizer hints.
 * Statements the engine may refuse write to tables nothing else reads, so a skip cannot
 * change what later statements see.
 */
import { type Group, q } from './case.ts';

const HINT = '/*+ Set(enable_seqscan OFF) Set(enable_sort OFF) */';
const COLUMNS = 'D.id, D.ts, D.table_id, D.json_value, D.deleted, D.prev_ts';
const insertDoc = 'INSERT INTO documents (id, ts, table_id, json_value, deleted, prev_ts) VALUES ($1, $2, $3, $4, $5, $6)';

export const convex: Group = {
  name: 'convex',
  cases: [
    q('schema exists already', 'CREATE SCHEMA IF NOT EXISTS corpus_convex'),
    q('current_schema', 'SELECT current_schema()'),
    q('read-write session check', 'SHOW transaction_read_only'),
    q('schemata lookup', 'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', { params: ['corpus_convex'] }),
    q('documents', 'CREATE TABLE IF NOT EXISTS documents (id BYTEA NOT NULL, ts BIGINT NOT NULL, table_id BYTEA NOT NULL, json_value BYTEA NOT NULL, deleted BOOLEAN DEFAULT false, prev_ts BIGINT)'),
    q('documents key', 'ALTER TABLE documents ADD PRIMARY KEY (ts, table_id, id)'),
    q('index by table and id', 'CREATE INDEX IF NOT EXISTS documents_by_table_and_id ON documents (table_id, id, ts)'),
    q('index by table and ts', 'CREATE INDEX IF NOT EXISTS documents_by_table_ts_and_id ON documents (table_id, ts, id)'),
    q('DO block, already created', "DO $$ BEGIN IF to_regclass('corpus_convex.documents') IS NULL THEN CREATE TABLE corpus_convex.documents (id BYTEA NOT NULL); END IF; END $$"),
    q('leases', 'CREATE TABLE IF NOT EXISTS leases (id BIGINT NOT NULL, ts BIGINT NOT NULL, PRIMARY KEY (id))'),
    q('persistence_globals', 'CREATE TABLE IF NOT EXISTS persistence_globals (key TEXT NOT NULL, json_value BYTEA NOT NULL, PRIMARY KEY (key))'),
    q('lease row', 'INSERT INTO leases (id, ts) VALUES (1, 0) ON CONFLICT DO NOTHING'),
    q('lease row again', 'INSERT INTO leases (id, ts) VALUES (1, 0) ON CONFLICT DO NOTHING'),
    q('doc 1@1', insertDoc, { params: ['\\x01', '1800000000000000001', '\\x0a', '\\x7b7d', 'false', null] }),
    q('doc 2@1', insertDoc, { params: ['\\x02', '1800000000000000001', '\\x0a', '\\x7b7d', 'false', null] }),
    q('doc 1@2', insertDoc, { params: ['\\x01', '1800000000000000002', '\\x0a', '\\x7b2261223a317d', 'false', '1800000000000000001'] }),
    q('doc 3@3 deleted, empty value', insertDoc, { params: ['\\x03', '1800000000000000003', '\\x0b', '\\x', 'true', null] }),
    q('same key twice', insertDoc, { params: ['\\x03', '1800000000000000003', '\\x0b', '\\x00', 'false', null], error: '23505' }),
    q('page ascending', `${HINT} SELECT ${COLUMNS} FROM documents D WHERE (D.ts, D.table_id, D.id) > ($1, $2, $3) AND D.ts < $4 ORDER BY D.ts ASC, D.table_id ASC, D.id ASC LIMIT $5`, {
      params: ['-1', '\\x', '\\x', '9223372036854775807', '10'],
    }),
    q('page ascending, from a cursor', `${HINT} SELECT ${COLUMNS} FROM documents D WHERE (D.ts, D.table_id, D.id) > ($1, $2, $3) AND D.ts < $4 ORDER BY D.ts ASC, D.table_id ASC, D.id ASC LIMIT $5`, {
      params: ['1800000000000000001', '\\x0a', '\\x01', '1800000000000000003', '10'],
    }),
    q('page descending with previous revisions', `${HINT} SELECT ${COLUMNS}, P.json_value FROM documents D LEFT JOIN documents P ON P.table_id = D.table_id AND P.id = D.id AND P.ts = D.prev_ts WHERE D.ts >= $1 AND (D.ts, D.table_id, D.id) < ($2, $3, $4) ORDER BY D.ts DESC, D.table_id DESC, D.id DESC LIMIT $5`, {
      params: ['0', '9223372036854775807', '\\x', '\\x', '3'],
    }),
    q('one table, by id', 'SELECT id, ts, deleted FROM documents WHERE table_id = $1 AND id = $2 AND ts <= $3 ORDER BY ts DESC LIMIT 1', { params: ['\\x0a', '\\x01', '1800000000000000002'] }),
    q('query_ts column', 'SELECT $1::BIGINT AS query_ts, count(*) FROM documents WHERE ts <= $1', { params: ['1800000000000000002'] }),
    q('lease takeover', 'UPDATE leases SET ts = $1 WHERE id = 1 AND ts < $1', { params: ['1800000000000000005'] }),
    q('lease takeover by an older ts', 'UPDATE leases SET ts = $1 WHERE id = 1 AND ts < $1', { params: ['1800000000000000004'] }),
    q('lease value', 'SELECT ts FROM leases WHERE id = 1'),
    q('global set', 'INSERT INTO persistence_globals (key, json_value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET json_value = excluded.json_value', { params: ['max_repeatable_ts', '\\x31'] }),
    q('global overwrite', 'INSERT INTO persistence_globals (key, json_value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET json_value = excluded.json_value', { params: ['max_repeatable_ts', '\\x3232'] }),
    q('global read', 'SELECT json_value FROM persistence_globals WHERE key = $1', { params: ['max_repeatable_ts'] }),
    q('overwrite by constraint name', 'INSERT INTO documents (id, ts, table_id, json_value, deleted, prev_ts) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ON CONSTRAINT documents_pkey DO UPDATE SET deleted = excluded.deleted, json_value = excluded.json_value', {
      params: ['\\x02', '1800000000000000001', '\\x0a', '\\x5b5d', 'true', null],
    }),
    q('after overwrite', 'SELECT id, ts, json_value, deleted FROM documents ORDER BY ts, table_id, id'),
    q('delete by key list', 'DELETE FROM documents WHERE ts = $1 AND table_id = $2 AND id = $3', { params: ['1800000000000000003', '\\x0b', '\\x03'] }),
    q('UNNEST table', 'CREATE TABLE unnested (id BYTEA NOT NULL, ts BIGINT NOT NULL, deleted BOOLEAN, PRIMARY KEY (ts, id))'),
    q('INSERT … SELECT FROM UNNEST(arrays)', 'INSERT INTO unnested (id, ts, deleted) SELECT * FROM UNNEST($1::BYTEA[], $2::BIGINT[], $3::BOOLEAN[]) RETURNING id, ts, deleted', {
      params: ['{"\\\\x01","\\\\x"}', '{1800000000000000001,-1}', '{t,NULL}'],
    }),
    q('latest revisions (DISTINCT ON)', 'SELECT DISTINCT ON (table_id, id) id, ts FROM documents ORDER BY table_id, id, ts DESC'),
  ],
};

export const transactions: Group = {
  name: 'transactions',
  cases: [
    q('create', 'CREATE TABLE tx (id int8 PRIMARY KEY, v text)'),
    q('ROLLBACK outside a transaction', 'ROLLBACK'),
    q('COMMIT outside a transaction', 'COMMIT'),
    q('START TRANSACTION', 'START TRANSACTION'),
    q('insert inside', "INSERT INTO tx VALUES (1, 'a')"),
    q('own write visible', 'SELECT * FROM tx'),
    q('update own write', "UPDATE tx SET v = 'b' WHERE id = 1"),
    q('ROLLBACK', 'ROLLBACK'),
    q('rolled back', 'SELECT count(*) FROM tx'),
    q('BEGIN', 'BEGIN'),
    q('insert two', "INSERT INTO tx VALUES (1, 'a'), (2, 'b')"),
    q('delete count inside', 'DELETE FROM tx WHERE id = 2'),
    q('parameterised insert inside', 'INSERT INTO tx VALUES ($1, $2)', { params: ['3', 'c'] }),
    q('parameterised read of own write', 'SELECT v FROM tx WHERE id = $1', { params: ['3'] }),
    q('COMMIT', 'COMMIT'),
    q('committed', 'SELECT * FROM tx ORDER BY id'),
    q('START again', 'START TRANSACTION'),
    q('duplicate inside', "INSERT INTO tx VALUES (1, 'dup')", { error: '23505' }),
    q('aborted until rollback', 'SELECT 1', { error: '25P02' }),
    q('COMMIT of an aborted transaction rolls back', 'COMMIT'),
    q('usable again', 'SELECT count(*) FROM tx'),
    q('locking read', 'START TRANSACTION'),
    q('FOR SHARE', 'SELECT v FROM tx WHERE id = 1 FOR SHARE'),
    q('FOR UPDATE', 'SELECT id, v FROM tx ORDER BY id FOR UPDATE'),
    q('end locking read', 'COMMIT'),
    q('isolation level', 'START TRANSACTION ISOLATION LEVEL READ COMMITTED'),
    q('isolation shown', 'SHOW transaction_isolation'),
    q('SET TRANSACTION inside', 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED'),
    q('END', 'END'),
    q('END outside a transaction', 'END'),
    q('ABORT outside a transaction', 'ABORT'),
    q('SET TRANSACTION outside a transaction', 'SET TRANSACTION READ ONLY'),
    q('read only', 'START TRANSACTION READ ONLY'),
    q('read inside read only', 'SELECT count(*) FROM tx'),
    q('write inside read only', "INSERT INTO tx VALUES (9, 'ro')", { error: '25006' }),
    q('ABORT', 'ABORT'),
    q('BEGIN twice', 'BEGIN'),
    q('BEGIN inside a transaction', 'BEGIN'),
    q('delete inside', 'DELETE FROM tx WHERE id = 3'),
    q('end nested BEGIN', 'COMMIT'),
    q('final', 'SELECT * FROM tx ORDER BY id'),
  ],
};
