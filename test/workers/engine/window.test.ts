/** Window functions with the default frame: PostgreSQL's result types and NULL ordering. */
import { describe, it } from 'vitest';
import { runGroup } from './harness.ts';

describe('window functions', () => {
  it('ranks, running sums, lag/lead, errors', () =>
    runGroup([
      { sql: 'CREATE TABLE s (g text, v int4, f float8)', tag: 'CREATE TABLE' },
      { sql: "INSERT INTO s VALUES ('a', 1, 0.5), ('a', 2, 1.5), ('a', 2, NULL), ('b', 5, 2), ('b', NULL, 1)", tag: 'INSERT 0 5' },
      {
        sql: 'SELECT g, v, row_number() OVER (PARTITION BY g ORDER BY v), rank() OVER (PARTITION BY g ORDER BY v), dense_rank() OVER (ORDER BY v DESC) FROM s ORDER BY g, v',
        rows: [
          ['a', 1n, 1n, 1n, 4n],
          ['a', 2n, 2n, 2n, 3n],
          ['a', 2n, 3n, 2n, 3n],
          ['b', 5n, 1n, 1n, 2n],
          ['b', null, 2n, 2n, 1n],
        ],
        oids: [25, 23, 20, 20, 20],
        names: ['g', 'v', 'row_number', 'rank', 'dense_rank'],
      },
      { sql: 'SELECT v, sum(v) OVER (ORDER BY v), count(*) OVER (), sum(f) OVER (PARTITION BY g) FROM s WHERE g = $1 ORDER BY v', params: ['a'], rows: [[1n, 1n, 3n, 2], [2n, 5n, 3n, 2], [2n, 5n, 3n, 2]], oids: [23, 20, 20, 701] },
      { sql: "SELECT v, lag(v) OVER (ORDER BY v), lead(v, 1, 0) OVER (ORDER BY v) FROM s WHERE g = 'a' ORDER BY v", rows: [[1n, null, 2n], [2n, 1n, 2n], [2n, 2n, 0n]], oids: [23, 23, 23] },
      { sql: "SELECT first_value(v) OVER (PARTITION BY g ORDER BY v DESC) FROM s WHERE g = 'b'", rows: [[null], [null]] },
      { sql: 'SELECT g FROM s ORDER BY row_number() OVER (ORDER BY v DESC) LIMIT 1', rows: [['b']] },
      { sql: 'SELECT g FROM s WHERE row_number() OVER () > 1', code: '42P20' },
      { sql: 'SELECT sum(v) OVER (ORDER BY v ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM s', code: '0A000' },
      { sql: 'SELECT count(*) OVER w FROM s WINDOW w AS (ORDER BY v)', code: '0A000' },
      { sql: 'SELECT avg(v) OVER () FROM s', code: '0A000' },
    ]));
});
