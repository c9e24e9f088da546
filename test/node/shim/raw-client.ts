/**
 * A raw protocol client for tests: writes fixture bytes (bytes.ts) and reads backend messages
 * with its own small decoder, independent of the shim's writer, so binary results are checked
 * byte for byte (node-postgres mis-decodes binary results).
 */
import net from 'node:net';
import * as f from './bytes.ts';

export interface Msg {
  code: string;
  body: Buffer;
}

export class RawClient {
  readonly socket: net.Socket;
  #buf = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  ended = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, c]);
      this.#wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Connects, logs in with a cleartext password and reads up to the first ReadyForQuery. */
  static async login(port: number, password: string, params: Record<string, string> = { user: 'raw', database: 'db' }): Promise<{ c: RawClient; startup: Msg[] }> {
    const c = await RawClient.connect(port);
    c.send(f.startupPacket(params));
    const auth = await c.next();
    if (auth.code !== 'R') throw new Error(`expected an authentication request, got ${auth.code}`);
    // A reference PostgreSQL with trust auth says AuthenticationOk at once.
    if (auth.body.readInt32BE(0) === 0) return { c, startup: [auth, ...(await c.until('Z'))] };
    if (auth.body.readInt32BE(0) !== 3) throw new Error('expected cleartext auth');
    c.send(f.msg('p', f.bytes().cstring(password)));
    return { c, startup: await c.until('Z') };
  }

  send(...parts: Buffer[]): void {
    this.socket.write(Buffer.concat(parts));
  }

  async #wait(n: number): Promise<boolean> {
    while (this.#buf.length < n) {
      if (this.ended) return false;
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    return true;
  }

  /** One raw byte (the answer to SSLRequest and GSSENCRequest). */
  async byte(): Promise<string> {
    if (!(await this.#wait(1))) throw new Error('connection closed');
    const b = this.#buf.subarray(0, 1).toString('latin1');
    this.#buf = this.#buf.subarray(1);
    return b;
  }

  async next(): Promise<Msg> {
    if (!(await this.#wait(5))) throw new Error('connection closed');
    const len = this.#buf.readInt32BE(1);
    if (!(await this.#wait(1 + len))) throw new Error('connection closed mid-message');
    const m = { code: String.fromCharCode(this.#buf[0]), body: Buffer.from(this.#buf.subarray(5, 1 + len)) };
    this.#buf = this.#buf.subarray(1 + len);
    return m;
  }

  /** Messages up to and including the first with `code`. */
  async until(code: string): Promise<Msg[]> {
    const out: Msg[] = [];
    for (;;) {
      const m = await this.next();
      out.push(m);
      if (m.code === code) return out;
    }
  }

  /** Resolves once the server has closed the connection, with whatever was left unread. */
  async closed(): Promise<Buffer> {
    while (!this.ended) await new Promise<void>((r) => this.#waiters.push(r));
    return this.#buf;
  }

  end(): void {
    this.socket.end();
  }
}

/** ErrorResponse/NoticeResponse fields by code letter. */
export function fields(m: Msg): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (m.body[pos] !== 0) {
    const end = m.body.indexOf(0, pos + 1);
    out[String.fromCharCode(m.body[pos])] = m.body.toString('utf8', pos + 1, end);
    pos = end + 1;
  }
  return out;
}

/** DataRow values, null for SQL NULL. */
export function dataRow(m: Msg): (Buffer | null)[] {
  const n = m.body.readInt16BE(0);
  const out: (Buffer | null)[] = [];
  let pos = 2;
  for (let i = 0; i < n; i++) {
    const len = m.body.readInt32BE(pos);
    pos += 4;
    if (len === -1) out.push(null);
    else {
      out.push(m.body.subarray(pos, pos + len));
      pos += len;
    }
  }
  return out;
}

/** RowDescription as [name, type OID, format] per column. */
export function rowDescription(m: Msg): [string, number, number][] {
  const n = m.body.readInt16BE(0);
  const out: [string, number, number][] = [];
  let pos = 2;
  for (let i = 0; i < n; i++) {
    const end = m.body.indexOf(0, pos);
    const name = m.body.toString('utf8', pos, end);
    pos = end + 1;
    out.push([name, m.body.readUInt32BE(pos + 6), m.body.readInt16BE(pos + 16)]);
    pos += 18;
  }
  return out;
}

/** ParameterStatus messages as a record. */
export function parameterStatuses(messages: Msg[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of messages.filter((x) => x.code === 'S')) {
    const [k, v] = m.body.toString('utf8').split('\0');
    out[k] = v;
  }
  return out;
}
