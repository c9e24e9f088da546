/** @module Builds one backend message: chainable fields, then `flush(code)` fills in the length. */

export class Writer {
  #parts: Buffer[] = [];
  #size = 0;

  #push(b: Buffer): this {
    this.#parts.push(b);
    this.#size += b.length;
    return this;
  }

  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    return this.#push(b);
  }

  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    return this.#push(b);
  }

  uint32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(v);
    return this.#push(b);
  }

  byte(v: number): this {
    return this.#push(Buffer.from([v]));
  }

  cstring(s: string): this {
    return this.#push(Buffer.from(`${s}\0`, 'utf8'));
  }

  bytes(b: Uint8Array): this {
    return this.#push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }

  /** The whole message: code byte, int32 length (itself included), body. */
  flush(code: string): Buffer {
    const head = Buffer.allocUnsafe(5);
    head[0] = code.charCodeAt(0);
    head.writeInt32BE(4 + this.#size, 1);
    return Buffer.concat([head, ...this.#parts], 5 + this.#size);
  }
}
