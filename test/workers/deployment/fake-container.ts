/**
 * @module A stand-in for workerd's `ctx.container`, as `@cloudflare/containers` tests itself:
 * records start options and signals, lets the test end the run, answers HTTP on port 3210 the
 * way Convex does (nothing until its database is reachable), and plays the shim's end of the
 * tunnel on the tunnel port with the real frame codec and the real authentication, using the
 * TUNNEL_SECRET the container was started with.
 */
import { verify, newNonce } from '../../../tunnel/auth.ts';
import { encodeFrame, FrameParser, TUNNEL_VERSION, type Frame } from '../../../tunnel/frames.ts';
import type { ContainerRuntime } from '../../../worker/container/runtime.ts';

/** One dialled tunnel connection, seen from the shim's side. */
export class FakeShimLink {
  authed = false;
  drained = false;
  closed = false;
  readonly frames: Frame[] = [];
  readonly #toDo: WritableStreamDefaultWriter<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  readonly #waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];

  readonly secret: () => string | undefined;

  constructor(toDo: WritableStream<Uint8Array>, fromDo: ReadableStream<Uint8Array>, secret: () => string | undefined) {
    this.secret = secret;
    this.#toDo = toDo.getWriter();
    const nonce = newNonce();
    void this.#toDo.write(encodeFrame({ type: 'challenge', version: TUNNEL_VERSION, nonce, instance: 'fake-shim' }));
    void this.#read(fromDo, nonce);
  }

  send(f: Frame): void {
    void this.#toDo.write(encodeFrame(f)).catch(() => {});
  }

  /** Hang up both directions, as a closing socket (or a dying container) does. */
  close(): void {
    this.closed = true;
    void this.#toDo.close().catch(() => {});
    void this.#reader?.cancel().catch(() => {});
  }

  /** The next frame from the DO that matches (frames already received count). */
  next(match: (f: Frame) => boolean): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  async #read(fromDo: ReadableStream<Uint8Array>, nonce: Uint8Array): Promise<void> {
    const parser = new FrameParser();
    const reader = (this.#reader = fromDo.getReader());
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const frames: Frame[] = [];
        parser.feed(value, (f) => frames.push(f));
        for (const f of frames) await this.#onFrame(f, nonce);
      }
    } catch {
      // The DO closed its end.
    }
    this.closed = true;
  }

  async #onFrame(f: Frame, nonce: Uint8Array): Promise<void> {
    if (!this.authed) {
      const secret = this.secret();
      if (f.type !== 'hello' || !secret || !(await verify(secret, nonce, f.proof))) {
        await this.#toDo.close().catch(() => {});
        return;
      }
      this.authed = true;
      this.send({ type: 'welcome' });
      return;
    }
    if (f.type === 'ping') return this.send({ type: 'pong', session: 0, request: f.request });
    if (f.type === 'drain') {
      this.drained = true;
      await this.#toDo.close().catch(() => {});
      return;
    }
    const waiter = this.#waiters.find((w) => w.match(f));
    if (waiter) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(f);
    } else this.frames.push(f);
  }
}

export interface FakeHttpRequest {
  port: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export class FakeContainer implements ContainerRuntime {
  running = false;
  readonly starts: ContainerStartupOptions[] = [];
  readonly signals: number[] = [];
  readonly intercepted: Array<{ host: string; fetcher: Fetcher }> = [];
  readonly links: FakeShimLink[] = [];
  readonly requests: FakeHttpRequest[] = [];
  destroyed = 0;
  readonly inactivityTimeouts: number[] = [];
  /** Whether Convex answers /version: by default once a tunnel link is authenticated. */
  ready: () => boolean = () => this.links.some((l) => l.authed && !l.closed);
  /** Runs right after each start (e.g. to make the run end at once). */
  afterStart: (() => void) | undefined;
  /** What the backend answers for anything but /version. */
  handler: (req: FakeHttpRequest) => Response = (req) => Response.json(req);
  #exit: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  #monitor: Promise<void> = new Promise(() => {});

  /** The env of the latest start. */
  get env(): Record<string, string> {
    return this.starts.at(-1)?.env ?? {};
  }

  start(options?: ContainerStartupOptions): void {
    if (this.running) throw new Error('start() cannot be called on a container that is already running.');
    this.running = true;
    this.starts.push(options ?? {});
    this.#monitor = new Promise<void>((resolve, reject) => (this.#exit = { resolve, reject }));
    this.afterStart?.();
  }

  /** A container that was running before this DO instance existed (same env as `env`). */
  adopt(env: Record<string, string>): void {
    this.running = true;
    this.starts.push({ env });
    this.#monitor = new Promise<void>((resolve, reject) => (this.#exit = { resolve, reject }));
  }

  monitor(): Promise<void> {
    return this.#monitor;
  }

  /** End the run: exit code 0 resolves the monitor, anything else rejects as workerd does. */
  exit(code: number): void {
    this.running = false;
    for (const l of this.links) l.close();
    if (code === 0) this.#exit?.resolve();
    else this.#exit?.reject(new Error(`Container exited with unexpected exit code: ${code}`));
  }

  signal(signo: number): void {
    this.signals.push(signo);
  }

  async destroy(): Promise<void> {
    this.destroyed++;
    this.exit(137);
  }

  async setInactivityTimeout(durationMs: number | bigint): Promise<void> {
    this.inactivityTimeouts.push(Number(durationMs));
  }

  async interceptOutboundHttp(host: string, fetcher: Fetcher): Promise<void> {
    this.intercepted.push({ host, fetcher });
  }

  getTcpPort(port: number): Fetcher {
    return {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        if (!this.running) throw new Error('the container is not running');
        const req = new Request(input, init);
        const url = new URL(req.url);
        const seen: FakeHttpRequest = { port, method: req.method, url: url.pathname + url.search, headers: Object.fromEntries(req.headers), body: await req.text() };
        if (port !== 3210 || !this.ready()) throw new Error('the container is not listening on the TCP address 10.0.0.1:' + port);
        if (url.pathname === '/version') return new Response('fake-convex 1.0');
        this.requests.push(seen);
        return this.handler(seen);
      },
      connect: (address: string | SocketAddress) => this.#connect(port, address),
    } as unknown as Fetcher;
  }

  #connect(port: number, _address: string | SocketAddress): Socket {
    const tunnelPort = Number(this.env.TUNNEL_PORT);
    const toDo = new TransformStream<Uint8Array, Uint8Array>();
    const fromDo = new TransformStream<Uint8Array, Uint8Array>();
    let closeResolve!: () => void;
    const closed = new Promise<void>((r) => (closeResolve = r));
    let link: FakeShimLink | undefined;
    if (this.running && port === tunnelPort) {
      link = new FakeShimLink(toDo.writable, fromDo.readable, () => this.env.TUNNEL_SECRET);
      this.links.push(link);
    } else {
      // Nobody listens: the read side errors, as a refused connection does.
      void toDo.writable.abort(new Error(`connection refused on port ${port}`));
    }
    return {
      readable: toDo.readable,
      writable: fromDo.writable,
      opened: Promise.resolve({}),
      closed,
      upgraded: false,
      secureTransport: 'off',
      close: async () => {
        link?.close();
        closeResolve();
      },
      startTls: () => {
        throw new Error('no TLS to a container');
      },
    } as unknown as Socket;
  }
}
