/** @module text, varchar and bytea, including empty values and NULLs. */
import { type Group, q, SKIP } from './case.ts';

export const texts: Group = {
  name: 'texts',
  cases: [
    q('create', 'CREATE TABLE texts (id int4 PRIMARY KEY, t text, v varchar(5), c varchar)'),
    q('insert', "INSERT INTO texts VALUES (1, 'hello', 'abc', 'x'), (2, '', '', ''), (3, 'it''s', 'émoji', '☃'), (4, NULL, NULL, NULL)"),
    q('select all', 'SELECT * FROM texts ORDER BY id'),
    q('varchar too long', "INSERT INTO texts VALUES (5, 'x', 'toolong', 'y')", { error: '22001' }),
    q('concatenation with NULL', "SELECT t || '!' FROM texts ORDER BY id"),
    q('empty is not NULL', "SELECT id FROM texts WHERE t = ''"),
    q('LIKE', "SELECT id FROM texts WHERE t LIKE 'he%'"),
    q('text order, NULLS FIRST', 'SELECT id FROM texts ORDER BY t NULLS FIRST, id'),
    q('length and case', 'SELECT length(t), upper(t), lower(v) FROM texts WHERE id = 1'),
    q('length of multibyte', 'SELECT length(v), octet_length(v) FROM texts WHERE id = 3'),
    q('explicit varchar cast truncates', "SELECT 'abcdef'::varchar(2)"),
    q('text to int cast', "SELECT '42'::int4 + 1, '  7'::int8"),
  ],
};

export const byteas: Group = {
  name: 'byteas',
  cases: [
    q('create', 'CREATE TABLE blobs (id int4 PRIMARY KEY, b bytea)'),
    q('insert', "INSERT INTO blobs VALUES (1, '\\xdeadbeef'), (2, ''), (3, NULL), (4, '\\x00ff00')"),
    q('select all', 'SELECT * FROM blobs ORDER BY id'),
    q('empty bytea is not NULL', "SELECT id FROM blobs WHERE b = ''"),
    q('empty bytea IS NOT NULL', 'SELECT id FROM blobs WHERE b IS NOT NULL ORDER BY id'),
    q('length', 'SELECT id, length(b) FROM blobs ORDER BY id'),
    q('bytewise order', 'SELECT id FROM blobs ORDER BY b, id'),
    q('concatenation', "SELECT b || '\\x01'::bytea FROM blobs WHERE id = 2", { skip: SKIP.casts }),
    q('bad hex', "SELECT '\\xzz'::bytea", { error: '22023' }),
    q('escape input', "SELECT 'a\\000b'::bytea"),
  ],
};
