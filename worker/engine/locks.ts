/**
 * @module Table locks held by transactions, with waiting, fairness and deadlock detection.
 * Pure logic (no storage): the session asks `tryAcquire` from inside a synchronous statement;
 * when it is refused the statement is undone, the session `wait`s, then runs it again.
 *
 * Modes: `share` (SELECT … FOR SHARE) is compatible with itself; `exclusive` (a write, or
 * SELECT … FOR UPDATE) with nothing held by another owner. An owner's own locks never block it.
 * Requests are served in arrival order: a request also waits behind an earlier, incompatible
 * waiter, so a stream of FOR SHARE lockers cannot starve an UPDATE (Convex's lease takeover).
 */

export type LockMode = 'share' | 'exclusive';

/** Why a wait ended without the lock. */
export type WaitFailure = 'deadlock' | 'lock_timeout' | 'statement_timeout' | 'canceled';

interface Waiter {
  owner: number;
  mode: LockMode;
  wake: () => void;
}

interface Resource {
  holders: Map<number, LockMode>;
  /** Waiters in arrival order; one entry per owner. */
  queue: Waiter[];
}

export interface WaitOptions {
  /** Milliseconds before giving up with `lock_timeout`; 0 = no limit. */
  lockTimeoutMs: number;
  /** Absolute time (ms, Date.now()) at which the statement times out; 0 = none. */
  statementDeadline: number;
  /** Aborted by a CancelRequest. */
  signal?: AbortSignal;
}

const compatible = (a: LockMode, b: LockMode) => a === 'share' && b === 'share';

export class LockTable {
  readonly #resources = new Map<string, Resource>();
  /** What each waiting owner waits for (the edges of the wait-for graph). */
  readonly #waiting = new Map<number, { resource: string; mode: LockMode }>();

  /** Owners other than `owner` that keep it from taking `mode` on `resource` now. */
  blockers(owner: number, resource: string, mode: LockMode): number[] {
    const r = this.#resources.get(resource);
    if (!r) return [];
    const out = new Set<number>();
    for (const [o, m] of r.holders) if (o !== owner && !compatible(m, mode)) out.add(o);
    for (const w of r.queue) {
      if (w.owner === owner) break; // only those queued ahead of us
      if (!compatible(w.mode, mode) && !r.holders.has(owner)) out.add(w.owner);
    }
    return [...out];
  }

  /** Take the lock if nothing blocks it (its place in the queue, if it waited, is then given up); false when the caller must wait. */
  tryAcquire(owner: number, resource: string, mode: LockMode): boolean {
    if (this.blockers(owner, resource, mode).length) return false;
    const r = this.#resource(resource);
    if (r.holders.get(owner) !== 'exclusive') r.holders.set(owner, mode);
    this.#leaveQueue(r, owner);
    return true;
  }

  /** Give up every place `owner` kept in a queue (its statement ended without needing them). */
  leaveQueues(owner: number): void {
    for (const [name, r] of this.#resources) {
      this.#leaveQueue(r, owner);
      if (!r.holders.size && !r.queue.length) this.#resources.delete(name);
    }
  }

  #leaveQueue(r: Resource, owner: number): void {
    const before = r.queue.length;
    r.queue = r.queue.filter((w) => w.owner !== owner);
    if (r.queue.length !== before) this.#wakeAll(r);
  }

  /** A resource some owner other than `owner` holds (DDL waits until there is none). */
  heldByOthers(owner: number): string | undefined {
    for (const [name, r] of this.#resources) for (const o of r.holders.keys()) if (o !== owner) return name;
    return undefined;
  }

  /** Release everything `owner` holds or queues for and wake whoever waits on it. */
  releaseAll(owner: number): void {
    for (const [name, r] of this.#resources) {
      const held = r.holders.delete(owner);
      const queued = r.queue.some((w) => w.owner === owner);
      if (!held && !queued) continue;
      r.queue = r.queue.filter((w) => w.owner !== owner);
      this.#wakeAll(r);
      if (!r.holders.size && !r.queue.length) this.#resources.delete(name);
    }
  }

  /**
   * Wait until `mode` on `resource` could be granted to `owner`; then the caller retries its
   * statement, which takes it. The waiter keeps its place in the queue until it takes the lock
   * (`tryAcquire`) or gives it up (`leaveQueues`), so nobody queued behind overtakes it between
   * the wake-up and the retry. Rejects with a WaitFailure (and leaves the queue).
   */
  async wait(owner: number, resource: string, mode: LockMode, opts: WaitOptions): Promise<void> {
    const r = this.#resource(resource);
    let waiter = r.queue.find((w) => w.owner === owner);
    if (!waiter) r.queue.push((waiter = { owner, mode, wake: () => {} }));
    waiter.mode = mode;
    this.#waiting.set(owner, { resource, mode });
    const started = Date.now();
    let granted = false;
    try {
      for (;;) {
        if (!this.blockers(owner, resource, mode).length) {
          granted = true;
          return;
        }
        if (this.#closesCycle(owner)) throw 'deadlock' satisfies WaitFailure;
        const now = Date.now();
        const limits: [number, WaitFailure][] = [];
        if (opts.lockTimeoutMs > 0) limits.push([started + opts.lockTimeoutMs, 'lock_timeout']);
        if (opts.statementDeadline > 0) limits.push([opts.statementDeadline, 'statement_timeout']);
        limits.sort((a, b) => a[0] - b[0]);
        if (limits.length && limits[0][0] <= now) throw limits[0][1];
        if (opts.signal?.aborted) throw 'canceled' satisfies WaitFailure;
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => done(() => reject('canceled' satisfies WaitFailure));
          const timer = limits.length ? setTimeout(() => done(() => reject(limits[0][1])), limits[0][0] - now) : undefined;
          const done = (settle: () => void) => {
            clearTimeout(timer);
            opts.signal?.removeEventListener('abort', onAbort);
            settle();
          };
          opts.signal?.addEventListener('abort', onAbort, { once: true });
          waiter.wake = () => done(resolve);
        });
      }
    } finally {
      this.#waiting.delete(owner);
      if (!granted) {
        // Our leaving the queue may unblock those behind us.
        this.#leaveQueue(r, owner);
        if (!r.holders.size && !r.queue.length) this.#resources.delete(resource);
      }
    }
  }

  /** Does `owner`, about to wait, close a cycle of owners waiting on each other? */
  #closesCycle(owner: number): boolean {
    const seen = new Set<number>();
    const stack = [owner];
    while (stack.length) {
      const o = stack.pop()!;
      const w = this.#waiting.get(o);
      if (!w) continue;
      for (const b of this.blockers(o, w.resource, w.mode)) {
        if (b === owner) return true;
        if (!seen.has(b)) {
          seen.add(b);
          stack.push(b);
        }
      }
    }
    return false;
  }

  #resource(name: string): Resource {
    let r = this.#resources.get(name);
    if (!r) this.#resources.set(name, (r = { holders: new Map(), queue: [] }));
    return r;
  }

  #wakeAll(r: Resource): void {
    for (const w of [...r.queue]) w.wake();
  }
}
