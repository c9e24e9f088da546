/**
 * @module DISTINCT ON in the shapes the engine translates two ways (translate/distinct-on.ts):
 * one GROUP BY with max()/min() when the only sort item after the keys picks the row, else a
 * window. Keys and picks with NULLs, descending keys, LIMIT/OFFSET, parameters, a join, and the
 * shapes that must fall back. Data has no ties in the picked column (PostgreSQL's choice among
 * ties is arbitrary).
 */
import { type Group, q } from './case.ts';

export const distinctOn: Group = {
  name: 'distinct_on',
  cases: [
    q('create', 'CREATE TABLE rev (k int4, k2 text NOT NULL, ts int8 NOT NULL, n int4, v text, PRIMARY KEY (k2, ts))'),
    q('index', 'CREATE INDEX rev_by_key ON rev (k, k2, ts)'),
    q(
      'insert',
      "INSERT INTO rev VALUES (1, 'a', 10, 1, 'a10'), (1, 'a', 20, NULL, 'a20'), (1, 'b', 15, 3, 'b15'), (2, 'c', 5, 2, 'c5'), (2, 'c', 7, NULL, 'c7'), (NULL, 'd', 1, 9, 'd1'), (NULL, 'd', 2, 8, 'd2'), (NULL, 'e', 3, NULL, 'e3'), (3, 'f', 30, 4, 'f30')",
    ),
    q('latest per key (max, NOT NULL pick)', 'SELECT DISTINCT ON (k2) k2, ts, v FROM rev ORDER BY k2, ts DESC'),
    q('earliest per key (min)', 'SELECT DISTINCT ON (k2) k2, ts, v FROM rev ORDER BY k2, ts'),
    q('NULL keys form one group, sorted last', 'SELECT DISTINCT ON (k) k, ts, v FROM rev ORDER BY k, ts DESC'),
    q('descending keys', 'SELECT DISTINCT ON (k, k2) k, k2, ts, v FROM rev ORDER BY k DESC, k2 DESC, ts DESC'),
    q('keys in another order than DISTINCT ON lists them', 'SELECT DISTINCT ON (k2, k) k, k2, ts FROM rev ORDER BY k, k2, ts DESC'),
    q('with LIMIT and OFFSET', 'SELECT DISTINCT ON (k2) k2, ts FROM rev ORDER BY k2, ts DESC LIMIT 2 OFFSET 1'),
    q('with a WHERE range and parameters', 'SELECT DISTINCT ON (k2) k2, ts, v FROM rev WHERE ts <= $1 AND k2 >= $2 ORDER BY k2, ts DESC LIMIT $3', { params: ['15', 'b', '10'] }),
    q('nullable pick ascending (NULLs last: min skips them)', 'SELECT DISTINCT ON (k2) k2, n, v FROM rev ORDER BY k2, n'),
    q('nullable pick descending (NULLs first: the window)', 'SELECT DISTINCT ON (k2) k2, n, v FROM rev ORDER BY k2, n DESC'),
    q('nullable pick, DESC NULLS LAST', 'SELECT DISTINCT ON (k2) k2, n, v FROM rev ORDER BY k2, n DESC NULLS LAST'),
    q('two sort items after the keys (the window)', 'SELECT DISTINCT ON (k) k, ts, v FROM rev ORDER BY k, n DESC NULLS LAST, ts'),
    q('no ORDER BY beyond the keys', 'SELECT DISTINCT ON (k2) k2 FROM rev ORDER BY k2'),
    q(
      "Convex's shape: in a subquery, LEFT JOINed, ordered outside",
      'SELECT A.k2, A.ts, B.v FROM (SELECT DISTINCT ON (k2) k2, ts FROM rev WHERE ts <= 20 ORDER BY k2 DESC, ts DESC LIMIT 3) A LEFT JOIN rev B ON B.k2 = A.k2 AND B.ts = A.ts ORDER BY A.k2 DESC',
    ),
  ],
};
