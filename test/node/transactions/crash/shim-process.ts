/**
 * @module The shim alone in its own process (tunnel listener + PostgreSQL listener), so a crash
 * test can SIGKILL it while the Durable Object keeps running. Ports and secret come from the
 * environment and stay the same across restarts; prints `ready` once both listen.
 */
import { startShim } from '../../../../shim/server.ts';
import { TunnelListener } from '../../../../shim/tunnel-listener.ts';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const tunnel = new TunnelListener({ host: '127.0.0.1', port: Number(env('TUNNEL_PORT')), secret: env('TUNNEL_SECRET') });
await tunnel.listen();
await startShim({ host: '127.0.0.1', port: Number(env('SHIM_PORT')), password: env('SHIM_PASSWORD'), service: tunnel });
process.stdout.write('ready\n');
