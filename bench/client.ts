/**
 * @module The benchmark client (bench/client, Rust): built with cargo from Debian's crates,
 * run once per command with a JSON config; its stdout is JSON lines (events), its stderr
 * progress. `onEvent` may answer an event (the client waits on stdin in `hold`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cargoBuild } from '../test/support/cargo.ts';

const project = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client');
const binary = path.join(project, 'target/release/bench-client');

export type ClientEvent = { event: string; endpoint?: string; error?: string | null } & Record<string, any>;

export async function buildClient(): Promise<void> {
  try {
    await cargoBuild(project);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`building bench/client failed (needs cargo and Debian's librust-tokio-postgres-dev, librust-tokio-dev, librust-futures-util-dev, librust-serde-json-dev; see README › Benchmarks):\n${err.stderr || err.message}`);
  }
}

export function runClient(command: string, config: object, onEvent?: (e: ClientEvent, child: ChildProcess) => void | Promise<void>): Promise<ClientEvent[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [command, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const events: ClientEvent[] = [];
    let buffered = '';
    let handling = Promise.resolve();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as ClientEvent;
        events.push(e);
        if (onEvent) handling = handling.then(() => onEvent(e, child));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => process.stderr.write(chunk));
    child.once('error', reject);
    child.once('close', async (code) => {
      await handling;
      const fatal = events.find((e) => e.event === 'fatal');
      if (code !== 0 || fatal) reject(new Error(`bench-client ${command}: ${fatal?.error ?? `exit code ${code}`}`));
      else resolve(events);
    });
  });
}
