/**
 * @module One client connection, the only place that holds a net.Socket: startup (SSL and
 * GSSENC refused, protocol 3.2 negotiated down to 3.0), authentication, then messages in order
 * through the query protocol, with answers written strictly in order.
 */
import { randomInt } from 'node:crypto';
import type net from 'node:net';
import type { PgError, SqlService, SqlSession } from '../tunnel/types.ts';
import { checkCleartext, ScramExchange } from './auth.ts';
import { writeErrorOrNotice, writeMessage } from './protocol/backend-writer.ts';
import { FrontendParser } from './protocol/frontend-parser.ts';
import { isStartupPacket, type BackendMessage, type FrontendMessage, type StartupPacket } from './protocol/messages.ts';
import { QueryProtocol } from './query-protocol.ts';
import { startupParameters } from './settings.ts';

export interface ConnectionOptions {
  password: string;
  auth: 'scram-sha-256' | 'password';
  service: SqlService;
  /** A CancelRequest arrived: cancel the connection with this key, if any. */
  onCancel(pid: number, secret: number): void;
}

/** Session calls in flight per connection before the next message waits (Convex pipelines 16). */
export const MAX_IN_FLIGHT = 16;
/** Parsed messages waiting their turn before the socket stops being read. */
const MAX_QUEUED = 64;

export class Connection {
  readonly pid = randomInt(1, 2 ** 31 - 1);
  readonly secret = randomInt(0, 2 ** 31 - 1);
  readonly #socket: net.Socket;
  readonly #opts: ConnectionOptions;
  readonly #parser = new FrontendParser();
  #session: SqlSession | undefined;
  #protocol: QueryProtocol | undefined;
  #user = '';
  #startupParams: Record<string, string> = {};
  #scram: ScramExchange | undefined;
  /** Messages are handled one after another along this chain. */
  #chain: Promise<void> = Promise.resolve();
  #queued = 0;
  /** Answers, written in this order as each resolves. */
  #out: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(socket: net.Socket, opts: ConnectionOptions) {
    this.#socket = socket;
    this.#opts = opts;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => this.#close());
    socket.on('close', () => this.#close());
  }

  cancel(): void {
    this.#session?.cancel();
  }

  #onData(chunk: Buffer): void {
    try {
      const violation = this.#parser.feed(chunk, (m) => (isStartupPacket(m) ? this.#onStartup(m) : this.#enqueue(m)));
      if (violation) this.#fatal(violation);
      else if (this.#queued > MAX_QUEUED) this.#socket.pause();
    } catch (err) {
      // A bug must cost this connection only, never the process.
      this.#fatal({ sqlstate: 'XX000', message: `internal error: ${(err as Error).message}` });
    }
  }

  /** Writes now, ahead of anything queued: only used before the query protocol starts. */
  #send(...messages: BackendMessage[]): void {
    if (this.#writable) this.#socket.write(Buffer.concat(messages.map(writeMessage)));
  }

  get #writable(): boolean {
    return !this.#socket.destroyed && !this.#socket.writableEnded;
  }

  /**
   * Queues an answer; pieces are written in order, each once it resolves. A FATAL error (the
   * session is gone, e.g. the tunnel dropped) is written and then the connection closes.
   */
  #emit = (piece: BackendMessage[] | Promise<BackendMessage[]>): void => {
    // Settled into a value at once: a rejection must not go unhandled while earlier pieces wait.
    const ready = Promise.resolve(piece).then(
      (messages): { messages: BackendMessage[]; err?: Error } => ({ messages }),
      (err: unknown) => ({ messages: [] as BackendMessage[], err: err as Error }),
    );
    this.#out = this.#out.then(async () => {
      const { messages, err } = await ready;
      if (err) return this.#fatal({ sqlstate: 'XX000', message: `internal error: ${err.message}` });
      // Nothing follows a FATAL error (no ReadyForQuery): PostgreSQL closes right after it.
      const fatal = messages.findIndex((m) => m.type === 'error' && m.error.severity === 'FATAL');
      const send = fatal >= 0 ? messages.slice(0, fatal + 1) : messages;
      if (send.length && this.#writable) this.#socket.write(Buffer.concat(send.map(writeMessage)));
      if (fatal >= 0) {
        if (this.#writable) this.#socket.end();
        this.#close();
      }
    });
  };

  #fatal(e: PgError): void {
    if (this.#writable) this.#socket.end(writeErrorOrNotice({ ...e, severity: 'FATAL' }, 'E'));
    this.#close();
  }

  #onStartup(p: StartupPacket): void {
    switch (p.type) {
      case 'sslRequest':
      case 'gssEncRequest':
        // Plaintext only: clients reach the shim over loopback inside the container.
        if (this.#writable) this.#socket.write('N');
        return;
      case 'cancelRequest':
        this.#opts.onCancel(p.pid, p.secret);
        this.#socket.destroy();
        return this.#close();
      case 'startup': {
        this.#parser.startup = false;
        this.#user = p.params.user ?? '';
        this.#startupParams = p.params;
        if (!this.#user) return this.#fatal({ sqlstate: '28000', message: 'no PostgreSQL user name specified in startup packet' });
        const unknownOptions = Object.keys(p.params).filter((k) => k.startsWith('_pq_.'));
        if (p.minor > 0 || unknownOptions.length) this.#send({ type: 'negotiateProtocolVersion', minor: 0, unrecognized: unknownOptions });
        if (this.#opts.auth === 'password') this.#send({ type: 'authenticationCleartextPassword' });
        else this.#send({ type: 'authenticationSasl', mechanisms: ['SCRAM-SHA-256'] });
        return;
      }
    }
  }

  #enqueue(m: FrontendMessage): void {
    this.#queued++;
    this.#chain = this.#chain
      .then(() => this.#onMessage(m))
      .catch((err: unknown) => this.#fatal({ sqlstate: 'XX000', message: `internal error: ${(err as Error).message}` }))
      .finally(() => {
        if (--this.#queued <= MAX_QUEUED / 2 && this.#socket.isPaused() && !this.#closed) this.#socket.resume();
      });
  }

  async #onMessage(m: FrontendMessage): Promise<void> {
    if (this.#closed) return;
    if (!this.#protocol) {
      if (m.type !== 'password') return this.#fatal({ sqlstate: '08P01', message: `expected password response, got message type ${m.type}` });
      return this.#authenticate(m.data);
    }
    switch (m.type) {
      case 'terminate':
        this.#socket.end();
        return this.#close();
      case 'password':
        return this.#fatal({ sqlstate: '08P01', message: 'unexpected password message' });
    }
    await this.#protocol.below(MAX_IN_FLIGHT);
    await this.#protocol.handle(m);
  }

  #authFailed(): void {
    this.#fatal({ sqlstate: '28P01', message: `password authentication failed for user "${this.#user}"` });
  }

  async #authenticate(data: Buffer): Promise<void> {
    if (this.#opts.auth === 'password') {
      if (!checkCleartext(data.toString('utf8').replace(/\0$/, ''), this.#opts.password)) return this.#authFailed();
      return this.#ready();
    }
    if (!this.#scram) {
      // SASLInitialResponse: mechanism, int32 length, client-first-message.
      const end = data.indexOf(0);
      if (end < 0 || data.length < end + 5) return this.#fatal({ sqlstate: '08P01', message: 'malformed SASLInitialResponse message' });
      if (data.toString('utf8', 0, end) !== 'SCRAM-SHA-256') return this.#fatal({ sqlstate: '28000', message: 'client selected an invalid SASL authentication mechanism' });
      this.#scram = new ScramExchange(this.#opts.password);
      const serverFirst = this.#scram.first(data.toString('utf8', end + 5));
      if (!serverFirst) return this.#fatal({ sqlstate: '08P01', message: 'malformed SCRAM message' });
      return this.#send({ type: 'authenticationSaslContinue', data: serverFirst });
    }
    const serverFinal = this.#scram.final(data.toString('utf8'));
    if (!serverFinal) return this.#authFailed();
    this.#send({ type: 'authenticationSaslFinal', data: serverFinal });
    return this.#ready();
  }

  async #ready(): Promise<void> {
    const { user, database, ...params } = this.#startupParams;
    let session: SqlSession;
    try {
      // The DO may end the session on its own (idle in transaction): FATAL, then close, as PostgreSQL.
      session = await this.#opts.service.open({ user, database: database ?? user, params }, { ended: (e) => this.#fatal(e) });
    } catch (err) {
      const pgError = (err as { pgError?: PgError }).pgError;
      return this.#fatal(pgError ?? { sqlstate: '08006', message: `could not open a database session: ${(err as Error).message}` });
    }
    this.#session = session;
    if (this.#closed) return void session.close().catch(() => {});
    this.#protocol = new QueryProtocol(session, this.#emit);
    this.#send(
      { type: 'authenticationOk' },
      ...startupParameters(user, params.application_name ?? '').map(([name, value]): BackendMessage => ({ type: 'parameterStatus', name, value })),
      { type: 'backendKeyData', pid: this.pid, secret: this.secret },
      { type: 'readyForQuery', status: 'I' },
    );
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#writable) this.#socket.end();
    const session = this.#session;
    // After the messages already handed to the session, so its calls stay in order.
    if (session) void this.#chain.finally(() => session.close().catch(() => {}));
  }
}
