/**
 * What CI can check of `wrangler deploy` without an account or a Docker engine:
 * `wrangler deploy --dry-run --containers-rollout=none` validates wrangler.jsonc (the container
 * entry against its Durable Object class and Dockerfile path, the instance type, bindings) and
 * bundles the Worker; only the image build is left out (a dry run with containers otherwise
 * insists on Docker). The committed binding types must match the config.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const wranglerBin = path.join(root, 'node_modules/wrangler/bin/wrangler.js');
const outdir = mkdtempSync(path.join(tmpdir(), 'dry-run-'));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

async function wrangler(args: string[]): Promise<{ code: number; output: string }> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1', FORCE_COLOR: '0' };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [wranglerBin, ...args], { cwd: root, env, timeout: 120_000 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('wrangler deploy, dry run', () => {
  it('validates the config, the container entry and its Dockerfile, and bundles the Worker', async () => {
    const { code, output } = await wrangler(['deploy', '--dry-run', '--containers-rollout=none', '--outdir', outdir]);
    expect(output).not.toMatch(/ERROR/);
    expect(code).toBe(0);
    expect(output).toMatch(/env\.DEPLOYMENT \(Deployment\)\s+Durable Object/);
    expect(output).toMatch(/env\.BUCKET \(convex-do\)\s+R2 Bucket/);
    expect(output).toContain(`- convex-do-deployment (${path.join(root, 'Dockerfile')})`);
    expect(existsSync(path.join(outdir, 'index.js'))).toBe(true);
  }, 120_000);

  it('has committed binding types that match wrangler.jsonc', async () => {
    const { code, output } = await wrangler(['types', '--include-runtime=false', '--strict-vars=false', '--check', 'worker-configuration.d.ts']);
    expect(output).toContain('up to date');
    expect(code).toBe(0);
  }, 120_000);
});

describe('the image the dry run leaves out', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const config = readFileSync(path.join(root, 'wrangler.jsonc'), 'utf8');

  it("builds on a pinned Convex backend image for linux/amd64", () => {
    expect(dockerfile).toMatch(/^FROM --platform=linux\/amd64 ghcr\.io\/get-convex\/convex-backend:[0-9a-f]{40}$/m);
  });

  it('exposes Convex port 3210 and the tunnel port the Worker dials', () => {
    const tunnelPort = /"TUNNEL_PORT":\s*"(\d+)"/.exec(config)?.[1];
    expect(tunnelPort).toBeDefined();
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE 3210 ${tunnelPort}$`, 'm'));
  });
});
