/**
 * @module The Worker's own admin API, under a prefix Convex does not use (`/_deployment`), on a
 * deployment's API host only (the site host's paths all belong to its HTTP actions, see
 * index.ts). The whole prefix is reserved: an unknown route here is a 404, never Convex's.
 */
import { Hono } from 'hono';
import { deriveInstanceSecret, issueAdminKey } from '../admin/admin-key.ts';
import { renderStatusPage, STATUS_PAGE_CSP } from '../status/status-page.ts';
import { adminAuth } from './admin-auth.ts';
import type { AppEnv } from './context.ts';
import { deploymentStub } from './deployment.ts';

export const ADMIN_PREFIX = '/_deployment';

// Not strict: `/_deployment` and `/_deployment/` are the same page.
export const admin = new Hono<AppEnv>({ strict: false });

admin.get('/health', (c) => c.text('ok'));

/** The status as a small page; a browser asks for the admin key (as the Basic auth password). */
admin.get('/', adminAuth({ challenge: true }), async (c) =>
  c.html(renderStatusPage(await deploymentStub(c).status({ ping: true })), 200, {
    'content-security-policy': STATUS_PAGE_CSP,
    'cache-control': 'no-store',
  }),
);

/** Container, tunnel (with a fresh round trip), database size and rows per table. */
admin.get('/status', adminAuth(), async (c) => c.json(await deploymentStub(c).status({ ping: true })));

/** Stop the container gracefully; the next request starts a new one. */
admin.post('/restart', adminAuth({ write: true }), async (c) => {
  const stopped = await deploymentStub(c).restart();
  return c.json({ stopped }, stopped ? 202 : 409);
});

/** A new admin key for this deployment (`{"readOnly": true}` for a read-only one), e.g. for a teammate. */
admin.post('/admin-key', adminAuth({ write: true }), async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as { readOnly?: unknown };
  const deployment = c.get('deployment');
  const adminKey = await issueAdminKey(deployment, await deriveInstanceSecret(c.env.INSTANCE_SECRET, deployment), { readOnly: body.readOnly === true });
  return c.json({ adminKey });
});

admin.all('*', (c) => c.json({ code: 'NotFound', message: `no admin route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
