/**
 * The two tunnel ends against each other over real loopback TCP: the shim's TunnelListener and
 * the DO's TunnelDialer + Dispatcher (pure enough to run in Node: a Node socket is adapted to
 * the web-streams Socket shape workerd gives). The SQL service behind the dispatcher is a
 * recording stand-in: the engine is tested elsewhere; here the unit is the tunnel.
 */
import net from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { TunnelListener } from '../../../shim/tunnel-listener.ts';
import { encodeFrame, FrameParser, TUNNEL_VERSION, type Frame } from '../../../tunnel/frames.ts';
import type { ExecuteReply, SessionInfo, SqlService, SqlSession, SqlValue } from '../../../tunnel/types.ts';
import { Dispatcher } from '../../../worker/tunnel/dispatch.ts';
import { TunnelDialer } from '../../../worker/tunnel/dialer.ts';

const SECRET = 'test-secret-0123456789';

/** Echoes parameters back as one row; counts open sessions; can be told to hang. */
class EchoService implements SqlService {
  opened = 0;
  closed = 0;
  hang: Promise<void> | undefined;
  async open(_info: SessionInfo): Promise<SqlSession> {
    this.opened++;
    const svc = this;
    const reply = (rows: SqlValue[][]): ExecuteReply => ({
      results: [{ columns: [{ name: 'v', typeOid: 20, tableOid: 0, attnum: 0 }], rows, tag: `SELECT ${rows.length}` }],
      txStatus: 'I',
      notices: [],
    });
    return {
      async prepare(sql, paramOids) {
        return { txStatus: 'I', notices: [], description: { paramOids: paramOids.map((o) => o || 25), columns: null } };
      },
      async execute(_sql, _oids, params) {
        if (svc.hang) await svc.hang;
        return reply([params]);
      },
      async query(sql) {
        return reply([[sql]]);
      },
      cancel() {},
      async close() {
        svc.closed++;
      },
    };
  }
}

function nodeDial(port: number) {
  return () => {
    const sock = net.connect(port, '127.0.0.1');
    const { readable, writable } = Duplex.toWeb(sock);
    return {
      readable,
      writable,
      opened: new Promise((r) => sock.once('connect', r)),
      closed: new Promise<void>((r) => sock.once('close', () => r())),
      close: async () => void sock.destroy(),
      startTls: () => {
        throw new Error('no TLS');
      },
      upgraded: false,
      secureTransport: 'off',
      destroy: () => sock.destroy(),
    } as unknown as Socket;
  };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(secret = SECRET) {
  const listener = new TunnelListener({ host: '127.0.0.1', port: 0, secret: SECRET, linkWaitMs: 2000 });
  const port = await listener.listen();
  const service = new EchoService();
  const dispatcher = new Dispatcher(service);
  const dialer = new TunnelDialer({ dial: nodeDial(port), secret, dispatcher, minBackoffMs: 20, maxBackoffMs: 100 });
  cleanup.push(() => listener.close(), () => dialer.stop());
  return { listener, port, service, dispatcher, dialer };
}

/** A raw peer that speaks frames by hand. */
async function rawPeer(port: number) {
  const sock = net.connect(port, '127.0.0.1');
  const frames: Frame[] = [];
  const parser = new FrameParser();
  sock.on('data', (c) => parser.feed(new Uint8Array(c), (f) => frames.push(f)));
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  await new Promise((r) => sock.once('connect', r));
  cleanup.push(async () => void sock.destroy());
  return { sock, frames, closed };
}

describe('tunnel link', () => {
  it('authenticates, then carries typed values exactly', async () => {
    const { listener, dialer } = await setup();
    expect(await dialer.ensure()).toBe(true);
    const session = await listener.open({ user: 'u', database: 'd', params: {} });
    const params: SqlValue[] = [1800000000000000001n, -1n, new Uint8Array(0), null, 'x'];
    const reply = await session.execute('SELECT', [20, 20, 17, 25, 25], params);
    expect(reply.results[0].rows).toEqual([params]);
    expect(await dialer.ping()).toBeGreaterThanOrEqual(0);
  });

  it('refuses a wrong secret', async () => {
    const { listener, dialer } = await setup('wrong-secret');
    expect(await dialer.ensure()).toBe(false);
    expect(listener.connected).toBe(false);
  });

  it('closes on SQL before authentication, and on a forged proof', async () => {
    const { port, service } = await setup();
    const a = await rawPeer(port);
    a.sock.write(encodeFrame({ type: 'query', session: 1, request: 1, sql: 'SELECT 1' }));
    await a.closed;
    const b = await rawPeer(port);
    b.sock.write(encodeFrame({ type: 'hello', version: TUNNEL_VERSION, proof: new Uint8Array(32) }));
    await b.closed;
    expect(service.opened).toBe(0);
  });

  it('answers pipelined requests of one session in order', async () => {
    const { listener, dialer } = await setup();
    await dialer.ensure();
    const s = await listener.open({ user: 'u', database: 'd', params: {} });
    const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => s.execute('x', [20], [BigInt(i)])));
    expect(replies.map((r) => r.results[0].rows[0][0])).toEqual(Array.from({ length: 16 }, (_, i) => BigInt(i)));
  });

  it('rotates make-before-break without losing sessions', async () => {
    const { listener, dialer } = await setup();
    await dialer.ensure();
    const s = await listener.open({ user: 'u', database: 'd', params: {} });
    const before = s.execute('x', [20], [1n]);
    expect(await dialer.rotate()).toBe(true);
    const after = await s.execute('x', [20], [2n]);
    expect((await before).results[0].rows).toEqual([[1n]]);
    expect(after.results[0].rows).toEqual([[2n]]);
    expect(dialer.status().dials).toBe(2);
  });

  it('fails in-flight requests on a drop and closes only their sessions', async () => {
    const { listener, dialer, service } = await setup();
    await dialer.ensure();
    const busy = await listener.open({ user: 'u', database: 'd', params: {} });
    const idle = await listener.open({ user: 'u', database: 'd', params: {} });
    let release!: () => void;
    service.hang = new Promise((r) => (release = r));
    const inflight = busy.execute('x', [20], [1n]);
    await new Promise((r) => setTimeout(r, 50));
    // Cut every link from the shim's side, as a crash of the transport would.
    await listener.close();
    const reply = await inflight;
    expect(reply.error?.sqlstate).toBe('08006');
    release();
    await new Promise((r) => setTimeout(r, 100));
    expect(service.closed).toBe(1); // the busy session only
    expect((await idle.execute('x', [20], [3n])).error?.sqlstate).toBe('08006'); // no link any more
  });

  it('re-dials with backoff when the listener comes back', async () => {
    const listener = new TunnelListener({ host: '127.0.0.1', port: 0, secret: SECRET });
    const port = await listener.listen();
    await listener.close();
    const dialer = new TunnelDialer({ dial: nodeDial(port), secret: SECRET, dispatcher: new Dispatcher(new EchoService()), minBackoffMs: 20, maxBackoffMs: 50 });
    cleanup.push(() => dialer.stop());
    expect(await dialer.ensure()).toBe(false);
    const again = new TunnelListener({ host: '127.0.0.1', port, secret: SECRET });
    await again.listen();
    cleanup.push(() => again.close());
    expect(await again.waitForLink(3000)).toBe(true);
    expect(dialer.status().dials).toBeGreaterThan(1);
  });
});
