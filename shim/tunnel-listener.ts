/**
 * @module The shim's end of the tunnel. The Durable Object dials in (never the reverse); this
 * listener authenticates each dial, keeps the newest authenticated link as the one new requests
 * use, and implements SqlService by sending each call as one request and assembling its reply.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { newNonce, verify } from '../tunnel/auth.ts';
import { encodeFrame, FrameParser, ReplyAssembler, TUNNEL_VERSION, type Frame, type FrameOf } from '../tunnel/frames.ts';
import type {
  ExecuteReply,
  PgError,
  PrepareReply,
  SessionEvents,
  SessionInfo,
  SqlService,
  SqlSession,
  SqlValue,
} from '../tunnel/types.ts';

export interface TunnelListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  secret: string;
  /** How long a request waits for a link before failing with 08006 (default 30 s). */
  linkWaitMs?: number;
  /** A dialer must authenticate within this time (default 5 s). */
  handshakeMs?: number;
  log?: (line: string) => void;
}

type Reply = ExecuteReply & PrepareReply;
type RequestFrame = FrameOf<'open' | 'close' | 'prepare' | 'execute' | 'query' | 'copyBegin' | 'copyRows' | 'copyEnd'>;

interface Pending {
  session: number;
  assembler: ReplyAssembler;
  resolve(reply: Reply): void;
}

const linkLost: PgError = {
  severity: 'FATAL',
  sqlstate: '08006',
  message: 'connection to the database was lost (tunnel dropped)',
};

class Link {
  readonly pending = new Map<number, Pending>();
  draining = false;
  readonly socket: net.Socket;

  constructor(socket: net.Socket) {
    this.socket = socket;
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }
}

export class TunnelListener implements SqlService {
  readonly instance = randomUUID();
  #server: net.Server;
  #opts: Required<Omit<TunnelListenerOptions, 'log'>> & Pick<TunnelListenerOptions, 'log'>;
  #links = new Set<Link>();
  #active: Link | undefined;
  #waiters: Array<() => void> = [];
  #nextSession = 1;
  #nextRequest = 1;
  /** Sessions killed by an abrupt link drop: their further calls fail at once. */
  #dead = new Set<number>();
  /** Per session, whom to tell when the DO ends it on its own (an `ended` frame). */
  readonly #events = new Map<number, SessionEvents>();

  constructor(opts: TunnelListenerOptions) {
    this.#opts = { linkWaitMs: 30_000, handshakeMs: 5_000, ...opts };
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  /** Start listening; resolves with the bound port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => {
        resolve((this.#server.address() as net.AddressInfo).port);
      });
    });
  }

  /** True when an authenticated link is up. */
  get connected(): boolean {
    return this.#active !== undefined;
  }

  /** Resolves once an authenticated link is up. */
  waitForLink(timeoutMs = this.#opts.linkWaitMs): Promise<boolean> {
    if (this.#active) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(wake);
    });
  }

  async close(): Promise<void> {
    for (const link of this.#links) link.socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async open(info: SessionInfo, events?: SessionEvents): Promise<SqlSession> {
    const id = this.#nextSession++;
    if (events) this.#events.set(id, events);
    const reply = await this.#request({ type: 'open', session: id, request: 0, info });
    if (reply.error) {
      this.#events.delete(id);
      throw Object.assign(new Error(reply.error.message), { pgError: reply.error });
    }
    return new TunnelSession(this, id);
  }

  /** Send one request and resolve with its assembled reply. Never rejects: failures are PgErrors. */
  async #request(frame: RequestFrame): Promise<Reply> {
    const failed = (error: PgError): Reply => ({ results: [], txStatus: 'I', notices: [], error });
    if (this.#dead.has(frame.session)) return failed(linkLost);
    if (!this.#active && !(await this.waitForLink())) {
      return failed({ severity: 'FATAL', sqlstate: '08006', message: 'the database is not connected (no tunnel link)' });
    }
    const link = this.#active!;
    const request = this.#nextRequest++;
    return new Promise<Reply>((resolve) => {
      link.pending.set(request, { session: frame.session, assembler: new ReplyAssembler(), resolve });
      link.send(encodeFrame({ ...frame, request }));
    });
  }

  /** Requests of a session, used by TunnelSession only. */
  call(frame: RequestFrame): Promise<Reply> {
    return this.#request(frame);
  }

  /** Fire-and-forget frames (cancel, close) go on the active link if there is one. */
  notify(frame: Frame): void {
    this.#active?.send(encodeFrame(frame));
  }

  forget(session: number): void {
    this.#dead.delete(session);
    this.#events.delete(session);
  }

  #accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const link = new Link(socket);
    const nonce = newNonce();
    const parser = new FrameParser();
    let authed = false;
    const timer = setTimeout(() => socket.destroy(), this.#opts.handshakeMs);
    socket.write(encodeFrame({ type: 'challenge', version: TUNNEL_VERSION, nonce, instance: this.instance }));
    // Frames are handled strictly in order; the only async step is the handshake check.
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      try {
        parser.feed(bytes, (f) => {
          chain = chain.then(() => this.#onFrame(link, f, authed, nonce)).then((ok) => {
            if (ok === 'authed') {
              authed = true;
              clearTimeout(timer);
            }
          });
        });
      } catch (err) {
        this.#opts.log?.(`tunnel: protocol error from ${socket.remoteAddress}: ${(err as Error).message}`);
        socket.destroy();
      }
      chain = chain.catch((err) => {
        this.#opts.log?.(`tunnel: ${(err as Error).message}`);
        socket.destroy();
      });
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      this.#drop(link);
    });
  }

  async #onFrame(link: Link, f: Frame, authed: boolean, nonce: Uint8Array): Promise<'authed' | void> {
    if (!authed) {
      if (f.type !== 'hello') throw new Error(`unauthenticated peer sent ${f.type}`);
      if (f.version !== TUNNEL_VERSION) throw new Error(`tunnel version ${f.version} refused (want ${TUNNEL_VERSION})`);
      if (!(await verify(this.#opts.secret, nonce, f.proof))) throw new Error('tunnel peer failed authentication');
      link.send(encodeFrame({ type: 'welcome' }));
      this.#links.add(link);
      // Make-before-break: the newest link takes new requests; older ones finish theirs.
      this.#active = link;
      for (const wake of this.#waiters.splice(0)) wake();
      this.#opts.log?.('tunnel: link up');
      return 'authed';
    }
    switch (f.type) {
      case 'drain':
        link.draining = true;
        if (this.#active === link) this.#active = [...this.#links].reverse().find((l) => !l.draining);
        if (link.pending.size === 0) link.socket.end();
        return;
      case 'ping':
        link.send(encodeFrame({ type: 'pong', session: 0, request: f.request }));
        return;
      case 'ended':
        this.#events.get(f.session)?.ended(f.error);
        this.#events.delete(f.session);
        return;
      case 'columns':
      case 'rows':
      case 'complete':
      case 'done': {
        const p = link.pending.get(f.request);
        if (!p || p.session !== f.session) throw new Error(`reply for unknown request ${f.session}/${f.request}`);
        const reply = p.assembler.add(f);
        if (reply) {
          link.pending.delete(f.request);
          p.resolve(reply);
          if (link.draining && link.pending.size === 0) link.socket.end();
        }
        return;
      }
      default:
        throw new Error(`unexpected ${f.type} frame from the DO`);
    }
  }

  #drop(link: Link): void {
    if (!this.#links.delete(link)) return;
    if (this.#active === link) this.#active = [...this.#links].reverse().find((l) => !l.draining);
    // A graceful drain ends with nothing pending; anything left was cut off.
    for (const p of link.pending.values()) {
      this.#dead.add(p.session);
      p.resolve({ results: [], txStatus: 'I', notices: [], error: linkLost });
    }
    link.pending.clear();
    this.#opts.log?.(`tunnel: link down${this.#active ? ' (another link is up)' : ''}`);
  }
}

/** One client session, forwarded over the tunnel. */
class TunnelSession implements SqlSession {
  readonly #listener: TunnelListener;
  readonly #id: number;

  constructor(listener: TunnelListener, id: number) {
    this.#listener = listener;
    this.#id = id;
  }

  prepare(sql: string, paramOids: number[]): Promise<PrepareReply> {
    return this.#listener.call({ type: 'prepare', session: this.#id, request: 0, sql, paramOids });
  }

  execute(sql: string, paramOids: number[], params: SqlValue[]): Promise<ExecuteReply> {
    return this.#listener.call({ type: 'execute', session: this.#id, request: 0, sql, paramOids, params });
  }

  query(sql: string): Promise<ExecuteReply> {
    return this.#listener.call({ type: 'query', session: this.#id, request: 0, sql });
  }

  copyBegin(sql: string): Promise<PrepareReply> {
    return this.#listener.call({ type: 'copyBegin', session: this.#id, request: 0, sql });
  }

  copyRows(rows: SqlValue[][]): Promise<ExecuteReply> {
    return this.#listener.call({ type: 'copyRows', session: this.#id, request: 0, rows });
  }

  copyEnd(commit: boolean): Promise<ExecuteReply> {
    return this.#listener.call({ type: 'copyEnd', session: this.#id, request: 0, commit });
  }

  cancel(): void {
    this.#listener.notify({ type: 'cancel', session: this.#id, request: 0 });
  }

  async close(): Promise<void> {
    await this.#listener.call({ type: 'close', session: this.#id, request: 0 });
    this.#listener.forget(this.#id);
  }
}
