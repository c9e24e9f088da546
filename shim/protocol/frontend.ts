/**
 * @module Frontend (client → server) messages: their types and a streaming parser. Bytes in,
 * whole messages out; no sockets. The startup phase (untyped packets) is parsed separately.
 */

export type FrontendMessage =
  | { type: 'query'; sql: string }
  | { type: 'parse'; name: string; sql: string; paramOids: number[] }
  | { type: 'bind'; portal: string; statement: string; paramFormats: number[]; params: (Buffer | null)[]; resultFormats: number[] }
  | { type: 'describe'; kind: 'S' | 'P'; name: string }
  | { type: 'execute'; portal: string; maxRows: number }
  | { type: 'close'; kind: 'S' | 'P'; name: string }
  | { type: 'sync' }
  | { type: 'flush' }
  | { type: 'terminate' }
  | { type: 'password'; data: Buffer }
  | { type: 'copyData'; data: Buffer }
  | { type: 'copyDone' }
  | { type: 'copyFail'; message: string };

export type StartupPacket =
  | { type: 'ssl' }
  | { type: 'gssenc' }
  | { type: 'cancel'; pid: number; secret: number }
  | { type: 'startup'; major: number; minor: number; params: Record<string, string> };

/** Messages larger than this are a protocol violation (PostgreSQL's own cap is 1 GiB). */
export const MAX_MESSAGE = 1024 * 1024 * 1024;

export class ProtocolViolation extends Error {}

class Cursor {
  pos = 0;
  readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ProtocolViolation('message truncated');
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new ProtocolViolation('unterminated string');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

export function parseStartup(body: Buffer): StartupPacket {
  const c = new Cursor(body);
  const code = c.int32();
  if (code === 80877103) return { type: 'ssl' };
  if (code === 80877104) return { type: 'gssenc' };
  if (code === 80877102) return { type: 'cancel', pid: c.int32(), secret: c.int32() };
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== 3) throw new ProtocolViolation(`unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`);
  const params: Record<string, string> = {};
  for (;;) {
    const key = c.cstring();
    if (key === '') break;
    params[key] = c.cstring();
  }
  return { type: 'startup', major, minor, params };
}

function parseBody(code: number, body: Buffer): FrontendMessage {
  const c = new Cursor(body);
  switch (String.fromCharCode(code)) {
    case 'Q':
      return { type: 'query', sql: c.cstring() };
    case 'P': {
      const name = c.cstring();
      const sql = c.cstring();
      const n = c.int16();
      const paramOids: number[] = [];
      for (let i = 0; i < n; i++) paramOids.push(c.uint32());
      return { type: 'parse', name, sql, paramOids };
    }
    case 'B': {
      const portal = c.cstring();
      const statement = c.cstring();
      const nf = c.int16();
      const paramFormats: number[] = [];
      for (let i = 0; i < nf; i++) paramFormats.push(c.int16());
      const np = c.int16();
      const params: (Buffer | null)[] = [];
      for (let i = 0; i < np; i++) {
        const len = c.int32();
        params.push(len === -1 ? null : c.bytes(len));
      }
      const nr = c.int16();
      const resultFormats: number[] = [];
      for (let i = 0; i < nr; i++) resultFormats.push(c.int16());
      return { type: 'bind', portal, statement, paramFormats, params, resultFormats };
    }
    case 'D':
    case 'C': {
      const kind = String.fromCharCode(c.byte());
      if (kind !== 'S' && kind !== 'P') throw new ProtocolViolation(`invalid ${code === 68 ? 'DESCRIBE' : 'CLOSE'} message subtype ${kind}`);
      return { type: code === 68 ? 'describe' : 'close', kind, name: c.cstring() };
    }
    case 'E':
      return { type: 'execute', portal: c.cstring(), maxRows: c.int32() };
    case 'S':
      return { type: 'sync' };
    case 'H':
      return { type: 'flush' };
    case 'X':
      return { type: 'terminate' };
    case 'p':
      return { type: 'password', data: body };
    case 'd':
      return { type: 'copyData', data: body };
    case 'c':
      return { type: 'copyDone' };
    case 'f':
      return { type: 'copyFail', message: c.cstring() };
    default:
      throw new ProtocolViolation(`invalid frontend message type ${code}`);
  }
}

/**
 * Splits a byte stream into messages. In the startup phase packets have no type byte.
 * Keeps at most one partial message; throws ProtocolViolation on malformed input.
 */
export class FrontendParser {
  #pending: Buffer = Buffer.alloc(0);
  startup = true;

  feed(chunk: Buffer, onStartup: (p: StartupPacket) => void, onMessage: (m: FrontendMessage) => void): void {
    let buf = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const header = this.startup ? 4 : 5;
      if (buf.length - pos < header) break;
      const len = buf.readInt32BE(pos + header - 4);
      if (len < 4 || len > MAX_MESSAGE) throw new ProtocolViolation(`invalid message length ${len}`);
      const total = header - 4 + len;
      if (buf.length - pos < total) break;
      const body = buf.subarray(pos + header, pos + total);
      if (this.startup) {
        onStartup(parseStartup(body));
      } else {
        onMessage(parseBody(buf[pos], body));
      }
      pos += total;
    }
    this.#pending = pos === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
    buf = this.#pending;
  }
}
