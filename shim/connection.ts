/**
 * @module One client connection: the only place that holds a net.Socket. Startup (SSL/GSSENC
 * refusal, protocol negotiation), authentication, then messages in order through the query
 * protocol, with output written strictly in order.
 */
import { randomInt } from 'node:crypto';
import type net from 'node:net';
import type { PgError, SqlService, SqlSession } from '../tunnel/types.ts';
import { checkCleartext, ScramExchange } from './auth.ts';
import { QueryProtocol, type OrderedOutput } from './extended.ts';
import * as be from './protocol/backend.ts';
import { FrontendParser, ProtocolViolation, type FrontendMessage, type StartupPacket } from './protocol/frontend.ts';
import { startupParameters } from './settings.ts';

export interface ConnectionOptions {
  password: string;
  auth: 'scram-sha-256' | 'password';
  service: SqlService;
  /** CancelRequest arrived: find the target by key and cancel it. */
  onCancel(pid: number, secret: number): void;
}

/** Pieces queued beyond this stop reading from the client until the queue drains. */
const HIGH_WATER = 64;

class SocketOutput implements OrderedOutput {
  readonly #socket: net.Socket;
  #queue: Array<Buffer | Promise<Buffer[]>> = [];
  #pumping = false;
  onDrain: () => void = () => {};

  constructor(socket: net.Socket) {
    this.#socket = socket;
  }

  get size(): number {
    return this.#queue.length;
  }

  push(piece: Buffer | Promise<Buffer[]>): void {
    this.#queue.push(piece);
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length) {
        const head = this.#queue[0];
        const bufs = Buffer.isBuffer(head) ? [head] : await head;
        this.#queue.shift();
        if (!this.#socket.destroyed && bufs.length) this.#socket.write(bufs.length === 1 ? bufs[0] : Buffer.concat(bufs));
        if (this.#queue.length < HIGH_WATER / 4) this.onDrain();
      }
    } finally {
      this.#pumping = false;
    }
  }
}

export class Connection {
  readonly pid = randomInt(1, 2 ** 31 - 1);
  readonly secret = randomInt(0, 2 ** 31 - 1);
  readonly #socket: net.Socket;
  readonly #opts: ConnectionOptions;
  readonly #parser = new FrontendParser();
  readonly #out: SocketOutput;
  #session: SqlSession | undefined;
  #protocol: QueryProtocol | undefined;
  #user = '';
  #startupParams: Record<string, string> = {};
  #scram: ScramExchange | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(socket: net.Socket, opts: ConnectionOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.#out = new SocketOutput(socket);
    this.#out.onDrain = () => socket.isPaused() && socket.resume();
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
      this.#parser.feed(
        chunk,
        (p) => this.#onStartup(p),
        (m) => this.#enqueue(m),
      );
    } catch (err) {
      const message = err instanceof ProtocolViolation ? err.message : `invalid message: ${(err as Error).message}`;
      this.#fatal({ sqlstate: '08P01', message });
      return;
    }
    if (this.#out.size > HIGH_WATER) this.#socket.pause();
  }

  #fatal(e: PgError): void {
    if (this.#socket.destroyed) return;
    this.#socket.end(be.errorOrNotice({ ...e, severity: 'FATAL' }));
    this.#close();
  }

  #onStartup(p: StartupPacket): void {
    switch (p.type) {
      case 'ssl':
      case 'gssenc':
        // Plaintext only: the endpoint listens on loopback inside the container.
        this.#socket.write('N');
        return;
      case 'cancel':
        this.#opts.onCancel(p.pid, p.secret);
        this.#socket.destroy();
        return;
      case 'startup': {
        this.#parser.startup = false;
        this.#user = p.params.user ?? '';
        this.#startupParams = p.params;
        if (!this.#user) return this.#fatal({ sqlstate: '28000', message: 'no PostgreSQL user name specified in startup packet' });
        const unknownOptions = Object.keys(p.params).filter((k) => k.startsWith('_pq_.'));
        if (p.minor > 0 || unknownOptions.length) this.#socket.write(be.negotiateProtocolVersion(0, unknownOptions));
        if (this.#opts.auth === 'password') this.#socket.write(be.authenticationCleartext);
        else this.#socket.write(be.authenticationSasl(['SCRAM-SHA-256']));
        return;
      }
    }
  }

  #enqueue(m: FrontendMessage): void {
    this.#chain = this.#chain.then(() => this.#onMessage(m)).catch((err) => this.#fatal({ sqlstate: 'XX000', message: `internal error: ${(err as Error).message}` }));
  }

  async #onMessage(m: FrontendMessage): Promise<void> {
    if (this.#closed) return;
    if (!this.#protocol) {
      if (m.type !== 'password') return this.#fatal({ sqlstate: '08P01', message: `expected password response, got message type ${m.type}` });
      return this.#authenticate(m.data);
    }
    if (m.type === 'terminate') {
      this.#socket.end();
      return this.#close();
    }
    if (m.type === 'password') return this.#fatal({ sqlstate: '08P01', message: 'unexpected password message' });
    if (m.type === 'copyData' || m.type === 'copyDone' || m.type === 'copyFail') return; // no COPY in progress: ignored, as PostgreSQL does
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
      const mechanism = data.toString('utf8', 0, end);
      if (mechanism !== 'SCRAM-SHA-256') return this.#fatal({ sqlstate: '28000', message: 'client selected an invalid SASL authentication mechanism' });
      const len = data.readInt32BE(end + 1);
      this.#scram = new ScramExchange(this.#opts.password);
      const serverFirst = this.#scram.first(data.toString('utf8', end + 5, end + 5 + len));
      if (!serverFirst) return this.#fatal({ sqlstate: '08P01', message: 'malformed SCRAM message' });
      this.#socket.write(be.authenticationSaslContinue(serverFirst));
      return;
    }
    const serverFinal = this.#scram.final(data.toString('utf8'));
    if (!serverFinal) return this.#authFailed();
    this.#socket.write(be.authenticationSaslFinal(serverFinal));
    return this.#ready();
  }

  async #ready(): Promise<void> {
    const { user, database, ...params } = this.#startupParams;
    try {
      this.#session = await this.#opts.service.open({ user, database: database ?? user, params });
    } catch (err) {
      const pgError = (err as { pgError?: PgError }).pgError;
      return this.#fatal(pgError ?? { sqlstate: '08006', message: `could not open a database session: ${(err as Error).message}` });
    }
    if (this.#closed) return void this.#session.close();
    this.#protocol = new QueryProtocol(this.#session, this.#out);
    const out = [be.authenticationOk];
    for (const [k, v] of startupParameters(user, params.application_name ?? '')) out.push(be.parameterStatus(k, v));
    out.push(be.backendKeyData(this.pid, this.secret), be.readyForQuery('I'));
    this.#socket.write(Buffer.concat(out));
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const session = this.#session;
    if (session) void this.#chain.finally(() => session.close().catch(() => {}));
  }
}
