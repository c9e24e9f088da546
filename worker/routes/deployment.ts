/**
 * @module Middleware and the catch-all: which deployment a request is for (from its host), and
 * the proxy to that deployment's Durable Object, which forwards to Convex's port 3210. The site
 * host's paths go to 3210 under `/http/…` (port 3211's proxy allows only 4 concurrent requests).
 */
import type { Handler, MiddlewareHandler } from 'hono';
import { toDeployment } from '../container/forward.ts';
import type { AppEnv } from './context.ts';
import { hostConfig, originsFor, resolveHost } from './hosts.ts';

export const resolveDeployment = (): MiddlewareHandler<AppEnv> =>
  async function resolveDeployment(c, next) {
    let config;
    try {
      config = hostConfig(c.env);
    } catch (err) {
      return c.json({ code: 'NotConfigured', message: (err as Error).message }, 500);
    }
    const url = new URL(c.req.url);
    const target = resolveHost(c.req.header('host') ?? url.host, config);
    if (!target.ok) return c.json({ code: 'UnknownDeployment', message: target.message }, 404);
    c.set('deployment', target.deployment);
    c.set('surface', target.surface);
    c.set('origins', originsFor(target.deployment, config, url));
    await next();
  };

export function deploymentStub(c: { env: AppEnv['Bindings']; get(key: 'deployment'): string }) {
  return c.env.DEPLOYMENT.get(c.env.DEPLOYMENT.idFromName(c.get('deployment')));
}

/** Everything not claimed by the Worker itself: streamed through to the backend, WebSockets included. */
export const proxyToDeployment: Handler<AppEnv> = async (c) => {
  // The path as sent (still percent-encoded): Hono's c.req.path is decoded.
  const sent = new URL(c.req.url).pathname;
  const path = c.get('surface') === 'site' ? `/http${sent}` : sent;
  const origins = c.get('origins');
  const request = toDeployment(c.req.raw, path, { name: c.get('deployment'), cloudOrigin: origins.cloud, siteOrigin: origins.site });
  return deploymentStub(c).fetch(request);
};
