/**
 * The production path of the Deployment DO, inside workerd, with a stand-in `ctx.container`
 * (FakeContainer): the start and its environment, the tunnel dialled with the container's own
 * secret while waiting for `GET /version`, the proxy to port 3210, a container that never gets
 * ready or exits early, adoption after a DO restart, rotation from the alarm, restart, status.
 */
import { env as workerEnv } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { deriveInstanceSecret } from '../../../worker/admin/admin-key.ts';
import { toDeployment } from '../../../worker/container/forward.ts';
import { STORAGE_HOST } from '../../../worker/container/storage-gateway.ts';
import { Deployment } from '../../../worker/deployment.ts';
import type { Env } from '../../../worker/index.ts';
import { FakeContainer } from './fake-container.ts';

const env = workerEnv as unknown as Env;
const MASTER_SECRET = 'ab'.repeat(32);
const ID = { name: 'demo', cloudOrigin: 'https://demo.example.test/', siteOrigin: 'https://demo-site.example.test' };

function request(path: string, init?: RequestInit): Request {
  return toDeployment(new Request(`https://demo.example.test${path}`, init), path.replace(/\?.*/, ''), ID);
}

interface Ctx {
  instance: Deployment;
  state: DurableObjectState;
  fake: FakeContainer;
  stub: DurableObjectStub<Deployment>;
}

/** A fresh Deployment DO whose ctx.container is a FakeContainer and whose env has the secrets. */
async function withContainer(fn: (c: Ctx) => Promise<void>, vars: Partial<Env> = {}): Promise<void> {
  const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(`container-${crypto.randomUUID()}`));
  await runInDurableObject(stub, async (instance: Deployment, state) => {
    const fake = new FakeContainer();
    Object.defineProperty(state, 'container', { value: fake, configurable: true });
    Object.assign((instance as unknown as { env: Env }).env, { INSTANCE_SECRET: MASTER_SECRET, ...vars });
    await fn({ instance, state, fake, stub });
  });
}

describe('the Deployment DO with a container', () => {
  it('starts the container with its environment, dials the tunnel with its secret, waits for /version, then proxies', async () => {
    await withContainer(async ({ instance, fake }) => {
      const res = await instance.fetch(request('/api/query?x=1', { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } }));
      expect(res.status).toBe(200);
      const seen = (await res.json()) as { port: number; method: string; url: string; headers: Record<string, string>; body: string };
      expect(seen).toMatchObject({ port: 3210, method: 'POST', url: '/api/query?x=1', body: 'payload' });
      expect(seen.headers['content-type']).toBe('text/plain');
      expect(Object.keys(seen.headers).filter((h) => h.startsWith('x-convex-do-'))).toEqual([]);

      expect(fake.starts).toHaveLength(1);
      expect(fake.starts[0].enableInternet).toBe(true);
      // The container outlives this object instance past the next alarm (10 min), to be adopted.
      expect(fake.inactivityTimeouts).toHaveLength(1);
      expect(fake.inactivityTimeouts[0]).toBeGreaterThan(10 * 60_000);
      const e = fake.env;
      expect(e).toMatchObject({
        INSTANCE_NAME: 'demo',
        INSTANCE_SECRET: await deriveInstanceSecret(MASTER_SECRET, 'demo'),
        CONVEX_CLOUD_ORIGIN: 'https://demo.example.test',
        CONVEX_SITE_ORIGIN: 'https://demo-site.example.test',
        DO_NOT_REQUIRE_SSL: '1',
        POSTGRES_MAX_CONNECTIONS: '16',
        TUNNEL_PORT: '6543',
        S3_ENDPOINT_URL: `http://${STORAGE_HOST}`,
        AWS_S3_FORCE_PATH_STYLE: 'true',
        AWS_S3_DISABLE_CHECKSUMS: 'true',
        STORAGE_MAX_INTERMEDIATE_PART_SIZE: '5242880',
      });
      expect(e.INSTANCE_SECRET).toMatch(/^[0-9a-f]{64}$/);
      expect(e.INSTANCE_SECRET).not.toBe(MASTER_SECRET);
      expect(e.TUNNEL_SECRET).toMatch(/^[0-9a-f]{64}$/);
      // The shim's URL: a user, a password, no path (Convex picks the database from INSTANCE_NAME).
      expect(e.POSTGRES_URL).toBe(`postgresql://convex:${e.SHIM_PASSWORD}@127.0.0.1:5432`);
      const buckets = ['EXPORTS', 'SNAPSHOT_IMPORTS', 'MODULES', 'FILES', 'SEARCH'].map((b) => e[`S3_STORAGE_${b}_BUCKET`]);
      expect(new Set(buckets).size).toBe(1);
      expect(buckets[0]).toBeTruthy();
      expect(fake.intercepted.map((i) => i.host)).toEqual([STORAGE_HOST]);
      expect(e.S3_ENDPOINT_URL).toBe(`http://${STORAGE_HOST}`);

      // Convex's S3 calls, as the platform hands them to the intercepting binding, land in R2
      // under the deployment's prefix.
      const storage = fake.intercepted[0].fetcher;
      const key = `${buckets[0]}/modules/${crypto.randomUUID()}`;
      const put = await storage.fetch(`http://${STORAGE_HOST}/${key}`, { method: 'PUT', body: 'module source' });
      expect(put.status).toBe(200);
      expect(await (await env.BUCKET.get(`demo/${key}`))?.text()).toBe('module source');
      const part = await storage.fetch(`http://${STORAGE_HOST}/${key}`, { headers: { range: 'bytes=7-' } });
      expect(part.status).toBe(206);
      expect(await part.text()).toBe('source');

      // The link the DO dialled authenticated with the container's TUNNEL_SECRET, and serves SQL.
      expect(fake.links).toHaveLength(1);
      const link = fake.links[0];
      expect(link.authed).toBe(true);
      link.send({ type: 'open', session: 1, request: 1, info: { user: 'convex', database: 'demo', params: {} } });
      expect(await link.next((f) => f.type === 'done' && f.request === 1)).toMatchObject({ type: 'done' });
      link.send({ type: 'query', session: 1, request: 2, sql: 'SELECT 41 + 1 AS answer' });
      const rows = await link.next((f) => f.type === 'rows' && f.request === 2);
      expect(rows.type === 'rows' && String(rows.rows[0][0])).toBe('42');

      // Ready: the next request goes straight through, no second start.
      expect((await instance.fetch(request('/version'))).status).toBe(200);
      expect(fake.starts).toHaveLength(1);

      // A backend that fails mid-request is a 502 with the reason, not a bare 500.
      fake.handler = () => {
        throw new Error('connection reset by peer');
      };
      const failed = await instance.fetch(request('/api/query'));
      expect(failed.status).toBe(502);
      expect(await failed.json()).toEqual({ code: 'BackendUnavailable', message: 'the backend did not answer: connection reset by peer' });

      const status = await instance.status({ ping: true });
      expect(status.deployment).toBe('demo');
      expect(status.container).toMatchObject({ state: 'ready', starts: 1, lastExit: null, lastError: null });
      expect(status.tunnel).toMatchObject({ connected: true, links: 1 });
      expect(status.tunnel?.rttMs).toBeTypeOf('number');
    });
  });

  it('answers 503 with a message when the backend never answers /version, and tries again on the next request', async () => {
    await withContainer(
      async ({ instance, fake }) => {
        fake.ready = () => false;
        const res = await instance.fetch(request('/api/query'));
        expect(res.status).toBe(503);
        const body = (await res.json()) as { code: string; message: string };
        expect(body.code).toBe('ContainerNotReady');
        expect(body.message).toContain('GET /version');
        expect(body.message).toContain('the next request tries again');
        expect((await instance.status()).container).toMatchObject({ state: 'starting', starts: 1 });

        fake.ready = () => true;
        expect((await instance.fetch(request('/api/query'))).status).toBe(200);
        // Still the same run: the container was not started twice.
        expect(fake.starts).toHaveLength(1);
        expect((await instance.status()).container).toMatchObject({ state: 'ready', lastError: null });
      },
      { CONTAINER_READY_TIMEOUT_SECONDS: '0.3' },
    );
  });

  it('answers 503 naming the exit code when the container exits before it is ready; the next request starts a new one with fresh secrets', async () => {
    await withContainer(async ({ instance, fake }) => {
      fake.ready = () => false;
      fake.afterStart = () => queueMicrotask(() => fake.exit(3));
      const res = await instance.fetch(request('/api/query'));
      expect(res.status).toBe(503);
      expect(((await res.json()) as { message: string }).message).toContain('exit code 3');
      expect((await instance.status()).container).toMatchObject({ state: 'stopped', lastExit: { code: 3 } });

      fake.afterStart = undefined;
      fake.ready = () => fake.links.some((l) => l.authed && !l.closed);
      const firstSecret = fake.env.TUNNEL_SECRET;
      expect((await instance.fetch(request('/api/query'))).status).toBe(200);
      expect(fake.starts).toHaveLength(2);
      expect(fake.env.TUNNEL_SECRET).not.toBe(firstSecret);
      expect(fake.links.at(-1)?.authed).toBe(true);
    });
  });

  it('adopts a container that is already running after a DO restart: no second start, same tunnel secret', async () => {
    await withContainer(async ({ instance, state, fake }) => {
      expect((await instance.fetch(request('/api/query'))).status).toBe(200);
      const secret = fake.env.TUNNEL_SECRET;

      // A new instance over the same storage, as after an eviction; the container kept running.
      const restarted = new Deployment(state, (instance as unknown as { env: Env }).env);
      expect((await restarted.status()).container.state).toBe('starting');
      expect((await restarted.fetch(request('/api/query'))).status).toBe(200);
      expect(fake.starts).toHaveLength(1);
      expect(fake.links).toHaveLength(2);
      expect(fake.links[1].authed).toBe(true);
      expect(fake.env.TUNNEL_SECRET).toBe(secret);
      expect(fake.inactivityTimeouts).toHaveLength(2);
    });
  });

  it('rotates the tunnel make-before-break from its alarm, and starts a container that stopped again', async () => {
    let fake!: FakeContainer;
    let stub!: DurableObjectStub<Deployment>;
    await withContainer(
      async (c) => {
        ({ fake, stub } = c);
        expect((await c.instance.fetch(request('/api/query'))).status).toBe(200);
        expect(await c.state.storage.getAlarm()).not.toBeNull();
      },
      // Every heartbeat is then a rotation.
      { TUNNEL_ROTATE_SECONDS: '0' },
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(fake.links).toHaveLength(2);
    expect(fake.links[1].authed).toBe(true);
    await vi.waitFor(() => expect(fake.links[0].drained).toBe(true));

    // The container stops with no request in sight: the exit arms the alarm, which starts it.
    await runInDurableObject(stub, async (instance: Deployment, state) => {
      fake.exit(0);
      await vi.waitFor(async () => expect((await instance.status()).container).toMatchObject({ state: 'stopped', lastExit: { code: 0 } }));
      const alarm = await state.storage.getAlarm();
      expect(alarm).not.toBeNull();
      expect(alarm! - Date.now()).toBeLessThan(60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(fake.starts).toHaveLength(2);
    await runInDurableObject(stub, async (instance: Deployment, state) => {
      expect((await instance.status()).container).toMatchObject({ state: 'ready', starts: 2 });
      expect(await state.storage.getAlarm()).not.toBeNull();
    });
  });

  it('restart sends SIGTERM; after the exit the next request starts a new container', async () => {
    await withContainer(async ({ instance, fake }) => {
      expect(instance.restart()).toBe(false);
      expect((await instance.fetch(request('/api/query'))).status).toBe(200);
      expect(instance.restart()).toBe(true);
      expect(fake.signals).toEqual([15]);
      fake.exit(0);
      await vi.waitFor(async () => expect((await instance.status()).container.state).toBe('stopped'));
      expect((await instance.fetch(request('/api/query'))).status).toBe(200);
      expect(fake.starts).toHaveLength(2);
    });
  });
});

describe('the Deployment DO without a container', () => {
  it('reports container state none, the database size and rows per table', async () => {
    const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName(`status-${crypto.randomUUID()}`));
    await runInDurableObject(stub, async (instance: Deployment) => {
      const s = await instance.engine.open({ user: 'u', database: 'd', params: {} });
      for (const sql of ['CREATE TABLE t (id int8 PRIMARY KEY)', 'INSERT INTO t VALUES (1), (2), (3)', 'CREATE SCHEMA other', 'CREATE TABLE other.u (id int4)']) {
        expect((await s.query(sql)).error).toBeUndefined();
      }
      const status = await instance.status();
      expect(status.container.state).toBe('none');
      expect(status.tunnel).toBeNull();
      expect(status.lastSnapshot).toBeNull();
      expect(status.database.sizeBytes).toBeGreaterThan(0);
      expect(status.database.tables).toEqual(
        expect.arrayContaining([
          { schema: 'public', name: 't', rows: 3 },
          { schema: 'other', name: 'u', rows: 0 },
        ]),
      );
      // Without a runtime or CONTAINER_ORIGIN there is nothing to proxy to.
      const res = await instance.fetch(request('/version'));
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe('ContainerNotReady');
    });
  });
});
