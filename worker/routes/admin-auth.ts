/**
 * @module Middleware: the Worker's admin API takes a Convex admin key of the deployment it
 * addresses (`Authorization: Convex <key>`, as the Convex CLI sends it, `Bearer <key>`, or as
 * the password of HTTP Basic auth, which is how a browser can open the status page).
 * No key or a key that does not check: 401. A read-only key on a route that changes things: 403.
 */
import type { MiddlewareHandler } from 'hono';
import { checkAdminKey, deriveInstanceSecret } from '../admin/admin-key.ts';

export interface AdminAuthOptions {
  /** Routes that change the deployment refuse read-only keys. */
  write?: boolean;
  /** Answer 401 with a Basic challenge, so a browser asks for the key (user name ignored). */
  challenge?: boolean;
}

type AdminEnv = { Bindings: { INSTANCE_SECRET?: string }; Variables: { deployment: string } };

const deny = (status: 401 | 403 | 500, code: string, message: string, headers?: HeadersInit) => Response.json({ code, message }, { status, headers });

/** The key from `Authorization: Convex <key>`, `Bearer <key>` or `Basic base64(<any>:<key>)`, or null. */
export function adminKeyOf(authorization: string | undefined): string | null {
  const m = /^(Convex|Bearer|Basic)\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return null;
  if (m[1].toLowerCase() !== 'basic') return m[2];
  let decoded: string;
  try {
    decoded = atob(m[2]);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}

export const adminAuth = ({ write = false, challenge = false }: AdminAuthOptions = {}): MiddlewareHandler<AdminEnv> =>
  async function adminAuth(c, next) {
    const deployment = c.get('deployment');
    const ask = challenge ? { 'www-authenticate': `Basic realm="${deployment} admin key", charset="UTF-8"` } : undefined;
    const key = adminKeyOf(c.req.header('authorization'));
    if (!key) return deny(401, 'MissingAdminKey', 'this route needs an admin key: send "Authorization: Convex <admin key>"', ask);
    if (!c.env.INSTANCE_SECRET) return deny(500, 'NotConfigured', 'the Worker secret INSTANCE_SECRET is not set, so no admin key can be checked');
    const check = await checkAdminKey(deployment, await deriveInstanceSecret(c.env.INSTANCE_SECRET, deployment), key);
    if (!check.ok) return deny(401, 'BadAdminKey', `the admin key is not valid for deployment ${deployment}: ${check.message}`, ask);
    if (write && check.readOnly) return deny(403, 'ReadOnlyAdminKey', 'this route changes the deployment; a read-only admin key cannot use it');
    await next();
  };
