/**
 * @module Decoding `Content-Encoding: aws-chunked` bodies, which AWS SDKs send when they stream
 * a body with a trailing checksum or sign it chunk by chunk:
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<size bytes>\r\n … 0[;…]\r\n[<name>:<value>\r\n]*\r\n
 *
 * Data passes through without copying; trailers (`x-amz-checksum-crc32`…) are collected for
 * whoever checks them once the body has ended. Chunk signatures are not checked: signed
 * streams come only from the container, whose requests we do not authenticate (see handler.ts).
 */

const CR = 13;
const LF = 10;
const MAX_LINE = 4096;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

export class AwsChunkedDecoder {
  readonly trailers = new Map<string, string>();
  /** Why decoding failed, set before the stream errors. */
  error: string | null = null;
  readonly stream: TransformStream<Uint8Array, Uint8Array>;
  private state: State = 'size';
  private line: number[] = [];
  private remaining = 0;

  constructor() {
    this.stream = new TransformStream({
      transform: (chunk, controller) => this.guard(() => this.feed(chunk, (data) => controller.enqueue(data))),
      flush: () =>
        this.guard(() => {
          if (this.state === 'done' || (this.state === 'trailer' && this.line.length === 0)) return;
          throw new Error('aws-chunked body ended inside a chunk');
        }),
    });
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  private feed(chunk: Uint8Array, emit: (data: Uint8Array) => void): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, chunk.length - i);
        emit(chunk.subarray(i, i + n));
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      if (this.state === 'done') throw new Error('aws-chunked body continues after its last chunk');
      // Line-oriented states: collect up to CRLF.
      const byte = chunk[i++]!;
      if (byte !== LF) {
        if (this.line.length >= MAX_LINE) throw new Error('aws-chunked line too long');
        this.line.push(byte);
        continue;
      }
      if (this.line.at(-1) !== CR) throw new Error('aws-chunked line not ended by CRLF');
      const text = String.fromCharCode(...this.line.slice(0, -1));
      this.line = [];
      this.endLine(text);
    }
  }

  private endLine(text: string): void {
    switch (this.state) {
      case 'size': {
        const size = text.split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(size)) throw new Error(`aws-chunked: bad chunk size ${JSON.stringify(size)}`);
        this.remaining = parseInt(size, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
        return;
      }
      case 'data-end':
        if (text !== '') throw new Error('aws-chunked: chunk longer than its size');
        this.state = 'size';
        return;
      case 'trailer': {
        if (text === '') {
          this.state = 'done';
          return;
        }
        const colon = text.indexOf(':');
        if (colon <= 0) throw new Error('aws-chunked: bad trailer line');
        this.trailers.set(text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim());
        return;
      }
      default:
        throw new Error(`aws-chunked: unexpected line in state ${this.state}`);
    }
  }
}
