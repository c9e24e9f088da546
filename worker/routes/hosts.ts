/**
 * @module Which deployment a request is for, from its host name alone, and the public origins
 * that deployment's Convex is told about. Pure.
 *
 * With `DEPLOYMENT_DOMAIN = example.com`:
 *   `<name>.example.com`      → the deployment's API (Convex port 3210)
 *   `<name>-site.example.com` → its HTTP actions (3210 under `/http/…`)
 * Any other host (a workers.dev name, a custom domain of its own) serves `DEFAULT_DEPLOYMENT`'s
 * API, when one is set; its HTTP actions are then at `/http/…` on that same host.
 */

export interface HostConfig {
  /** Parent domain of the per-deployment hosts (no leading dot); empty: hosts are not parsed. */
  domain: string;
  /** The deployments this Worker serves; any other name is a 404. */
  deployments: ReadonlySet<string>;
  /** Served on hosts outside `domain`; empty: those hosts are a 404. */
  defaultDeployment: string;
}

export type Surface = 'api' | 'site';

export type HostResolution =
  | { ok: true; deployment: string; surface: Surface }
  | { ok: false; message: string };

export interface Origins {
  /** CONVEX_CLOUD_ORIGIN: where clients reach the API. */
  cloud: string;
  /** CONVEX_SITE_ORIGIN: where HTTP actions are served. */
  site: string;
}

/** A deployment name is one DNS label that cannot be mistaken for a site host. */
const NAME = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const SITE_SUFFIX = '-site';

export function isDeploymentName(name: string): boolean {
  return NAME.test(name) && !name.endsWith(SITE_SUFFIX);
}

/** Reads the Worker's vars; names that are not valid deployment names are an error. */
export function hostConfig(vars: { DEPLOYMENT_DOMAIN?: string; DEPLOYMENTS?: string; DEFAULT_DEPLOYMENT?: string }): HostConfig {
  const domain = (vars.DEPLOYMENT_DOMAIN ?? '').trim().toLowerCase().replace(/^\.+|\.+$/g, '');
  const defaultDeployment = (vars.DEFAULT_DEPLOYMENT ?? '').trim().toLowerCase();
  const names = (vars.DEPLOYMENTS ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  if (defaultDeployment) names.push(defaultDeployment);
  for (const n of names) {
    if (!isDeploymentName(n)) throw new Error(`"${n}" is not a deployment name: use 1–40 lowercase letters, digits and dashes, not ending in "${SITE_SUFFIX}"`);
  }
  return { domain, deployments: new Set(names), defaultDeployment };
}

/** `host` is the Host header (a port, if any, is ignored). */
export function resolveHost(host: string, config: HostConfig): HostResolution {
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const suffix = `.${config.domain}`;
  if (config.domain && name.endsWith(suffix)) {
    const label = name.slice(0, -suffix.length);
    if (!label.includes('.')) {
      const site = label.endsWith(SITE_SUFFIX);
      const deployment = site ? label.slice(0, -SITE_SUFFIX.length) : label;
      if (config.deployments.has(deployment)) return { ok: true, deployment, surface: site ? 'site' : 'api' };
      return { ok: false, message: `no deployment named "${deployment}" is served here` };
    }
  }
  if (config.defaultDeployment) return { ok: true, deployment: config.defaultDeployment, surface: 'api' };
  return { ok: false, message: `no deployment is served at ${name}` };
}

/**
 * The origins Convex is started with. Under `domain` they are fixed by the name; otherwise they
 * follow the host the request came in on, with HTTP actions under `/http` on that host (Convex
 * documents this form for `--convex-site`).
 */
export function originsFor(deployment: string, config: HostConfig, requestUrl: URL): Origins {
  if (config.domain) {
    return { cloud: `https://${deployment}.${config.domain}`, site: `https://${deployment}${SITE_SUFFIX}.${config.domain}` };
  }
  const cloud = `${requestUrl.protocol}//${requestUrl.host}`;
  return { cloud, site: `${cloud}/http` };
}
