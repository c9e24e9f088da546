/** @module Reads a message body field by field, each call advancing an offset. */

/** The bytes do not form the message they claim to be (08P01, close the connection). */
export class ProtocolViolation extends Error {}

export class Reader {
  #pos = 0;
  readonly #buf: Buffer;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #need(n: number): void {
    if (n < 0 || this.#pos + n > this.#buf.length) throw new ProtocolViolation('invalid message format');
  }

  byte(): number {
    this.#need(1);
    return this.#buf[this.#pos++];
  }

  int16(): number {
    this.#need(2);
    const v = this.#buf.readInt16BE(this.#pos);
    this.#pos += 2;
    return v;
  }

  int32(): number {
    this.#need(4);
    const v = this.#buf.readInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  /** OIDs are unsigned on the wire. */
  uint32(): number {
    this.#need(4);
    const v = this.#buf.readUInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  cstring(): string {
    const end = this.#buf.indexOf(0, this.#pos);
    if (end < 0) throw new ProtocolViolation('invalid string in message');
    const s = this.#buf.toString('utf8', this.#pos, end);
    this.#pos = end + 1;
    return s;
  }

  /** A view, not a copy: the parser copies the frame once, so views stay valid. */
  bytes(n: number): Buffer {
    this.#need(n);
    const b = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return b;
  }

  /** PostgreSQL rejects trailing bytes after the last field too. */
  end(): void {
    if (this.#pos !== this.#buf.length) throw new ProtocolViolation('invalid message format');
  }
}
