/**
 * The engine microbenchmarks (workload 6) in workerd, outside `npm test`'s globs: run by
 * `npm run bench` as `vitest run --config bench/engine/vitest.config.ts`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default defineConfig({
  root,
  plugins: [
    cloudflareTest({
      wrangler: { configPath: path.join(root, 'wrangler.jsonc') },
      miniflare: { bindings: { BENCH_BATCHES: process.env.BENCH_BATCHES ?? '100', BENCH_QUICK: process.env.BENCH_QUICK ?? '0' } },
    }),
  ],
  test: { name: 'bench-engine', include: ['bench/engine/**/*.test.ts'], testTimeout: 600_000 },
});
