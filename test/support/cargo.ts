/**
 * @module Release builds of this repository's Rust programs (test/rust-client, bench/client):
 * rustup's cargo when the machine has one, else Debian's, offline against Debian's crates.
 */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export async function cargoBuild(project: string): Promise<void> {
  const env = { ...process.env, PATH: `${path.join(homedir(), '.cargo/bin')}:${process.env.PATH}` };
  // cwd matters: cargo finds .cargo/config.toml (the offline Debian registry) from there.
  await promisify(execFile)('cargo', ['build', '--release', '--quiet', '--locked'], { cwd: project, env, maxBuffer: 16 << 20 });
}
