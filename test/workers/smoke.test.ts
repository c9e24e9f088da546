import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';

it('runs SQL in a Durable Object', async () => {
  const stub = env.DEPLOYMENT.get(env.DEPLOYMENT.idFromName('smoke'));
  expect(await stub.ping()).toBe('1');
});
