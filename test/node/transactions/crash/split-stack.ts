/**
 * @module Our stack split for crash tests: workerd (the Worker and its Durable Object, via
 * wrangler's unstable_dev, persisted SQLite) runs under this process, the shim in a child
 * process (shim-process.ts). Either can be SIGKILLed on its own: miniflare restarts a killed
 * workerd on the same state, `restartShim()` starts a new shim on the same ports and secret,
 * and a supervisor asks the DO to dial the tunnel whenever it might be down.
 *
 * scripts/stack.ts runs all of this in one process, which cannot lose its shim alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_dev, type Unstable_DevWorker } from 'wrangler';
import { freePort } from '../../../support/free-port.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const PASSWORD = 'crash-test';

/** Child processes of `pid` named `name`, from /proc (Linux). */
function childrenNamed(pid: number, name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may contain spaces, so split after the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && comm === name) out.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return out;
}

/** Socket inodes of established TCP connections whose remote port is `port` (/proc/net/tcp). */
function establishedTo(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address rem_address st … inode: state 01 is ESTABLISHED.
      if (cols.length > 9 && cols[2]!.endsWith(`:${hexPort}`) && cols[3] === '01') inodes.add(cols[9]!);
    }
  }
  return inodes;
}

function ownsSocket(pid: number, inodes: Set<string>): boolean {
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' });
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!)) return true;
    }
  } catch {
    // Exited, or fds closing under us.
  }
  return false;
}

export class SplitStack {
  readonly url: string;
  readonly #stateDir: string;
  readonly #secret = randomBytes(32).toString('hex');
  readonly #tunnelPort: number;
  readonly #shimPort: number;
  #worker: Unstable_DevWorker | undefined;
  #shim: ChildProcess | undefined;
  #supervising = true;
  #supervisor: Promise<void> | undefined;

  private constructor(stateDir: string, tunnelPort: number, shimPort: number) {
    this.#stateDir = stateDir;
    this.#tunnelPort = tunnelPort;
    this.#shimPort = shimPort;
    this.url = `postgresql://convex:${PASSWORD}@127.0.0.1:${shimPort}/convex`;
  }

  static async start(stateDir: string): Promise<SplitStack> {
    const stack = new SplitStack(stateDir, await freePort(), await freePort());
    try {
      await stack.#startShim();
      await stack.#startWorker();
    } catch (e) {
      await stack.stop();
      throw e;
    }
    return stack;
  }

  async #startWorker(): Promise<void> {
    process.env.WRANGLER_SEND_METRICS ??= 'false';
    process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
    this.#worker = await unstable_dev(path.join(root, 'worker/index.ts'), {
      config: path.join(root, 'wrangler.jsonc'),
      persistTo: this.#stateDir,
      ip: '127.0.0.1',
      port: 0,
      inspect: false,
      logLevel: 'none',
      vars: { TUNNEL_ADDRESS: `127.0.0.1:${this.#tunnelPort}`, TUNNEL_SECRET: this.#secret },
      experimental: { disableExperimentalWarning: true, watch: false },
    });
    // connectTunnel is idempotent: asking every 250 ms brings the link back soon after any crash.
    this.#supervisor = (async () => {
      while (this.#supervising) {
        await this.#dial().catch(() => {});
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
  }

  async #dial(): Promise<void> {
    const res = await this.#worker!.fetch('/_local/tunnel', { method: 'POST', headers: { authorization: `Bearer ${this.#secret}` } });
    await res.body?.cancel();
  }

  async #startShim(): Promise<void> {
    const child = spawn(process.execPath, [path.join(here, 'shim-process.ts')], {
      env: { ...process.env, TUNNEL_PORT: String(this.#tunnelPort), TUNNEL_SECRET: this.#secret, SHIM_PORT: String(this.#shimPort), SHIM_PASSWORD: PASSWORD },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#shim = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the shim process exited (${code}) before it was ready`)));
    });
  }

  /** SIGKILLs the shim process; resolves once it is gone. */
  async killShim(): Promise<void> {
    const child = this.#shim!;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    this.#shim = undefined;
  }

  /** A new shim process on the same ports and secret. */
  async restartShim(): Promise<void> {
    await this.#startShim();
  }

  /**
   * SIGKILLs the workerd that runs the Durable Object; miniflare restarts it on the same state.
   * unstable_dev runs two workerd children (a proxy and the Worker); the DO's is the one holding
   * the tunnel connection to the shim.
   */
  killWorkerd(): number {
    const tunnelSockets = establishedTo(this.#tunnelPort);
    const pids = childrenNamed(process.pid, 'workerd').filter((pid) => ownsSocket(pid, tunnelSockets));
    if (pids.length !== 1) throw new Error(`expected one workerd holding the tunnel, found ${pids.length}`);
    process.kill(pids[0]!, 'SIGKILL');
    return pids[0]!;
  }

  async stop(): Promise<void> {
    this.#supervising = false;
    await this.#supervisor;
    if (this.#shim) await this.killShim();
    await this.#worker?.stop();
  }
}
