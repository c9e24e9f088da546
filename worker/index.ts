/** @module The Worker: routes requests to the deployment's Durable Object. */
import { Hono } from 'hono';
export { Deployment } from './deployment.ts';

export interface Env {
  DEPLOYMENT: DurableObjectNamespace<import('./deployment.ts').Deployment>;
  /** host:port of the shim's tunnel listener in local dev; empty in production. */
  TUNNEL_ADDRESS: string;
  /** Shared secret that authenticates the tunnel. */
  TUNNEL_SECRET?: string;
}

const app = new Hono<{ Bindings: Env }>();
app.get('/health', (c) => c.text('ok'));
export default app;
