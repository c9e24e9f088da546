/** @module Integers at the int64 edges, floats, numeric and booleans, stored and computed. */
import { type Group, q, SKIP } from './case.ts';

export const integers: Group = {
  name: 'integers',
  cases: [
    q('create', 'CREATE TABLE ints (id int4 PRIMARY KEY, s int2, i int4, b int8)'),
    q('insert 1.8e18', 'INSERT INTO ints VALUES (1, 1, 1, 1800000000000000001)'),
    q('insert -1', 'INSERT INTO ints VALUES (2, -1, -1, -1)'),
    q('insert maxima', 'INSERT INTO ints VALUES (3, 32767, 2147483647, 9223372036854775807)'),
    q('insert minima', 'INSERT INTO ints VALUES (4, -32768, -2147483648, -9223372036854775807)'),
    q('insert nulls', 'INSERT INTO ints VALUES (5, NULL, NULL, NULL)'),
    q('select all', 'SELECT * FROM ints ORDER BY id'),
    q('int8 equality beyond 2^53', 'SELECT id FROM ints WHERE b = 1800000000000000001'),
    q('int8 neighbour is not equal', 'SELECT id FROM ints WHERE b = 1800000000000000000'),
    q('int8 arithmetic beyond 2^53', 'SELECT b + 1, b - 2, b * 1 FROM ints WHERE id = 1'),
    q('int8 range scan', 'SELECT b FROM ints WHERE b > 1800000000000000000 ORDER BY b'),
    q('int8 ordering with negatives', 'SELECT b FROM ints ORDER BY b DESC'),
    q('IS NULL', 'SELECT id FROM ints WHERE b IS NULL'),
    q('int8 overflow', 'SELECT b + 1 FROM ints WHERE id = 3', { error: '22003' }),
    q('int2 overflow on insert', 'INSERT INTO ints (id, s) VALUES (6, 32768)', { error: '22003' }),
    q('int4 overflow on insert', 'INSERT INTO ints (id, i) VALUES (6, 2147483648)', { error: '22003' }),
    q('int8 literal max', 'SELECT 9223372036854775807::int8, -9223372036854775807'),
    q('int8 literal past max', 'SELECT 9223372036854775808::int8', { error: '22003' }),
    q('int8 min from text', "SELECT '-9223372036854775808'::int8"),
    q('aggregates over int8', 'SELECT min(b), max(b), count(b), count(*) FROM ints'),
    q('sum of int4 is int8', 'SELECT sum(i), sum(s) FROM ints'),
    q('sum of int8 is numeric', 'SELECT sum(b) FROM ints'),
    q('integer division and modulo', 'SELECT 7 / 2, -7 / 2, 7 % 3, -7 % 3'),
    q('mixed width arithmetic', 'SELECT s + 1, i * 2::int8, s::int8 + i FROM ints WHERE id = 3'),
    q('division by zero', 'SELECT i / 0 FROM ints WHERE id = 1', { error: '22012' }),
  ],
};

export const floats: Group = {
  name: 'floats',
  cases: [
    q('create', 'CREATE TABLE floats (id int4 PRIMARY KEY, r float4, d float8)'),
    q('insert', 'INSERT INTO floats VALUES (1, 1.5, 0.1), (2, -0.25, 1e300), (3, 3.4028235e38, -1.7976931348623157e308), (4, NULL, NULL), (5, 0.1, 0.30000000000000004)'),
    q('select all', 'SELECT * FROM floats ORDER BY id'),
    q('float8 arithmetic', 'SELECT d * 2, d / 3 FROM floats WHERE id = 1'),
    q('shortest output', 'SELECT 0.1::float8 + 0.2::float8'),
    q('float4 widened', 'SELECT r::float8 FROM floats WHERE id = 5', { skip: SKIP.casts }),
    q('float order', 'SELECT id FROM floats ORDER BY d, id'),
    q('float overflow', 'SELECT 1e308::float8 * 10', { error: '22003' }),
    q('float bad input', "SELECT 'abc'::float8", { error: '22P02' }),
    q('NaN and Infinity', "SELECT 'NaN'::float8, 'Infinity'::float8, '-Infinity'::float4"),
    q('avg of floats', 'SELECT avg(r), sum(d) FROM floats WHERE id IN (1, 5)'),
  ],
};

export const numerics: Group = {
  name: 'numerics',
  cases: [
    q('create', 'CREATE TABLE nums (id int4 PRIMARY KEY, n numeric)'),
    q('insert', 'INSERT INTO nums VALUES (1, 123.456), (2, -0.0001), (3, 1e20), (4, NULL), (5, 1.50)'),
    q('select all keeps written scale', 'SELECT * FROM nums ORDER BY id'),
    q('arithmetic keeps scale', 'SELECT n + 1, n * 2, n - 0.01 FROM nums WHERE id = 1', { skip: SKIP.numericOps }),
    q('literal addition', 'SELECT 1.1 + 2.2', { skip: SKIP.numericOps }),
    q('division scale', 'SELECT 10::numeric / 4, 1::numeric / 3', { skip: SKIP.numericOps }),
    q('sum and max', 'SELECT sum(n), max(n) FROM nums', { skip: SKIP.numericOps }),
    q('compare with int', 'SELECT id FROM nums WHERE n > 100 ORDER BY id', { skip: SKIP.numericOps }),
    q('bad input', "SELECT 'x1'::numeric", { error: '22P02' }),
    // numeric(p,s) last: its gate skips only what depends on the typmod.
    q('create numeric(10,2)', 'CREATE TABLE prices (id int4 PRIMARY KEY, p numeric(10,2))', { skip: SKIP.typmods, gate: true }),
    q('insert rounds to scale', 'INSERT INTO prices VALUES (1, 1.005), (2, 99999999.99), (3, 0), (4, NULL)'),
    q('select rounded', 'SELECT * FROM prices ORDER BY id'),
    q('typmod overflow', 'INSERT INTO prices VALUES (5, 100000000)', { error: '22003' }),
    q('avg of numeric(10,2)', 'SELECT avg(p) FROM prices', { skip: SKIP.numericOps }),
  ],
};

export const booleans: Group = {
  name: 'booleans',
  cases: [
    q('create', 'CREATE TABLE flags (id int4 PRIMARY KEY, f bool)'),
    q('insert spellings', "INSERT INTO flags VALUES (1, true), (2, false), (3, NULL), (4, 'yes'), (5, '0')"),
    q('select all', 'SELECT * FROM flags ORDER BY id'),
    q('where true', 'SELECT id FROM flags WHERE f ORDER BY id'),
    q('where not', 'SELECT id FROM flags WHERE NOT f'),
    q('where null', 'SELECT id FROM flags WHERE f IS NULL'),
    q('three-valued logic', 'SELECT true AND NULL, false AND NULL, true OR NULL, NOT NULL::bool'),
    q('bad input', "SELECT 'maybe'::bool", { error: '22P02' }),
    q('comparisons yield bool', 'SELECT 1 < 2, 2 <= 1, 1 <> 1, NULL = NULL, 1 IS DISTINCT FROM NULL'),
    q('typed nulls', 'SELECT NULL, NULL::int8, NULL::bytea, NULL::bool'),
  ],
};
