import { defineConfig } from 'vitest/config';
import { cloudflareTest } from '@cloudflare/vitest-plugin';

// A required Worker secret (wrangler.jsonc), read from the environment; tests that need a
// particular one set it themselves.
process.env.INSTANCE_SECRET ??= '00'.repeat(32);

export default defineConfig({
  test: {
    projects: [
      {
        // Pure logic and real-socket tests, in Node.
        test: { name: 'node', include: ['test/node/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        // The engine and the Durable Object, inside workerd.
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.jsonc' } })],
        test: { name: 'workers', include: ['test/workers/**/*.test.ts'] },
      },
    ],
  },
});
