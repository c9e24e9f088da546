import { describe, expect, it } from 'vitest';
import { loadParser, parseSql } from '../../../worker/engine/parser.ts';

describe('libpg-query in workerd', () => {
  it('parses statements and reports syntax errors with a position', async () => {
    await loadParser();
    const ok = parseSql("SELECT DISTINCT ON (a) a FROM t WHERE b = $1; COPY t FROM STDIN BINARY");
    expect('stmts' in ok && ok.stmts.map((s) => Object.keys(s.stmt)[0])).toEqual(['SelectStmt', 'CopyStmt']);
    const bad = parseSql('SELECT FROM WHERE');
    expect(bad).toMatchObject({ message: 'syntax error at or near "WHERE"', position: 13 });
  });
});
