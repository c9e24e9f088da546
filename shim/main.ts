/**
 * @module The shim as a process (the container's entry, next to Convex): listens for the DO's
 * tunnel dial and for PostgreSQL clients. Configuration comes from the environment, which the
 * Deployment DO sets when it starts the container.
 */
import { startShim } from './server.ts';
import { TunnelListener } from './tunnel-listener.ts';

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    console.error(`shim: ${name} must be set`);
    process.exit(2);
  }
  return v;
}

const log = (line: string) => console.error(`shim: ${line}`);
const tunnel = new TunnelListener({
  // The DO reaches the tunnel port from outside the container's loopback.
  host: process.env.TUNNEL_HOST ?? '0.0.0.0',
  port: Number(process.env.TUNNEL_PORT ?? 6543),
  secret: required('TUNNEL_SECRET'),
  log,
});
const tunnelPort = await tunnel.listen();
const shim = await startShim({
  host: process.env.SHIM_HOST ?? '127.0.0.1',
  port: Number(process.env.SHIM_PORT ?? 5432),
  password: required('SHIM_PASSWORD'),
  service: tunnel,
});
log(`listening: postgres on ${process.env.SHIM_HOST ?? '127.0.0.1'}:${shim.port}, tunnel on ${tunnelPort}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await shim.close();
    await tunnel.close();
    process.exit(0);
  });
}
