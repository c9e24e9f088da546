/**
 * @module The container's lifecycle as one Durable Object sees it: start it (or adopt one that
 * is already running after the DO restarted), watch it exit, and wait until Convex answers
 * `GET /version`. One bring-up at a time; a failed one is retried by the next caller.
 *
 * Convex connects to its database before it binds its HTTP port, so readiness can only come
 * after the tunnel is up: the caller's `whileWaiting` hook dials between probes.
 */
import type { ContainerState, ContainerStatus } from '../deployment-status.ts';
import type { ContainerRuntime, ContainerStartOptions } from './runtime.ts';

export interface LifecycleHooks {
  /**
   * Called before `start()` (fresh: true, returns the start options) or before adopting a
   * container this object did not start (fresh: false, after a DO restart).
   */
  prepare(fresh: boolean): Promise<ContainerStartOptions>;
  /** Called before each readiness probe: bring the tunnel up. */
  whileWaiting(): Promise<void>;
  /** The container stopped (exit code when the runtime told one). */
  exited(exit: ContainerExit): void;
}

export interface LifecycleOptions {
  runtime: ContainerRuntime;
  hooks: LifecycleHooks;
  /** Convex's HTTP port; readiness is `GET /version` there. */
  httpPort?: number;
  /** How long a bring-up may take. Cold starts are 1–3 s typically, tens of seconds at p95. */
  readyTimeoutMs?: number;
  pollIntervalMs?: number;
  /** One probe's limit: a request to a port nobody answers must not eat the whole budget. */
  probeTimeoutMs?: number;
  /**
   * How long the container outlives this Durable Object instance (an eviction, a deploy), so
   * the next instance can adopt it instead of starting Convex cold. Without it the runtime
   * stops the container with the object.
   */
  outliveObjectMs?: number;
  log?: (line: string) => void;
}

export interface ContainerExit {
  code: number | null;
  error: string | null;
  at: number;
}

/** Why the backend is not serving: becomes a 503 whose message says what happened. */
export class ContainerNotReady extends Error {
  override name = 'ContainerNotReady';
}

/** The runtime's error texts that carry an exit code (as `@cloudflare/containers` reads them). */
const EXIT_CODE_PATTERNS = [/container exited with unexpected exit code:\s*(-?\d+)/i, /runtime signalled the container to exit:\s*(-?\d+)/i];

/** How a `monitor()` promise settled, as an exit: resolved means exit code 0. */
export function exitFromMonitor(outcome: { ok: true } | { ok: false; error: unknown }, at: number): ContainerExit {
  if (outcome.ok) return { code: 0, error: null, at };
  const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
  for (const pattern of EXIT_CODE_PATTERNS) {
    const m = pattern.exec(message);
    if (m) return { code: Number(m[1]), error: message, at };
  }
  return { code: null, error: message, at };
}

export class ContainerLifecycle {
  readonly #runtime: ContainerRuntime;
  readonly #hooks: LifecycleHooks;
  readonly #httpPort: number;
  readonly #readyTimeoutMs: number;
  readonly #pollIntervalMs: number;
  readonly #probeTimeoutMs: number;
  readonly #outliveObjectMs: number;
  readonly #log: (line: string) => void;
  #state: ContainerState = 'stopped';
  #since: number | null = null;
  #starts = 0;
  #lastExit: ContainerExit | null = null;
  #lastError: string | null = null;
  /** The monitor promise of the run we are watching; a newer run replaces it. */
  #watched: Promise<void> | undefined;
  #exited = false;
  #bringUp: Promise<void> | undefined;

  constructor(opts: LifecycleOptions) {
    this.#runtime = opts.runtime;
    this.#hooks = opts.hooks;
    this.#httpPort = opts.httpPort ?? 3210;
    this.#readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
    this.#pollIntervalMs = opts.pollIntervalMs ?? 250;
    this.#probeTimeoutMs = opts.probeTimeoutMs ?? 5_000;
    this.#outliveObjectMs = opts.outliveObjectMs ?? 15 * 60_000;
    this.#log = opts.log ?? (() => {});
  }

  status(): ContainerStatus {
    // A container we never watched may still be running (adopted on the next bring-up).
    const state = this.#state === 'stopped' && this.#runtime.running ? 'starting' : this.#state;
    return { state, since: this.#since, starts: this.#starts, lastExit: this.#lastExit, lastError: this.#lastError };
  }

  get ready(): boolean {
    return this.#state === 'ready' && this.#runtime.running;
  }

  /** Resolve once Convex answers on its HTTP port; throws ContainerNotReady otherwise. */
  ensureReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return (this.#bringUp ??= this.#up().finally(() => (this.#bringUp = undefined)));
  }

  /** Ask the container to stop (SIGTERM by default); the monitor records the exit. */
  signal(signo: number): void {
    if (this.#runtime.running) this.#runtime.signal(signo);
  }

  async #up(): Promise<void> {
    try {
      if (!this.#runtime.running) {
        const options = await this.#hooks.prepare(true);
        this.#exited = false;
        this.#runtime.start(options);
        this.#starts++;
        this.#log('container: started');
        this.#set('starting');
        this.#watch();
        await this.#outliveObject();
      } else if (!this.#watched) {
        await this.#hooks.prepare(false);
        this.#exited = false;
        this.#log('container: adopting a running container');
        this.#set('starting');
        this.#watch();
        await this.#outliveObject();
      }
      await this.#waitReady();
      this.#lastError = null;
      this.#set('ready');
    } catch (err) {
      this.#lastError = err instanceof Error ? err.message : String(err);
      if (!this.#exited) this.#set(this.#runtime.running ? 'starting' : 'failed');
      throw err instanceof ContainerNotReady ? err : new ContainerNotReady(`the container could not start: ${this.#lastError}`);
    }
  }

  async #outliveObject(): Promise<void> {
    try {
      await this.#runtime.setInactivityTimeout(this.#outliveObjectMs);
    } catch (err) {
      // Not fatal: the container then stops with this object and the next one starts it again.
      this.#log(`container: setInactivityTimeout failed: ${err instanceof Error ? err.message : err}`);
    }
  }

  async #waitReady(): Promise<void> {
    const deadline = Date.now() + this.#readyTimeoutMs;
    const port = this.#runtime.getTcpPort(this.#httpPort);
    let last = 'no answer yet';
    for (;;) {
      if (this.#exited || !this.#runtime.running) {
        const exit = this.#lastExit;
        throw new ContainerNotReady(`the container exited before it was ready${exit?.code != null ? ` (exit code ${exit.code})` : ''}${exit?.error ? `: ${exit.error}` : ''}`);
      }
      await this.#hooks.whileWaiting();
      try {
        const res = await port.fetch(`http://container:${this.#httpPort}/version`, { signal: AbortSignal.timeout(this.#probeTimeoutMs) });
        await res.body?.cancel();
        if (res.ok) return;
        last = `GET /version answered ${res.status}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() >= deadline) {
        throw new ContainerNotReady(`the backend did not answer GET /version within ${Math.round(this.#readyTimeoutMs / 1000)} s (last: ${last}); the next request tries again`);
      }
      await new Promise((r) => setTimeout(r, this.#pollIntervalMs));
    }
  }

  #watch(): void {
    const monitor = this.#runtime.monitor();
    this.#watched = monitor;
    monitor.then(
      () => this.#onExit(monitor, { ok: true }),
      (error: unknown) => this.#onExit(monitor, { ok: false, error }),
    );
  }

  #onExit(monitor: Promise<void>, outcome: { ok: true } | { ok: false; error: unknown }): void {
    if (this.#watched !== monitor) return;
    this.#watched = undefined;
    this.#exited = true;
    this.#lastExit = exitFromMonitor(outcome, Date.now());
    this.#log(`container: exited (code ${this.#lastExit.code ?? 'unknown'})`);
    this.#set('stopped');
    this.#hooks.exited(this.#lastExit);
  }

  #set(state: ContainerState): void {
    if (state !== this.#state) this.#since = Date.now();
    this.#state = state;
  }
}
