/** WITH RECURSIVE: types from the non-recursive term, UNION vs UNION ALL, PostgreSQL's errors. */
import { describe, it } from 'vitest';
import { runGroup } from './harness.ts';

describe('WITH RECURSIVE', () => {
  it('counts, walks a tree, and refuses what PostgreSQL refuses', () =>
    runGroup([
      { sql: 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT sum(x) FROM n', rows: [[15n]], oids: [20] },
      { sql: 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) SELECT x FROM n ORDER BY x DESC', rows: [[3n], [2n], [1n]], oids: [23] },
      { sql: 'CREATE TABLE tree (id int4 PRIMARY KEY, parent int4, name text)', tag: 'CREATE TABLE' },
      { sql: "INSERT INTO tree VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 2, 'b'), (4, 1, 'c'), (5, NULL, 'other')", tag: 'INSERT 0 5' },
      {
        sql: "WITH RECURSIVE sub AS (SELECT id, name, 0 AS depth FROM tree WHERE id = $1 UNION ALL SELECT t.id, t.name, s.depth + 1 FROM tree t JOIN sub s ON t.parent = s.id) SELECT name, depth FROM sub ORDER BY depth, name",
        params: [1n],
        rows: [['root', 0n], ['a', 1n], ['c', 1n], ['b', 2n]],
        oids: [25, 23],
      },
      // UNION (not ALL) stops at a cycle.
      { sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT (x % 3) + 1 FROM c) SELECT count(*) FROM c', rows: [[3n]] },
      { sql: "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 3000000000 FROM n WHERE x < 5) SELECT x FROM n", code: '42804', message: 'recursive query "n" column 1 has type integer in non-recursive term but type bigint overall' },
      { sql: 'WITH RECURSIVE n(x, y) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n', code: '42P10' },
      { sql: 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3 ORDER BY 1) SELECT x FROM n', code: '0A000' },
    ]));
});
