/**
 * @module Middleware: the Worker's admin API takes a Convex admin key of the deployment it
 * addresses (`Authorization: Convex <key>`, as the Convex CLI sends it, or `Bearer <key>`).
 * No key or a key that does not check: 401. A read-only key on a route that changes things: 403.
 */
import type { MiddlewareHandler } from 'hono';
import { checkAdminKey, deriveInstanceSecret } from '../admin/admin-key.ts';

export interface AdminAuthOptions {
  /** Routes that change the deployment refuse read-only keys. */
  write?: boolean;
}

type AdminEnv = { Bindings: { INSTANCE_SECRET?: string }; Variables: { deployment: string } };

const deny = (status: 401 | 403 | 500, code: string, message: string) => Response.json({ code, message }, { status });

/** The key from `Authorization: Convex <key>` or `Bearer <key>`, or null. */
export function adminKeyOf(authorization: string | undefined): string | null {
  const m = /^(?:Convex|Bearer)\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m ? m[1] : null;
}

export const adminAuth = ({ write = false }: AdminAuthOptions = {}): MiddlewareHandler<AdminEnv> =>
  async function adminAuth(c, next) {
    const key = adminKeyOf(c.req.header('authorization'));
    if (!key) return deny(401, 'MissingAdminKey', 'this route needs an admin key: send "Authorization: Convex <admin key>"');
    if (!c.env.INSTANCE_SECRET) return deny(500, 'NotConfigured', 'the Worker secret INSTANCE_SECRET is not set, so no admin key can be checked');
    const deployment = c.get('deployment');
    const check = await checkAdminKey(deployment, await deriveInstanceSecret(c.env.INSTANCE_SECRET, deployment), key);
    if (!check.ok) return deny(401, 'BadAdminKey', `the admin key is not valid for deployment ${deployment}: ${check.message}`);
    if (write && check.readOnly) return deny(403, 'ReadOnlyAdminKey', 'this route changes the deployment; a read-only admin key cannot use it');
    await next();
  };
