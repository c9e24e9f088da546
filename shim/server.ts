/** @module The shim's PostgreSQL listener: accepts connections and routes CancelRequests. */
import net from 'node:net';
import type { SqlService } from '../tunnel/types.ts';
import { Connection } from './connection.ts';

export interface ShimOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  password: string;
  /** Default SCRAM-SHA-256; 'password' is cleartext (only for clients that cannot do SCRAM). */
  auth?: 'scram-sha-256' | 'password';
  service: SqlService;
}

export async function startShim(opts: ShimOptions): Promise<{ port: number; close(): Promise<void> }> {
  const connections = new Map<number, Connection>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const conn = new Connection(socket, {
      password: opts.password,
      auth: opts.auth ?? 'scram-sha-256',
      service: opts.service,
      onCancel: (pid, secret) => {
        const target = connections.get(pid);
        // Key mismatch: ignored silently, as PostgreSQL does.
        if (target && target.secret === secret) target.cancel();
      },
    });
    connections.set(conn.pid, conn);
    socket.on('close', () => {
      sockets.delete(socket);
      connections.delete(conn.pid);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      // Later accept errors (EMFILE…) cost that connection, not the process.
      server.on('error', () => {});
      resolve();
    });
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
