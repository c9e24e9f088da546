/** @module The Worker: routes requests to the deployment's Durable Object. */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { Deployment } from './deployment.ts';
export { Deployment } from './deployment.ts';

export interface Env {
  DEPLOYMENT: DurableObjectNamespace<Deployment>;
  /** host:port of the shim's tunnel listener in local dev; empty in production. */
  TUNNEL_ADDRESS: string;
  /** Tunnel port inside the container (production). */
  TUNNEL_PORT?: string;
  /** Shared secret that authenticates the tunnel (a Worker secret in production). */
  TUNNEL_SECRET?: string;
  /** The deployment local dev serves. */
  LOCAL_DEPLOYMENT?: string;
}

const app = new Hono<{ Bindings: Env }>();

app.get('/health', (c) => c.text('ok'));

/**
 * Local dev: the host shim's supervisor asks the DO to dial its tunnel port. Guarded by the
 * tunnel secret, which only the supervisor knows.
 */
app.post(
  '/_local/tunnel',
  async (c, next) => bearerAuth({ token: c.env.TUNNEL_SECRET ?? crypto.randomUUID() })(c as never, next),
  async (c) => {
    const name = c.env.LOCAL_DEPLOYMENT ?? 'local';
    const stub = c.env.DEPLOYMENT.get(c.env.DEPLOYMENT.idFromName(name));
    const status = await stub.connectTunnel();
    return c.json(status, status.connected ? 200 : 503);
  },
);

export default app;
