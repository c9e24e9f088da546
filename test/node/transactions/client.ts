/**
 * @module A `pg` connection that reports what a transaction test needs after every statement:
 * the ReadyForQuery status (I idle, T in a transaction, E failed transaction), command tags
 * with row counts, rows as PostgreSQL's own text, the SQLSTATE of an error and of each notice.
 */
import pg from 'pg';

export type TxStatus = 'I' | 'T' | 'E';

export interface Outcome {
  status: TxStatus;
  /** One per statement that completed, e.g. `INSERT 2`, `BEGIN`, `SELECT 1`. */
  tags: string[];
  /** Rows of the last statement, every value as text. */
  rows: (string | null)[][];
  /** SQLSTATE of the error, when the query failed. */
  error?: string;
  /** SQLSTATEs of notices and warnings, in order (e.g. 25P01 for COMMIT with none open). */
  notices: string[];
  /** Present when the error was FATAL: the server ended the session. */
  fatal?: true;
}

/** Every column as the server's text: no client-side parsing hides a difference. */
const rawTypes = { getTypeParser: () => (value: string) => value };

export interface RunOptions {
  params?: unknown[];
  /** Parse/Bind/Execute/Sync even without parameters. */
  extended?: boolean;
}

export class Session {
  readonly client: pg.Client;
  #notices: string[] = [];
  /** Set once the server ends the session on its own (FATAL), with its SQLSTATE. */
  fatal: string | undefined;
  /** ReadyForQuery messages seen, and the status of the last one. */
  #ready = 0;
  #status: TxStatus = 'I';
  #closed = false;
  #wake: (() => void)[] = [];

  private constructor(client: pg.Client) {
    this.client = client;
    // pg rejects a query at its ErrorResponse, before the ReadyForQuery that says I/T/E:
    // count ReadyForQuery messages ourselves so a status is never read stale.
    const con = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
    con.on('readyForQuery', (msg: { status: TxStatus }) => {
      this.#ready++;
      this.#status = msg.status;
      for (const w of this.#wake.splice(0)) w();
    });
    con.on('end', () => {
      this.#closed = true;
      for (const w of this.#wake.splice(0)) w();
    });
    client.on('notice', (n) => this.#notices.push((n as { code?: string }).code ?? '?'));
    // A FATAL outside a query (idle_in_transaction_session_timeout) arrives as an 'error' event.
    client.on('error', (e) => {
      this.fatal ??= (e as { code?: string }).code ?? 'connection lost';
    });
  }

  static async open(url: string, searchPath?: string): Promise<Session> {
    const client = new pg.Client({ connectionString: url, types: rawTypes });
    const s = new Session(client);
    await client.connect();
    if (searchPath) await client.query(`SET search_path TO ${searchPath}`);
    return s;
  }

  /** The status of the last ReadyForQuery. */
  get status(): TxStatus {
    return this.#status;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves once the server has closed the connection. */
  async whenClosed(): Promise<void> {
    while (!this.#closed) await new Promise<void>((r) => this.#wake.push(r));
  }

  /** Resolves once more than `seen` ReadyForQuery messages have arrived, or the connection closed. */
  async #readyAfter(seen: number): Promise<void> {
    while (this.#ready <= seen && !this.#closed) await new Promise<void>((r) => this.#wake.push(r));
  }

  /** Runs one query string and reports its outcome; never throws for an SQL error. */
  async run(sql: string, opts: RunOptions = {}): Promise<Outcome> {
    this.#notices = [];
    const config: pg.QueryArrayConfig = { text: sql, values: opts.params, rowMode: 'array' };
    if (opts.extended) Object.assign(config, { queryMode: 'extended' });
    const seen = this.#ready;
    try {
      const r = (await this.client.query(config)) as pg.QueryArrayResult | pg.QueryArrayResult[];
      const results = Array.isArray(r) ? r : [r];
      const last = results.at(-1)!;
      await this.#readyAfter(seen);
      return { status: this.status, tags: results.map(tagOf), rows: (last.rows ?? []) as (string | null)[][], notices: this.#notices };
    } catch (e) {
      const err = e as { code?: string; severity?: string };
      // No SQLSTATE: the connection failed, not the statement — a harness error.
      if (typeof err.code !== 'string') throw e;
      await this.#readyAfter(seen);
      return { status: this.status, tags: [], rows: [], error: err.code, notices: this.#notices, ...(err.severity === 'FATAL' && { fatal: true as const }) };
    }
  }

  /** Runs a query that must succeed; returns its rows. */
  async rows(sql: string, params?: unknown[]): Promise<(string | null)[][]> {
    const out = await this.run(sql, { params });
    if (out.error) throw new Error(`${sql}: unexpected error ${out.error}`);
    return out.rows;
  }

  /** Drops the TCP connection without a Terminate message, as a crashed client would. */
  drop(): void {
    (this.client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }

  async end(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}

function tagOf(r: pg.QueryArrayResult): string {
  return r.rowCount === null || r.command === null ? String(r.command) : `${r.command} ${r.rowCount}`;
}
