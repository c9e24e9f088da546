/** @module Where the real psql client is: on PATH, or Debian's PostgreSQL 15 install. */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export function psqlPath(): string {
  for (const candidate of ['/usr/lib/postgresql/15/bin/psql', '/usr/bin/psql']) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('which', ['psql'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('psql not found: install Debian\'s postgresql-client (see .ci/run)');
  }
}
