/**
 * @module Byte primitives for tunnel frames: a growable writer and an offset reader over
 * Uint8Array/DataView. No Buffer, no platform imports: the shim and the DO share this file.
 */
import type { PgError, SqlValue } from './types.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Value tags on the wire (docs/tunnel.md, "Values"). */
export const Tag = {
  null: 0,
  false: 1,
  true: 2,
  int64: 3,
  float64: 4,
  text: 5,
  bytes: 6,
  array: 7,
} as const;

/** PostgreSQL ErrorResponse field codes, reused for PgError on the tunnel. */
const errorFields: ReadonlyArray<[string, keyof PgError]> = [
  ['S', 'severity'],
  ['C', 'sqlstate'],
  ['M', 'message'],
  ['D', 'detail'],
  ['H', 'hint'],
  ['P', 'position'],
  ['s', 'schema'],
  ['t', 'table'],
  ['c', 'column'],
  ['n', 'constraint'],
];

export class TunnelProtocolError extends Error {}

export class Writer {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  constructor(capacity = 256) {
    this.#buf = new Uint8Array(capacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#pos;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.#ensure(1);
    this.#view.setUint8(this.#pos, v);
    this.#pos += 1;
    return this;
  }

  u16(v: number): this {
    this.#ensure(2);
    this.#view.setUint16(this.#pos, v);
    this.#pos += 2;
    return this;
  }

  u32(v: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.#pos, v);
    this.#pos += 4;
    return this;
  }

  /** Overwrite a u32 written earlier (the frame length prefix). */
  patchU32(at: number, v: number): void {
    this.#view.setUint32(at, v);
  }

  i64(v: bigint): this {
    this.#ensure(8);
    this.#view.setBigInt64(this.#pos, v);
    this.#pos += 8;
    return this;
  }

  f64(v: number): this {
    this.#ensure(8);
    this.#view.setFloat64(this.#pos, v);
    this.#pos += 8;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
    return this;
  }

  bytes(bytes: Uint8Array): this {
    return this.u32(bytes.length).raw(bytes);
  }

  string(s: string): this {
    // Worst case 3 bytes per UTF-16 unit; encodeInto avoids a temporary copy.
    this.#ensure(4 + s.length * 3);
    const at = this.#pos;
    this.#pos += 4;
    const { written } = encoder.encodeInto(s, this.#buf.subarray(this.#pos));
    this.#view.setUint32(at, written);
    this.#pos += written;
    return this;
  }

  value(v: SqlValue): this {
    if (v === null) return this.u8(Tag.null);
    switch (typeof v) {
      case 'boolean':
        return this.u8(v ? Tag.true : Tag.false);
      case 'bigint':
        return this.u8(Tag.int64).i64(v);
      case 'number':
        return this.u8(Tag.float64).f64(v);
      case 'string':
        return this.u8(Tag.text).string(v);
    }
    if (v instanceof Uint8Array) return this.u8(Tag.bytes).bytes(v);
    if (Array.isArray(v)) {
      this.u8(Tag.array).u32(v.length);
      for (const e of v) this.value(e);
      return this;
    }
    throw new TypeError(`not a SqlValue: ${Object.prototype.toString.call(v)}`);
  }

  error(e: PgError): this {
    const present = errorFields.filter(([, key]) => e[key] !== undefined);
    this.u8(present.length);
    for (const [code, key] of present) this.u8(code.charCodeAt(0)).string(String(e[key]));
    return this;
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }
}

export class Reader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  #pos: number;
  readonly #end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#pos = start;
    this.#end = end;
  }

  get done(): boolean {
    return this.#pos >= this.#end;
  }

  #take(n: number): number {
    const at = this.#pos;
    if (at + n > this.#end) throw new TunnelProtocolError('frame truncated');
    this.#pos += n;
    return at;
  }

  u8(): number {
    return this.#view.getUint8(this.#take(1));
  }

  u16(): number {
    return this.#view.getUint16(this.#take(2));
  }

  u32(): number {
    return this.#view.getUint32(this.#take(4));
  }

  i64(): bigint {
    return this.#view.getBigInt64(this.#take(8));
  }

  f64(): number {
    return this.#view.getFloat64(this.#take(8));
  }

  raw(n: number): Uint8Array {
    const at = this.#take(n);
    // A copy, so a value never pins the whole receive buffer.
    return this.#buf.slice(at, at + n);
  }

  bytes(): Uint8Array {
    return this.raw(this.u32());
  }

  string(): string {
    const n = this.u32();
    const at = this.#take(n);
    try {
      return decoder.decode(this.#buf.subarray(at, at + n));
    } catch {
      throw new TunnelProtocolError('invalid UTF-8 in string');
    }
  }

  value(): SqlValue {
    const tag = this.u8();
    switch (tag) {
      case Tag.null:
        return null;
      case Tag.false:
        return false;
      case Tag.true:
        return true;
      case Tag.int64:
        return this.i64();
      case Tag.float64:
        return this.f64();
      case Tag.text:
        return this.string();
      case Tag.bytes:
        return this.bytes();
      case Tag.array: {
        const n = this.u32();
        const out: SqlValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.value());
        return out;
      }
    }
    throw new TunnelProtocolError(`unknown value tag ${tag}`);
  }

  error(): PgError {
    const n = this.u8();
    const e: Record<string, string | number> = {};
    for (let i = 0; i < n; i++) {
      const code = String.fromCharCode(this.u8());
      const text = this.string();
      const field = errorFields.find(([c]) => c === code);
      if (!field) continue; // unknown fields are ignored, for forward compatibility
      e[field[1]] = field[1] === 'position' ? Number(text) : text;
    }
    if (typeof e.sqlstate !== 'string' || typeof e.message !== 'string') {
      throw new TunnelProtocolError('error without sqlstate or message');
    }
    return e as unknown as PgError;
  }
}
