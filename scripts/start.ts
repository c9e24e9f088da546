/**
 * @module `npm start`: the whole stack on this machine, no Docker. Prints one line with the
 * connection string when ready; Ctrl-C or SIGTERM stops everything; data persists in STATE_DIR.
 */
import { startStack } from './stack.ts';

/** Development default, documented in README; set SHIM_PASSWORD for anything else. */
const DEV_PASSWORD = 'convex';

const stack = await startStack({
  stateDir: process.env.STATE_DIR ?? '.wrangler/state',
  host: process.env.SHIM_HOST ?? '127.0.0.1',
  shimPort: Number(process.env.SHIM_PORT ?? 5432),
  password: process.env.SHIM_PASSWORD || DEV_PASSWORD,
  log: process.env.DEBUG ? (line) => console.error(line) : undefined,
});
const shown = stack.url.replace(/:[^:@/]*@/, ':$SHIM_PASSWORD@');
console.log(`ready: ${process.env.SHIM_PASSWORD ? shown : stack.url}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  });
}
