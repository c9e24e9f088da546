/**
 * @module The local stack, as one function: the shim's tunnel listener, the Worker and its
 * Durable Object on miniflare (persisted SQLite), the DO dialing the tunnel, and the shim's
 * PostgreSQL listener. Used by `npm start`, the end-to-end tests and the benchmarks.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_dev } from 'wrangler';
import { startShim } from '../shim/server.ts';
import { TunnelListener } from '../shim/tunnel-listener.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface StackOptions {
  /** Where miniflare persists the DO's SQLite (default `.wrangler/state`). */
  stateDir?: string;
  /** PostgreSQL listener (defaults 127.0.0.1 and 5432; 0 picks a free port). */
  host?: string;
  shimPort?: number;
  password: string;
  auth?: 'scram-sha-256' | 'password';
  log?: (line: string) => void;
  /** Open workerd's inspector (Chrome DevTools protocol) on this loopback port, for profiling the DO. */
  inspectorPort?: number;
}

export interface Stack {
  /** postgresql:// URL of the shim (password included). */
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const host = opts.host ?? '127.0.0.1';
  const stateDir = path.resolve(root, opts.stateDir ?? '.wrangler/state');
  // A fresh secret per run: only this process and the DO it starts know it.
  const secret = randomBytes(32).toString('hex');
  const tunnel = new TunnelListener({ host: '127.0.0.1', port: 0, secret, log });
  const tunnelPort = await tunnel.listen();

  process.env.WRANGLER_SEND_METRICS ??= 'false';
  // Local only: do not ask the network for a Request.cf object.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
  // wrangler's local observability streams every event of the DO to a collector worker: a
  // third of workerd's CPU per tunnel request (350 → 230 µs per point read, measured).
  process.env.X_LOCAL_OBSERVABILITY ??= 'false';
  // A required Worker secret (wrangler.jsonc); wrangler reads it from the environment. Locally
  // nothing outlives the run that uses it.
  process.env.INSTANCE_SECRET ??= randomBytes(32).toString('hex');
  const worker = await unstable_dev(path.join(root, 'worker/index.ts'), {
    config: path.join(root, 'wrangler.jsonc'),
    persistTo: stateDir,
    ip: '127.0.0.1',
    port: 0,
    inspect: opts.inspectorPort !== undefined,
    ...(opts.inspectorPort !== undefined && { inspectorPort: opts.inspectorPort }),
    logLevel: 'warn',
    vars: { TUNNEL_ADDRESS: `127.0.0.1:${tunnelPort}`, TUNNEL_SECRET: secret },
    experimental: { disableExperimentalWarning: true, watch: false },
  });

  // Supervise the link: ask the DO to dial whenever it is down (at start, after a DO restart),
  // and again every 10 s while it is up (dialling is idempotent): local workerd evicts a DO
  // about 70 s after its last incoming request even while its tunnel socket is busy, which
  // drops every statement in flight (measured with bench/: a load failed at 71 s without this).
  const dial = async () => {
    const res = await worker.fetch('/_local/tunnel', { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
    await res.body?.cancel();
  };
  let stopping = false;
  let dialled = Date.now();
  const supervise = async () => {
    while (!stopping) {
      if (!tunnel.connected || Date.now() - dialled >= 10_000) {
        dialled = Date.now();
        await dial().catch((err) => log(`tunnel: dial request failed: ${err.message}`));
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  await dial();
  if (!(await tunnel.waitForLink(30_000))) throw new Error('the Durable Object did not connect its tunnel');
  const supervisor = supervise();

  const shim = await startShim({ host, port: opts.shimPort ?? 5432, password: opts.password, auth: opts.auth, service: tunnel });
  const url = `postgresql://convex:${encodeURIComponent(opts.password)}@${host}:${shim.port}/convex`;
  return {
    url,
    host,
    port: shim.port,
    async stop() {
      stopping = true;
      await shim.close();
      await supervisor;
      await worker.stop();
      await tunnel.close();
    },
  };
}
