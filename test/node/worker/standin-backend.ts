/**
 * @module A Node HTTP/WebSocket server standing in for Convex's port 3210 behind the Worker
 * (the DO reaches it through CONTAINER_ORIGIN). It echoes what it received, and has two
 * streaming routes whose next step waits on the test, so a proxy that buffers a body makes the
 * test hang instead of passing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A promise with its resolver, for hand-offs between the test and the server. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export class StandinBackend {
  readonly server = http.createServer((req, res) => void this.#handle(req, res));
  readonly wss = new WebSocketServer({ noServer: true });
  readonly sockets: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
  /** Upload route: what has arrived so far, and tests waiting for some text to arrive. */
  uploaded = '';
  #uploadWaiters: Array<{ text: string; resolve: () => void }> = [];
  /** Download route: the server sends its second chunk once the test resolves this. */
  downloadGate = signal();

  async listen(): Promise<string> {
    this.server.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.#onSocket(ws, req));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once the upload route has received `text` (a proxy that buffers never lets it). */
  received(text: string): Promise<void> {
    if (this.uploaded.includes(text)) return Promise.resolve();
    return new Promise((resolve) => this.#uploadWaiters.push({ text, resolve }));
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  #onSocket(ws: WebSocket, req: http.IncomingMessage): void {
    this.sockets.push({ url: req.url ?? '', headers: req.headers });
    ws.send(JSON.stringify({ hello: req.url }));
    ws.on('message', (data, binary) => ws.send(binary ? data : `echo:${data.toString()}`, { binary }));
    ws.on('close', (code, reason) => this.closes.push({ code, reason: reason.toString() }));
  }

  readonly closes: Array<{ code: number; reason: string }> = [];

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url === '/version') return void res.end('standin-backend');
    if (url === '/hang-up') return void req.socket.destroy();
    if (url === '/upload-stream') {
      this.uploaded = '';
      for await (const chunk of req) {
        this.uploaded += (chunk as Buffer).toString();
        for (const w of this.#uploadWaiters.filter((w) => this.uploaded.includes(w.text))) {
          this.#uploadWaiters.splice(this.#uploadWaiters.indexOf(w), 1);
          w.resolve();
        }
      }
      return void res.end(JSON.stringify({ received: this.uploaded }));
    }
    if (url === '/download-stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      await this.downloadGate.promise;
      return void res.end('second');
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen: Seen = { method: req.method ?? '', url, headers: req.headers, body: Buffer.concat(chunks).toString() };
    res.writeHead(200, { 'content-type': 'application/json', 'x-standin': 'yes' });
    res.end(JSON.stringify(seen));
  }
}
