/**
 * @module A throwaway PostgreSQL 15 for differential tests (test/support/postgres.ts) with a
 * connected `pg` client that returns every column as raw text.
 */
import pg from 'pg';
import { startPostgres as startServer } from '../../support/postgres.ts';

export interface Reference {
  /** Runs `sql` with text parameters; every result column comes back as PostgreSQL's text. */
  query(sql: string, params?: (string | null)[]): Promise<{ ok: (string | null)[][] } | { code: string; message: string; detail?: string }>;
  /** Runs `sql` (simple protocol, no parameters) and returns the error it raised, or null. */
  error(sql: string): Promise<{ severity: string; code: string; message: string; detail?: string; hint?: string } | null>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<Reference> {
  const server = await startServer();
  const client = new pg.Client({ connectionString: server.url });
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
      await server.stop();
    },
  };
}
