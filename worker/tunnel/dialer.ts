/**
 * @module The DO's end of the tunnel: dials the shim, proves the shared secret, serves requests
 * through a Dispatcher, re-dials with backoff after a drop and rotates make-before-break on
 * demand (from an alarm). How a socket is obtained is behind `DialTunnel`: production dials
 * `ctx.container.getTcpPort(p).connect(…)`, local dev and tests `connect('127.0.0.1:P')`.
 */
import { prove } from '../../tunnel/auth.ts';
import { encodeFrame, FrameParser, TUNNEL_VERSION, type Frame } from '../../tunnel/frames.ts';
import type { Dispatcher } from './dispatch.ts';

/** Opens a raw TCP socket to the shim's tunnel port. */
export type DialTunnel = () => Socket;

export interface TunnelStatus {
  connected: boolean;
  links: number;
  /** Round trip of the last ping, in milliseconds. */
  rttMs: number | null;
  /** When the current link came up (epoch ms). */
  upSince: number | null;
  dials: number;
  lastError: string | null;
}

export interface DialerOptions {
  dial: DialTunnel;
  secret: string;
  dispatcher: Dispatcher;
  log?: (line: string) => void;
  /** First re-dial delay; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Replies up to this size are written to the socket in one piece. */
const COALESCE_BYTES = 1024 * 1024;

class DoLink {
  readonly socket: Socket;
  readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  up = false;
  draining = false;
  upSince = 0;
  readonly pings = new Map<number, (rtt: number) => void>();

  constructor(socket: Socket) {
    this.socket = socket;
    this.writer = socket.writable.getWriter();
  }

  send(bytes: Uint8Array): void {
    // Writes queue in order inside the stream; a failed write surfaces as the read loop ending.
    this.writer.write(bytes).catch(() => {});
  }

  /**
   * One reply's frames as one write: each socket write costs a trip through workerd's streams.
   * Large replies go frame by frame rather than be copied whole (the DO has ~128 MB).
   */
  sendAll(frames: Uint8Array[]): void {
    const total = frames.reduce((n, f) => n + f.length, 0);
    if (frames.length === 1 || total > COALESCE_BYTES) return frames.forEach((f) => this.send(f));
    const out = new Uint8Array(total);
    let at = 0;
    for (const f of frames) {
      out.set(f, at);
      at += f.length;
    }
    this.send(out);
  }
}

export class TunnelDialer {
  readonly #opts: Required<Omit<DialerOptions, 'log'>> & Pick<DialerOptions, 'log'>;
  #current: DoLink | undefined;
  #links = new Set<DoLink>();
  #backoff: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #dials = 0;
  #rttMs: number | null = null;
  #lastError: string | null = null;
  #nextPing = 1;
  #connecting: Promise<boolean> | undefined;

  constructor(opts: DialerOptions) {
    this.#opts = { minBackoffMs: 100, maxBackoffMs: 10_000, ...opts };
    this.#backoff = this.#opts.minBackoffMs;
  }

  status(): TunnelStatus {
    return {
      connected: !!this.#current?.up,
      links: this.#links.size,
      rttMs: this.#rttMs,
      upSince: this.#current?.up ? this.#current.upSince : null,
      dials: this.#dials,
      lastError: this.#lastError,
    };
  }

  /** Make sure a link is up (dial if none); resolves true once authenticated. */
  ensure(): Promise<boolean> {
    this.#stopped = false;
    if (this.#current?.up) return Promise.resolve(true);
    return (this.#connecting ??= this.#connect().finally(() => (this.#connecting = undefined)));
  }

  /** Make-before-break: bring up a new link, then ask the shim to drain the old one. */
  async rotate(): Promise<boolean> {
    const old = this.#current;
    const ok = await this.#connect();
    if (ok && old && old !== this.#current) {
      old.draining = true;
      old.send(encodeFrame({ type: 'drain' }));
    }
    return ok;
  }

  /** Measure the round trip on the current link. */
  async ping(timeoutMs = 5_000): Promise<number | null> {
    const link = this.#current;
    if (!link?.up) return null;
    const id = this.#nextPing++;
    const started = performance.now();
    const rtt = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        link.pings.delete(id);
        resolve(null);
      }, timeoutMs);
      link.pings.set(id, () => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
      link.send(encodeFrame({ type: 'ping', session: 0, request: id }));
    });
    this.#rttMs = rtt;
    return rtt;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const link of this.#links) await link.socket.close().catch(() => {});
  }

  /** Dial once; resolves true when the new link is authenticated and current. */
  #connect(): Promise<boolean> {
    this.#dials++;
    let socket: Socket;
    try {
      socket = this.#opts.dial();
    } catch (err) {
      this.#failed(err);
      return Promise.resolve(false);
    }
    const link = new DoLink(socket);
    this.#links.add(link);
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const settle = (ok: boolean) => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      this.#readLoop(link, () => settle(true))
        .catch((err) => this.#failed(err))
        .finally(() => {
          settle(false);
          void this.#lost(link);
        });
    });
  }

  async #readLoop(link: DoLink, onUp: () => void): Promise<void> {
    const parser = new FrameParser();
    const reader = link.socket.readable.getReader();
    let handshake: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const frames: Frame[] = [];
        parser.feed(value as Uint8Array, (f) => frames.push(f));
        for (const f of frames) {
          if (!link.up) {
            // The handshake is the only async step in frame handling; later frames wait for it.
            await handshake;
            handshake = this.#handshake(link, f, onUp);
            await handshake;
            continue;
          }
          if (f.type === 'pong') link.pings.get(f.request)?.(0);
          else this.#opts.dispatcher.handle(f, link, (out) => link.sendAll(out));
        }
      }
    } finally {
      reader.releaseLock();
    }
  }

  async #handshake(link: DoLink, f: Frame, onUp: () => void): Promise<void> {
    if (f.type === 'challenge') {
      if (f.version !== TUNNEL_VERSION) throw new Error(`shim speaks tunnel version ${f.version}, we speak ${TUNNEL_VERSION}`);
      await this.#opts.dispatcher.attach(f.instance);
      link.send(encodeFrame({ type: 'hello', version: TUNNEL_VERSION, proof: await prove(this.#opts.secret, f.nonce) }));
      return;
    }
    if (f.type === 'welcome') {
      link.up = true;
      link.upSince = Date.now();
      this.#current = link;
      this.#backoff = this.#opts.minBackoffMs;
      this.#lastError = null;
      this.#opts.log?.('tunnel: link up');
      onUp();
      return;
    }
    throw new Error(`unexpected ${f.type} frame before the handshake completed`);
  }

  async #lost(link: DoLink): Promise<void> {
    this.#links.delete(link);
    await link.socket.close().catch(() => {});
    if (!link.draining) await this.#opts.dispatcher.linkLost(link);
    if (this.#current !== link) return;
    this.#current = undefined;
    this.#opts.log?.('tunnel: link down');
    this.#schedule();
  }

  #failed(err: unknown): void {
    this.#lastError = err instanceof Error ? err.message : String(err);
    this.#opts.log?.(`tunnel: ${this.#lastError}`);
    if (!this.#current) this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.#opts.maxBackoffMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#current?.up) void this.ensure();
    }, delay);
  }
}
