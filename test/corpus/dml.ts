/** @module Writing: INSERT/UPDATE/DELETE with RETURNING and row counts, ON CONFLICT both ways. */
import { type Group, q } from './case.ts';

export const dml: Group = {
  name: 'dml',
  cases: [
    q('create', 'CREATE TABLE kv (k text PRIMARY KEY, v int8 NOT NULL DEFAULT 0, note text)'),
    q('multi-row insert', "INSERT INTO kv (k, v) VALUES ('a', 1), ('b', 2)"),
    q('insert with default, RETURNING', "INSERT INTO kv (k) VALUES ('c') RETURNING k, v, note"),
    q('RETURNING *', "INSERT INTO kv VALUES ('d', 4, 'x') RETURNING *"),
    q('RETURNING expression', "INSERT INTO kv VALUES ('g', 9223372036854775807, NULL) RETURNING v, k || '!' AS bang"),
    q('update RETURNING', "UPDATE kv SET v = v + 10 WHERE k IN ('a', 'b') RETURNING k, v"),
    q('update count', "UPDATE kv SET note = 'none' WHERE note IS NULL"),
    q('update no rows', "UPDATE kv SET v = 0 WHERE k = 'zzz'"),
    q('delete RETURNING', "DELETE FROM kv WHERE k = 'd' RETURNING *"),
    q('delete no rows', "DELETE FROM kv WHERE k = 'd'"),
    q('ON CONFLICT DO NOTHING', "INSERT INTO kv (k, v) VALUES ('a', 100) ON CONFLICT DO NOTHING"),
    q('DO NOTHING, partly inserted', "INSERT INTO kv (k, v) VALUES ('a', 100), ('e', 5) ON CONFLICT DO NOTHING RETURNING k"),
    q('DO UPDATE excluded', "INSERT INTO kv (k, v) VALUES ('a', 100) ON CONFLICT (k) DO UPDATE SET v = excluded.v RETURNING k, v"),
    q('DO UPDATE mixes insert and update', "INSERT INTO kv (k, v) VALUES ('b', 7), ('f', 6) ON CONFLICT (k) DO UPDATE SET v = kv.v + excluded.v"),
    q('DO UPDATE WHERE false', "INSERT INTO kv AS t (k, v) VALUES ('c', 1) ON CONFLICT (k) DO UPDATE SET v = t.v + 1 WHERE t.v > 100"),
    q('ON CONFLICT ON CONSTRAINT', "INSERT INTO kv (k, v) VALUES ('c', 1) ON CONFLICT ON CONSTRAINT kv_pkey DO UPDATE SET note = 'via constraint'"),
    q('state after upserts', 'SELECT * FROM kv ORDER BY k'),
    q('duplicate without ON CONFLICT', "INSERT INTO kv (k) VALUES ('a')", { error: '23505' }),
    q('NOT NULL on update', "UPDATE kv SET v = NULL WHERE k = 'a'", { error: '23502' }),
    q('INSERT … SELECT', "INSERT INTO kv SELECT k || '2', v * 2, note FROM kv WHERE v < 10"),
    q('count', 'SELECT count(*) FROM kv'),
    q('delete by range', 'DELETE FROM kv WHERE v > 50'),
    q('delete all', 'DELETE FROM kv'),
    q('empty after delete', 'SELECT count(*), max(k) FROM kv'),
  ],
};
