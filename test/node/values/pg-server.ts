/**
 * @module A throwaway PostgreSQL 15 for differential tests: initdb into a temp dir (as the
 * postgres user when we are root, since initdb refuses root), start on a free loopback port,
 * and connect a `pg` client that returns every column as raw text.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BIN = '/usr/lib/postgresql/15/bin';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(args: string[]): void {
  if (process.getuid?.() === 0) {
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { stdio: 'pipe' });
  } else {
    execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' });
  }
}

export interface Reference {
  /** Runs `sql` with text parameters; every result column comes back as PostgreSQL's text. */
  query(sql: string, params?: (string | null)[]): Promise<{ ok: (string | null)[][] } | { code: string; message: string; detail?: string }>;
  /** Runs `sql` (simple protocol, no parameters) and returns the error it raised, or null. */
  error(sql: string): Promise<{ severity: string; code: string; message: string; detail?: string; hint?: string } | null>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<Reference> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-values-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  else chownSync(dir, process.getuid!(), process.getgid!());
  const data = join(dir, 'data');
  const port = await freePort();
  run([`${BIN}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  run([`${BIN}/pg_ctl`, '-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off -c TimeZone=UTC`, 'start']);
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  const raw = { getTypeParser: () => (v: string) => v };
  return {
    async query(sql, params = []) {
      try {
        const r = await client.query({ text: sql, values: params, types: raw, rowMode: 'array' });
        return { ok: r.rows as (string | null)[][] };
      } catch (e) {
        const err = e as { code?: string; message: string; detail?: string };
        if (err.code === undefined) throw e;
        return err.detail === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, detail: err.detail };
      }
    },
    async error(sql) {
      try {
        await client.query(sql);
        return null;
      } catch (e) {
        const err = e as { severity?: string; code?: string; message: string; detail?: string; hint?: string };
        if (err.code === undefined) throw e;
        return {
          severity: err.severity ?? 'ERROR',
          code: err.code,
          message: err.message,
          ...(err.detail === undefined ? {} : { detail: err.detail }),
          ...(err.hint === undefined ? {} : { hint: err.hint }),
        };
      }
    },
    async stop() {
      await client.end();
      run([`${BIN}/pg_ctl`, '-D', data, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
