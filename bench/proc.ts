/**
 * @module Readings from /proc (Linux) of the processes under test: this process (the shim,
 * in-process as `npm start` runs it), workerd (the Durable Object's process) and a PostgreSQL
 * server with its backends. Memory as RSS (PSS for PostgreSQL, so shared buffers count once)
 * and CPU time used.
 */
import { readdirSync, readFileSync } from 'node:fs';

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** kB of a /proc status or smaps_rollup field, or 0 when the process is gone. */
function field(file: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(read(file) ?? '');
  return m ? Number(m[1]) : 0;
}

function processes(): { pid: number; ppid: number; comm: string; cmdline: string }[] {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    // comm is parenthesised and may hold spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    out.push({ pid: Number(name), ppid, comm, cmdline: (read(`/proc/${name}/cmdline`) ?? '').replaceAll('\0', ' ') });
  }
  return out;
}

function descendants(root: number, all = processes()): number[] {
  const found = [root];
  for (let i = 0; i < found.length; i++) for (const p of all) if (p.ppid === found[i]) found.push(p.pid);
  return found;
}

export const rssMiB = (pid: number) => field(`/proc/${pid}/status`, 'VmRSS') / 1024;

/** The workerd processes this process started (miniflare's). */
export function workerdPids(): number[] {
  const all = processes();
  const mine = new Set(descendants(process.pid, all));
  return all.filter((p) => mine.has(p.pid) && p.comm.startsWith('workerd')).map((p) => p.pid);
}

/** The postmaster listening on `port` and all its children. */
export function postgresPids(port: number): number[] {
  const all = processes();
  const postmaster = all.find((p) => p.comm === 'postgres' && new RegExp(`-p ${port}\\b`).test(p.cmdline));
  return postmaster ? descendants(postmaster.pid, all) : [];
}

export const pssMiB = (pids: number[]) => pids.reduce((sum, pid) => sum + field(`/proc/${pid}/smaps_rollup`, 'Pss'), 0) / 1024;
export const totalRssMiB = (pids: number[]) => pids.reduce((sum, pid) => sum + rssMiB(pid), 0);

/** CPU milliseconds (user + system) the processes have used so far. */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]);
  }
  // Linux reports clock ticks; USER_HZ is 100 on every mainstream architecture.
  return ticks * 10;
}

/** Samples `read()` every few milliseconds until stopped; returns the peak. */
export function sampler(read: () => number, everyMs = 20): { stop(): number } {
  let peak = read();
  const timer = setInterval(() => (peak = Math.max(peak, read())), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, read());
    },
  };
}
