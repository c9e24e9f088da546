/**
 * container/entrypoint.sh with stand-ins: a fake shim (a Node TCP listener that logs its stop)
 * and a fake backend (a bash script that logs its arguments and signals). No Docker here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../support/free-port.ts';

const entrypoint = path.resolve('container/entrypoint.sh');

function setup(backendBody: string, shimDelayMs = 300) {
  const dir = mkdtempSync(path.join(tmpdir(), 'entrypoint-'));
  const log = path.join(dir, 'log');
  writeFileSync(
    path.join(dir, 'shim.mjs'),
    `import net from 'node:net'; import fs from 'node:fs';
     const log = (l) => fs.appendFileSync(${JSON.stringify(log)}, l + '\\n');
     log('shim start');
     setTimeout(() => { const s = net.createServer((c) => c.end()).listen(+process.env.SHIM_PORT, '127.0.0.1', () => log('shim listening'));
       process.on('SIGTERM', () => { log('shim stop'); s.close(); process.exit(0); }); }, ${shimDelayMs});`,
  );
  const backend = path.join(dir, 'backend.sh');
  writeFileSync(backend, `#!/bin/bash\nlog() { echo "$*" >> ${JSON.stringify(log)}; }\nlog "backend start $* url=$POSTGRES_URL ssl=$DO_NOT_REQUIRE_SSL"\n${backendBody}\n`);
  chmodSync(backend, 0o755);
  return { dir, log, backend };
}

async function run(backendBody: string, opts: { signalAfterMs?: number; shimDelayMs?: number } = {}) {
  const { dir, log, backend } = setup(backendBody, opts.shimDelayMs);
  const port = await freePort();
  const child = spawn('bash', [entrypoint, '--flag', 'x'], {
    env: { PATH: process.env.PATH, SHIM_PORT: String(port), SHIM_PASSWORD: 'pw', SHIM_BIN: `node ${path.join(dir, 'shim.mjs')}`, BACKEND_BIN: backend, SHIM_WAIT_SECONDS: '2' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (opts.signalAfterMs !== undefined) setTimeout(() => child.kill('SIGTERM'), opts.signalAfterMs);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { code, lines: readFileSync(log, 'utf8').trim().split('\n'), port };
}

describe('container/entrypoint.sh', () => {
  it('starts the shim first, turns SIGTERM into SIGINT for the backend, stops the shim last', async () => {
    const { code, lines, port } = await run(`trap 'log "backend got INT"; exit 0' INT\ntrap 'log "backend got TERM"; exit 9' TERM\nwhile true; do sleep 0.05; done`, { signalAfterMs: 1500 });
    expect(lines).toEqual([
      'shim start',
      'shim listening',
      `backend start --flag x url=postgresql://convex:pw@127.0.0.1:${port} ssl=1`,
      'backend got INT',
      'shim stop',
    ]);
    expect(code).toBe(0);
  });

  it("exits with the backend's exit code and still stops the shim", async () => {
    const { code, lines } = await run('exit 3');
    expect(lines.at(-1)).toBe('shim stop');
    expect(code).toBe(3);
  });

  it('fails when the shim never accepts connections, without starting the backend', async () => {
    const { code, lines } = await run('exit 0', { shimDelayMs: 60_000 });
    expect(code).toBe(1);
    expect(lines.some((l) => l.startsWith('backend'))).toBe(false);
  }, 15_000);
});
