/**
 * @module Frontend bytes in, whole messages out; no sockets. Keeps at most one partial frame.
 * The startup phase has untyped packets; `startup = false` switches to typed messages.
 */
import type { PgError } from '../../tunnel/types.ts';
import type { FrontendMessage, StartupPacket } from './messages.ts';
import { ProtocolViolation, Reader } from './reader.ts';

/** PostgreSQL refuses messages over 1 GiB (PQ_LARGE_MESSAGE_LIMIT); so do we. */
export const MAX_MESSAGE = 1 << 30;

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
const MAX_STARTUP = 10000;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export function parseStartup(r: Reader): StartupPacket {
  const code = r.int32();
  if (code === SSL_REQUEST) return { type: 'sslRequest' };
  if (code === GSSENC_REQUEST) return { type: 'gssEncRequest' };
  if (code === CANCEL_REQUEST) return { type: 'cancelRequest', pid: r.int32(), secret: r.int32() };
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== 3) throw new ProtocolViolation(`unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`);
  const params: Record<string, string> = {};
  for (let key = r.cstring(); key !== ''; key = r.cstring()) params[key] = r.cstring();
  return { type: 'startup', major, minor, params };
}

function parseParse(r: Reader): FrontendMessage {
  const name = r.cstring();
  const sql = r.cstring();
  const paramOids = Array.from({ length: count(r) }, () => r.uint32());
  return { type: 'parse', name, sql, paramOids };
}

function parseBind(r: Reader): FrontendMessage {
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats = Array.from({ length: count(r) }, () => r.int16());
  const params = Array.from({ length: count(r) }, () => {
    const len = r.int32();
    return len === -1 ? null : r.bytes(len);
  });
  const resultFormats = Array.from({ length: count(r) }, () => r.int16());
  return { type: 'bind', portal, statement, paramFormats, params, resultFormats };
}

/** An int16 element count; negative is malformed. */
function count(r: Reader): number {
  const n = r.int16();
  if (n < 0) throw new ProtocolViolation('invalid message format');
  return n;
}

function parseTarget(r: Reader, what: 'describe' | 'close'): FrontendMessage {
  const kind = String.fromCharCode(r.byte());
  if (kind !== 'S' && kind !== 'P') throw new ProtocolViolation(`invalid ${what.toUpperCase()} message subtype ${kind.charCodeAt(0)}`);
  return { type: what, kind, name: r.cstring() };
}

function parseMessage(code: number, r: Reader): FrontendMessage {
  switch (code) {
    case 0x51: // Q
      return { type: 'query', sql: r.cstring() };
    case 0x50: // P
      return parseParse(r);
    case 0x42: // B
      return parseBind(r);
    case 0x44: // D
      return parseTarget(r, 'describe');
    case 0x43: // C
      return parseTarget(r, 'close');
    case 0x45: // E
      return { type: 'execute', portal: r.cstring(), maxRows: r.int32() };
    case 0x53: // S
      return { type: 'sync' };
    case 0x48: // H
      return { type: 'flush' };
    case 0x58: // X
      return { type: 'terminate' };
    case 0x70: // p
      return { type: 'password', data: r.bytes(r.remaining) };
    case 0x64: // d
      return { type: 'copyData', data: r.bytes(r.remaining) };
    case 0x63: // c
      return { type: 'copyDone' };
    case 0x66: // f
      return { type: 'copyFail', message: r.cstring() };
    default:
      throw new ProtocolViolation(`invalid frontend message type ${code}`);
  }
}

export class FrontendParser {
  /**
   * Unparsed bytes. Chunks are kept as a list and joined only once a whole frame is here, so a
   * large message arriving in many chunks costs linear, not quadratic, copying.
   */
  #chunks: Buffer[] = [];
  #size = 0;
  /** True until the StartupMessage: packets then carry no type byte. */
  startup = true;

  /**
   * Emits every whole message buffered so far. A protocol violation comes back as an 08P01
   * error value (and the buffer is dropped); the caller then closes the connection.
   */
  feed(chunk: Buffer, onMessage: (m: FrontendMessage | StartupPacket) => void): PgError | undefined {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    try {
      for (;;) {
        const header = this.startup ? 4 : 5;
        if (this.#size < header) break;
        if (this.#chunks[0].length < header) this.#join();
        const len = this.#chunks[0].readInt32BE(header - 4);
        if (len < 4 || len > (this.startup ? MAX_STARTUP : MAX_MESSAGE)) throw new ProtocolViolation(`invalid message length ${len}`);
        const total = header - 4 + len;
        if (this.#size < total) break;
        if (this.#chunks[0].length < total) this.#join();
        const buf = this.#chunks[0];
        const code = buf[0];
        // A copy, so long-lived parameter views do not pin the socket's chunk.
        const r = new Reader(Buffer.from(buf.subarray(header, total)));
        if (buf.length === total) this.#chunks.shift();
        else this.#chunks[0] = buf.subarray(total);
        this.#size -= total;
        const m = this.startup ? parseStartup(r) : parseMessage(code, r);
        r.end();
        onMessage(m);
      }
    } catch (err) {
      this.#chunks = [];
      this.#size = 0;
      if (err instanceof ProtocolViolation) return { severity: 'FATAL', sqlstate: '08P01', message: err.message };
      throw err;
    }
    return undefined;
  }

  #join(): void {
    this.#chunks = [Buffer.concat(this.#chunks, this.#size)];
  }

  /** Bytes held for a partial frame (tests check it drops them). */
  get pending(): number {
    return this.#size;
  }
}
