/**
 * @module Runs the engine microbenchmarks (micro.test.ts) in workerd through vitest with this
 * folder's config, and returns the JSON line they print.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function runEngineMicro(opts: { quick: boolean; batches: number }): Promise<{ result?: any; error?: string }> {
  const vitest = path.join(root, 'node_modules/.bin/vitest');
  return new Promise((resolve) => {
    execFile(
      vitest,
      ['run', '--config', 'bench/engine/vitest.config.ts'],
      {
        cwd: root,
        env: { ...process.env, BENCH_QUICK: opts.quick ? '1' : '0', BENCH_BATCHES: String(opts.batches), FORCE_COLOR: '0', NO_COLOR: '1' },
        maxBuffer: 64 << 20,
        timeout: 900_000,
      },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('BENCH_ENGINE '));
        if (line) return resolve({ result: JSON.parse(line.slice('BENCH_ENGINE '.length)) });
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
        resolve({ error: `${err?.message ?? 'no result line'}\n${tail}` });
      },
    );
  });
}
