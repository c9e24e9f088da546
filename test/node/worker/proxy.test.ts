/**
 * The Worker and its Deployment DO on workerd (wrangler's unstable_dev, as scripts/stack.ts
 * runs them), proxying to a Node stand-in for Convex's port 3210 (CONTAINER_ORIGIN): routing
 * by host name, the admin API and its keys, bodies streamed both ways, WebSockets.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_dev, type Unstable_DevWorker } from 'wrangler';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveInstanceSecret, issueAdminKey } from '../../../worker/admin/admin-key.ts';
import { StandinBackend, type Seen } from './standin-backend.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MASTER_SECRET = 'cd'.repeat(32);

let backend: StandinBackend;
let worker: Unstable_DevWorker;
let stateDir: string;

beforeAll(async () => {
  backend = new StandinBackend();
  const origin = await backend.listen();
  stateDir = mkdtempSync(path.join(tmpdir(), 'proxy-test-'));
  process.env.WRANGLER_SEND_METRICS ??= 'false';
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
  process.env.INSTANCE_SECRET = MASTER_SECRET;
  worker = await unstable_dev(path.join(root, 'worker/index.ts'), {
    config: path.join(root, 'wrangler.jsonc'),
    persistTo: stateDir,
    ip: '127.0.0.1',
    port: 0,
    inspect: false,
    logLevel: 'warn',
    vars: { DEPLOYMENTS: 'demo,other', DEPLOYMENT_DOMAIN: 'example.test', DEFAULT_DEPLOYMENT: 'demo', CONTAINER_ORIGIN: origin, INSTANCE_SECRET: MASTER_SECRET },
    experimental: { disableExperimentalWarning: true, watch: false },
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await backend?.close();
  rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the Worker with a chosen Host header (fetch cannot set Host). */
function send(host: string, pathname: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: worker.address, port: worker.port, path: pathname, method: opts.method ?? 'GET', headers: { host, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const seen = (r: Reply) => JSON.parse(r.body) as Seen;

async function adminKey(deployment: string, opts: { readOnly?: boolean } = {}) {
  return issueAdminKey(deployment, await deriveInstanceSecret(MASTER_SECRET, deployment), opts);
}

describe('routing by host name', () => {
  it('sends an API host to its deployment at the same path, query and method, with the body', async () => {
    const r = await send('demo.example.test', '/api/run/a%2Fb?x=1&y=%20', { method: 'POST', body: '{"args":{}}', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.headers['x-standin']).toBe('yes');
    expect(seen(r)).toMatchObject({ method: 'POST', url: '/api/run/a%2Fb?x=1&y=%20', body: '{"args":{}}' });
    expect(seen(r).headers['content-type']).toBe('application/json');
  });

  it('sends a site host to /http/… on the same backend', async () => {
    const r = await send('demo-site.example.test', '/webhook/stripe?id=7', { method: 'PUT', body: 'x' });
    expect(seen(r)).toMatchObject({ method: 'PUT', url: '/http/webhook/stripe?id=7', body: 'x' });
    // The admin prefix belongs to the site's HTTP actions there.
    expect(seen(await send('demo-site.example.test', '/_deployment/status')).url).toBe('/http/_deployment/status');
  });

  it('passes GET /version and /api/check_admin_key through', async () => {
    expect((await send('demo.example.test', '/version')).body).toBe('standin-backend');
    const r = await send('demo.example.test', '/api/check_admin_key', { headers: { authorization: 'Convex not-checked-by-the-worker' } });
    expect(seen(r)).toMatchObject({ url: '/api/check_admin_key' });
    expect(seen(r).headers.authorization).toBe('Convex not-checked-by-the-worker');
  });

  it('serves the default deployment on any other host, and 404s an unknown deployment', async () => {
    expect(seen(await send('convex-do.someone.workers.dev', '/api/x')).url).toBe('/api/x');
    const r = await send('ghost.example.test', '/api/x');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({ code: 'UnknownDeployment', message: 'no deployment named "ghost" is served here' });
  });

  it('answers 502 with a JSON message when the backend hangs up', async () => {
    const r = await send('demo.example.test', '/hang-up');
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'BackendUnavailable' });
  });

  it('never forwards the internal headers, and a client cannot set them', async () => {
    const r = await send('demo.example.test', '/api/x', { headers: { 'x-convex-do-deployment': 'other' } });
    expect(Object.keys(seen(r).headers).filter((h) => h.startsWith('x-convex-do-'))).toEqual([]);
  });
});

describe('the admin API', () => {
  it('refuses a request without a key (401) and a key of another deployment (401), with a JSON message', async () => {
    const none = await send('demo.example.test', '/_deployment/status');
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ code: 'MissingAdminKey' });

    const other = await send('demo.example.test', '/_deployment/status', { headers: { authorization: `Convex ${await adminKey('other')}` } });
    expect(other.status).toBe(401);
    expect(JSON.parse(other.body)).toMatchObject({ code: 'BadAdminKey' });
    expect(JSON.parse(other.body).message).toContain('demo');
  });

  it('answers status JSON to an admin key of the deployment', async () => {
    const r = await send('demo.example.test', '/_deployment/status', { headers: { authorization: `Convex ${await adminKey('demo')}` } });
    expect(r.status).toBe(200);
    const status = JSON.parse(r.body);
    expect(status).toMatchObject({ deployment: 'demo', container: { state: 'none' }, lastSnapshot: null });
    expect(status.database.sizeBytes).toBeGreaterThan(0);
    expect(Array.isArray(status.database.tables)).toBe(true);
  });

  it('refuses a read-only key on a route that changes the deployment (403)', async () => {
    const r = await send('demo.example.test', '/_deployment/restart', { method: 'POST', headers: { authorization: `Bearer ${await adminKey('demo', { readOnly: true })}` } });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'ReadOnlyAdminKey' });
    // A full key gets through; without a container there is nothing to restart.
    const full = await send('demo.example.test', '/_deployment/restart', { method: 'POST', headers: { authorization: `Convex ${await adminKey('demo')}` } });
    expect(full.status).toBe(409);
  });

  it('issues new admin keys to a full key only, read-only ones on request', async () => {
    const auth = (key: string) => ({ authorization: `Convex ${key}` });
    const refused = await send('demo.example.test', '/_deployment/admin-key', { method: 'POST', headers: auth(await adminKey('demo', { readOnly: true })) });
    expect(refused.status).toBe(403);

    const issued = await send('demo.example.test', '/_deployment/admin-key', { method: 'POST', headers: { ...auth(await adminKey('demo')), 'content-type': 'application/json' }, body: '{"readOnly":true}' });
    expect(issued.status).toBe(200);
    const { adminKey: key } = JSON.parse(issued.body) as { adminKey: string };
    expect(key.startsWith('demo|')).toBe(true);
    expect((await send('demo.example.test', '/_deployment/status', { headers: auth(key) })).status).toBe(200);
    expect((await send('demo.example.test', '/_deployment/restart', { method: 'POST', headers: auth(key) })).status).toBe(403);
  });

  it('serves the status page to a browser: a Basic challenge, then the page for the key as password', async () => {
    for (const pathname of ['/_deployment/', '/_deployment']) {
      const challenged = await send('demo.example.test', pathname);
      expect(challenged.status).toBe(401);
      expect(challenged.headers['www-authenticate']).toBe('Basic realm="demo admin key", charset="UTF-8"');

      const basic = Buffer.from(`admin:${await adminKey('demo', { readOnly: true })}`).toString('base64');
      const page = await send('demo.example.test', pathname, { headers: { authorization: `Basic ${basic}` } });
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toContain("default-src 'none'");
      expect(page.body).toContain('<h1 data-testid="deployment">demo</h1>');
    }
    const wrong = Buffer.from(`admin:${await adminKey('other')}`).toString('base64');
    expect((await send('demo.example.test', '/_deployment/', { headers: { authorization: `Basic ${wrong}` } })).status).toBe(401);
  });

  it('keeps the whole prefix: an unknown admin route is a 404 of its own', async () => {
    const r = await send('demo.example.test', '/_deployment/nope');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'NotFound' });
  });
});

describe('streaming', () => {
  it('streams a request body: the backend sees the first part before the client sends the rest', async () => {
    const reply = new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        { host: worker.address, port: worker.port, path: '/upload-stream', method: 'POST', headers: { host: 'demo.example.test', 'transfer-encoding': 'chunked' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.write('part-one;');
      // Only once the backend has it does the client go on: a buffering proxy hangs here.
      void backend.received('part-one;').then(() => req.end('part-two'));
    });
    const r = await reply;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ received: 'part-one;part-two' });
  });

  it('streams a response body: the client reads the first part before the backend sends the rest', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: worker.address, port: worker.port, path: '/download-stream', headers: { host: 'demo.example.test' } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
            // The backend holds its second part until the client has seen the first.
            if (text.includes('first;')) backend.downloadGate.resolve();
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('first;second');
  });
});

describe('WebSockets', () => {
  it('proxies /api/<version>/sync both ways, text and binary, and the close', async () => {
    const ws = new WebSocket(`ws://${worker.address}:${worker.port}/api/1.25.0/sync`, { headers: { host: 'demo.example.test' } });
    const messages: Array<{ data: string | Buffer; binary: boolean }> = [];
    const next = () =>
      new Promise<{ data: string | Buffer; binary: boolean }>((resolve) => {
        const check = () => (messages.length ? resolve(messages.shift()!) : setTimeout(check, 5));
        check();
      });
    ws.on('message', (data: Buffer, binary: boolean) => messages.push({ data: binary ? data : data.toString(), binary }));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

    expect(await next()).toEqual({ data: JSON.stringify({ hello: '/api/1.25.0/sync' }), binary: false });
    ws.send('{"type":"Connect"}');
    expect(await next()).toEqual({ data: 'echo:{"type":"Connect"}', binary: false });
    ws.send(Buffer.from([0, 1, 2, 255]));
    const bin = await next();
    expect(bin.binary).toBe(true);
    expect([...(bin.data as Buffer)]).toEqual([0, 1, 2, 255]);

    expect(backend.sockets.at(-1)?.url).toBe('/api/1.25.0/sync');
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.close(4001, 'bye');
    await closed;
    await expect.poll(() => backend.closes.at(-1)).toEqual({ code: 4001, reason: 'bye' });
  });
});
