/**
 * @module How a request crosses Worker → Durable Object → Convex's port 3210. The Worker names
 * the deployment and its public origins in internal headers; the DO strips them and sends the
 * rest on with its body streaming (and a WebSocket upgrade intact).
 */

/** Internal headers: set by the Worker (overwriting any a client sent), never forwarded. */
export const DEPLOYMENT_HEADER = 'x-convex-do-deployment';
export const CLOUD_ORIGIN_HEADER = 'x-convex-do-cloud-origin';
export const SITE_ORIGIN_HEADER = 'x-convex-do-site-origin';
const INTERNAL_HEADERS = [DEPLOYMENT_HEADER, CLOUD_ORIGIN_HEADER, SITE_ORIGIN_HEADER];

export interface DeploymentIdentity {
  name: string;
  cloudOrigin: string;
  siteOrigin: string;
}

/** The request the Worker sends its DO: same method, headers and body, plus the identity. */
export function toDeployment(request: Request, path: string, id: DeploymentIdentity): Request {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.set(DEPLOYMENT_HEADER, id.name);
  headers.set(CLOUD_ORIGIN_HEADER, id.cloudOrigin);
  headers.set(SITE_ORIGIN_HEADER, id.siteOrigin);
  return new Request(`http://deployment${path}${url.search}`, { method: request.method, headers, body: request.body, redirect: 'manual' });
}

export function identityOf(request: Request): DeploymentIdentity | null {
  const name = request.headers.get(DEPLOYMENT_HEADER);
  const cloudOrigin = request.headers.get(CLOUD_ORIGIN_HEADER);
  const siteOrigin = request.headers.get(SITE_ORIGIN_HEADER);
  return name && cloudOrigin && siteOrigin ? { name, cloudOrigin, siteOrigin } : null;
}

/** The request for the backend at `origin` (e.g. `http://container:3210`), internal headers removed. */
export function toBackend(request: Request, origin: string): Request {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  for (const h of INTERNAL_HEADERS) headers.delete(h);
  return new Request(new URL(`${url.pathname}${url.search}`, origin), { method: request.method, headers, body: request.body, redirect: 'manual' });
}
