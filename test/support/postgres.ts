/**
 * @module A throwaway reference PostgreSQL 15: initdb into a fresh temp dir (as the `postgres`
 * user when we are root, since initdb refuses root), listening on a free loopback port only,
 * its unix socket inside the temp dir, fsync off. `stop()` stops it and removes the dir.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const BIN = '/usr/lib/postgresql/15/bin';
const execFileAsync = promisify(execFile);

export interface Postgres {
  /** postgresql:// URL for the superuser `postgres`, trust auth, database `postgres`. */
  url: string;
  host: string;
  port: number;
  /** How long initdb plus start took, in milliseconds. */
  startMs: number;
  stop(): Promise<void>;
}

/** Runs a PostgreSQL binary, as `postgres` when we are root. */
async function runAsPostgres(args: string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0]!, args.slice(1)];
  try {
    await execFileAsync(file, argv, { encoding: 'utf8' });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${path.basename(args[0]!)} failed: ${err.stderr?.trim() || err.message}`);
  }
}

export async function startPostgres(): Promise<Postgres> {
  const started = performance.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'reference-pg-'));
  if (process.getuid?.() === 0) {
    // The postgres user must own the dir it initialises; the uid comes from the system's passwd.
    const { stdout } = await execFileAsync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const { stdout: gid } = await execFileAsync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, 'data');
  const host = '127.0.0.1';
  const port = await freePort();
  try {
    await runAsPostgres([`${BIN}/initdb`, '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    // TimeZone and DateStyle pinned to what our engine reports, so text output compares.
    const options = `-p ${port} -h ${host} -k ${dir} -c fsync=off -c TimeZone=UTC -c DateStyle=ISO,MDY`;
    await runAsPostgres([`${BIN}/pg_ctl`, '-D', data, '-w', '-l', path.join(dir, 'server.log'), '-o', options, 'start']);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const startMs = Math.round(performance.now() - started);
  // A test process that exits without calling stop() (a crashed worker, a failed beforeAll)
  // must not leave a server behind: stop it synchronously on the way out.
  const stopOnExit = () => {
    const args = [`${BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop'];
    try {
      if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'ignore' });
      else execFileSync(args[0]!, args.slice(1), { stdio: 'ignore' });
    } catch {
      // Already stopped.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopOnExit);
  let stopped = false;
  return {
    url: `postgresql://postgres@${host}:${port}/postgres`,
    host,
    port,
    startMs,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', stopOnExit);
      try {
        await runAsPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
