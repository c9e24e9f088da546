/** UPDATE … FROM and DELETE … USING: joined writes with exact row counts. */
import { describe, it } from 'vitest';
import { runGroup } from './harness.ts';

describe('UPDATE … FROM / DELETE … USING', () => {
  it('joins the target with other relations', () =>
    runGroup([
      { sql: 'CREATE TABLE acc (id int8 PRIMARY KEY, owner text, balance int8)', tag: 'CREATE TABLE' },
      { sql: 'CREATE TABLE moves (acc_id int8, amount int8)', tag: 'CREATE TABLE' },
      { sql: "INSERT INTO acc VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', 30)", tag: 'INSERT 0 3' },
      { sql: 'INSERT INTO moves VALUES (1, 5), (2, -7)', tag: 'INSERT 0 2' },
      { sql: 'UPDATE acc SET balance = balance + m.amount FROM moves m WHERE m.acc_id = acc.id', tag: 'UPDATE 2' },
      { sql: 'SELECT id, balance FROM acc ORDER BY id', rows: [[1n, 15n], [2n, 13n], [3n, 30n]] },
      { sql: 'UPDATE acc a SET owner = upper(a.owner) FROM moves m WHERE m.acc_id = a.id AND m.amount > $1', params: [0n], paramOids: [20], tag: 'UPDATE 1' },
      { sql: 'SELECT owner FROM acc WHERE id = 1', rows: [['ANN']] },
      { sql: 'DELETE FROM acc USING moves m WHERE m.acc_id = acc.id AND m.amount < 0', tag: 'DELETE 1' },
      { sql: 'DELETE FROM acc a USING moves m, acc b WHERE m.acc_id = a.id AND b.id = a.id', tag: 'DELETE 1' },
      { sql: 'SELECT id FROM acc ORDER BY id', rows: [[3n]] },
      { sql: 'DELETE FROM acc USING acc b WHERE id = 3', code: '42702' },
      { sql: 'UPDATE acc SET balance = 0 FROM nope WHERE true', code: '42P01' },
      { sql: 'DELETE FROM acc USING moves m WHERE m.acc_id = acc.id RETURNING acc.id', code: '0A000' },
    ]));
});
