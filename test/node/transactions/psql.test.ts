/**
 * Transactions as psql drives them, against PostgreSQL 15 and our stack: `--single-transaction`
 * wraps every -c in one BEGIN…COMMIT (all or nothing with ON_ERROR_STOP), and psql reports
 * the 25P01 warning of a COMMIT with none open on stderr.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { psqlPath } from '../../support/psql.ts';
import { useTarget } from './fixture.ts';
import { targets } from './targets.ts';

/** psql runs as a child process, asynchronously: our shim serves it from this process. */
async function psql(url: string, schema: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(psqlPath(), [url, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', `SET search_path TO ${schema}`, ...args], { encoding: 'utf8', timeout: 20_000 });
    return { code: 0, stdout: stdout.trim(), stderr: stderr.trim() };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout.trim(), stderr: err.stderr.trim() };
  }
}

for (const target of targets) {
  describe(`psql on ${target.name}`, () => {
    const fx = useTarget(target);

    it('--single-transaction: a failing command leaves nothing of the others', async () => {
      const { name } = await fx.schema(['CREATE TABLE t (id int8 PRIMARY KEY)', 'INSERT INTO t VALUES (1)']);
      const failed = await psql(fx.server.url, name, ['--single-transaction', '-c', 'INSERT INTO t VALUES (2)', '-c', 'DELETE FROM t WHERE id = 1', '-c', 'INSERT INTO t VALUES (2)']);
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toMatch(/duplicate key value violates unique constraint/);
      expect((await psql(fx.server.url, name, ['-c', 'SELECT id FROM t ORDER BY id'])).stdout.split('\n').at(-1)).toBe('1');
      const ok = await psql(fx.server.url, name, ['--single-transaction', '-c', 'INSERT INTO t VALUES (2)', '-c', 'DELETE FROM t WHERE id = 1']);
      expect(ok.code).toBe(0);
      expect((await psql(fx.server.url, name, ['-c', 'SELECT id FROM t ORDER BY id'])).stdout.split('\n').at(-1)).toBe('2');
    });

    it('COMMIT with none open: a WARNING on stderr, exit status 0', async () => {
      const { name } = await fx.schema([]);
      const out = await psql(fx.server.url, name, ['-c', 'COMMIT']);
      expect(out.code).toBe(0);
      expect(out.stderr).toMatch(/^WARNING: {2}there is no transaction in progress$/m);
    });
  });
}
