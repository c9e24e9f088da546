/**
 * @module The Worker: finds the deployment a request is for from its host name, serves its
 * admin API under `/_deployment`, and proxies everything else to the deployment's Durable
 * Object, which forwards to Convex in its container.
 */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { admin, ADMIN_PREFIX } from './routes/admin.ts';
import type { AppEnv } from './routes/context.ts';
import { proxyToDeployment, resolveDeployment } from './routes/deployment.ts';
export { Deployment } from './deployment.ts';
export { StorageGateway } from './container/storage-gateway.ts';

/** The Worker's bindings, vars and secrets (generated from wrangler.jsonc by `wrangler types`). */
export type Env = Cloudflare.Env;

// Not strict, for the admin page's two spellings; proxied paths are taken from the raw URL.
const app = new Hono<AppEnv>({ strict: false });

/**
 * Local dev: the host shim's supervisor asks the DO to dial its tunnel port. Guarded by the
 * tunnel secret, which only the supervisor knows; absent unless TUNNEL_ADDRESS is set.
 */
app.post(
  '/_local/tunnel',
  async (c, next) => (c.env.TUNNEL_ADDRESS ? next() : c.json({ code: 'NotFound', message: 'local dev only' }, 404)),
  async (c, next) => bearerAuth({ token: c.env.TUNNEL_SECRET || crypto.randomUUID() })(c as never, next),
  async (c) => {
    const name = c.env.LOCAL_DEPLOYMENT || 'local';
    const stub = c.env.DEPLOYMENT.get(c.env.DEPLOYMENT.idFromName(name));
    const status = await stub.connectTunnel();
    return c.json(status, status.connected ? 200 : 503);
  },
);

app.use('*', resolveDeployment());
// A site host's every path is an HTTP action path, the admin prefix included.
app.all('*', async (c, next) => (c.get('surface') === 'site' ? proxyToDeployment(c, next) : next()));
app.route(ADMIN_PREFIX, admin);
app.all('*', proxyToDeployment);

export default app;
