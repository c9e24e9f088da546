/**
 * @module Serves tunnel requests with a SqlService (the engine): one SqlSession per tunnel
 * session id, requests of one session run in order, sessions run independently. Knows nothing
 * of sockets: it takes frames and hands back encoded reply frames.
 */
import { encodeExecuteReply, encodeFrame, encodePrepareReply, type Frame } from '../../tunnel/frames.ts';
import type { ExecuteReply, PgError, SqlService, SqlSession } from '../../tunnel/types.ts';
import { CopyIn } from '../engine/copy.ts';

type Send = (frames: Uint8Array[]) => void;

interface SessionSlot {
  session: Promise<SqlSession | PgError>;
  /** Tail of this session's request chain: the next request starts after it. */
  tail: Promise<void>;
  /** Requests sent but not yet answered, by the link that carried them. */
  inflight: Map<number, object>;
}

const noSession = (id: number): PgError => ({
  severity: 'FATAL',
  sqlstate: '08003',
  message: `session ${id} does not exist (the database restarted or the tunnel was reset)`,
});

export interface DispatchOptions {
  /**
   * Called before an execute or query reply is sent: a promise to wait for (what the reply
   * acknowledges, or what it read, becoming durable), or undefined when nothing is pending.
   */
  beforeReply?: () => Promise<void> | undefined;
}

export class Dispatcher {
  readonly #service: SqlService;
  readonly #sessions = new Map<number, SessionSlot>();
  readonly #beforeReply: () => Promise<void> | undefined;
  /** How the newest link sends: for frames that answer no request. */
  #latestSend: Send = () => {};
  /** The shim instance whose sessions we hold; a new instance means its predecessor is gone. */
  #instance: string | undefined;

  constructor(service: SqlService, opts: DispatchOptions = {}) {
    this.#service = service;
    this.#beforeReply = opts.beforeReply ?? (() => undefined);
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** A link to shim `instance` came up. Sessions of any other instance are closed. */
  async attach(instance: string): Promise<void> {
    if (this.#instance !== undefined && this.#instance !== instance) await this.closeAll();
    this.#instance = instance;
  }

  /**
   * Handle one request frame arriving on `link`. Replies are delivered through `send`, in
   * request order per session.
   */
  handle(f: Frame, link: object, send: Send): void {
    this.#latestSend = send;
    if (!('session' in f)) return;
    const ids = { session: f.session, request: f.request };
    if (f.type === 'cancel') {
      void this.#sessions.get(f.session)?.session.then((s) => 'cancel' in s && s.cancel());
      return;
    }
    if (f.type === 'open') {
      if (this.#sessions.has(f.session)) {
        send([encodePrepareReply(ids, { txStatus: 'I', notices: [], error: { sqlstate: '08P01', message: `session ${f.session} already open` } })]);
        return;
      }
      // A session the engine ends on its own: tell the shim (on the newest link), which closes
      // the client; the session stays until the shim's close arrives, answering with the error.
      const ended = (error: PgError) => {
        if (this.#sessions.get(f.session) === slot) this.#latestSend([encodeFrame({ type: 'ended', session: f.session, request: 0, error })]);
      };
      const session = this.#service.open(f.info, { ended }).catch((err: unknown) => internal(err));
      const slot: SessionSlot = { session, tail: Promise.resolve(), inflight: new Map() };
      this.#sessions.set(f.session, slot);
      this.#run(slot, ids, link, async () => {
        const s = await session;
        return [encodePrepareReply(ids, { txStatus: 'I', notices: [], ...('sqlstate' in s && { error: s }) })];
      }, send);
      return;
    }
    const slot = this.#sessions.get(f.session);
    if (!slot) {
      send(encodeExecuteReply(ids, { results: [], txStatus: 'I', notices: [], error: noSession(f.session) }));
      return;
    }
    if (f.type === 'close') {
      // The client is gone: end the session now, not after a request of it that waits for a
      // lock (which would hold its transaction's locks until that wait ended).
      void this.#close(f.session);
    }
    this.#run(slot, ids, link, async () => {
      const s = await slot.session;
      if ('sqlstate' in s) return encodeExecuteReply(ids, { results: [], txStatus: 'I', notices: [], error: s });
      switch (f.type) {
        case 'prepare':
          return [encodePrepareReply(ids, await s.prepare(f.sql, f.paramOids))];
        case 'execute':
          return this.#written(ids, await s.execute(f.sql, f.paramOids, f.params));
        case 'query':
          return this.#written(ids, await s.query(f.sql));
        case 'copyBegin':
          return [encodePrepareReply(ids, await CopyIn.of(s).begin(f.sql))];
        case 'copyRows':
          return encodeExecuteReply(ids, await CopyIn.of(s).rows(f.rows));
        case 'copyEnd':
          return this.#written(ids, await CopyIn.of(s).end(f.commit));
        case 'close':
          // Already closed when the frame arrived (above); this only answers in order.
          return [encodePrepareReply(ids, { txStatus: 'I', notices: [] })];
        default:
          return encodeExecuteReply(ids, { results: [], txStatus: 'I', notices: [], error: { sqlstate: '08P01', message: `unexpected ${f.type} request` } });
      }
    }, send);
  }

  async #written(ids: { session: number; request: number }, reply: ExecuteReply): Promise<Uint8Array[]> {
    // Durability before acknowledgement: a socket write is not held by the output gate. A read
    // waits too while another request's write is not yet durable, so it never reports
    // what a crash could still take back.
    const pending = this.#beforeReply();
    if (pending) await pending;
    return encodeExecuteReply(ids, reply);
  }

  #run(slot: SessionSlot, ids: { session: number; request: number }, link: object, work: () => Promise<Uint8Array[]>, send: Send): void {
    const { request } = ids;
    slot.inflight.set(request, link);
    slot.tail = slot.tail.then(async () => {
      let frames: Uint8Array[];
      try {
        frames = await work();
      } catch (err) {
        frames = [encodePrepareReply(ids, { txStatus: 'I', notices: [], error: internal(err) })];
      }
      slot.inflight.delete(request);
      send(frames);
    });
  }

  /**
   * A link dropped abruptly: every session with a request in flight on it is closed (its
   * transaction rolls back), exactly as the shim fails those sessions on its side.
   */
  async linkLost(link: object): Promise<void> {
    const doomed = [...this.#sessions].filter(([, slot]) => [...slot.inflight.values()].includes(link));
    await Promise.all(doomed.map(([id]) => this.#close(id)));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions.keys()].map((id) => this.#close(id)));
  }

  async #close(id: number): Promise<void> {
    const slot = this.#sessions.get(id);
    if (!slot) return;
    this.#sessions.delete(id);
    const s = await slot.session;
    if (!('sqlstate' in s)) await s.close().catch(() => {});
  }
}

function internal(err: unknown): PgError {
  return { sqlstate: 'XX000', message: `internal error: ${err instanceof Error ? err.message : String(err)}` };
}
