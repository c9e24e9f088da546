/**
 * @module COPY … FROM STDIN in the shim: PostgreSQL's binary COPY format parsed from CopyData
 * chunks (a row may span any number of chunks, a chunk any number of rows), each field
 * decoded by its column type's binary codec, rows shipped to the session in batches of about
 * COPY_BATCH_BYTES, then CopyDone applies them as one statement (or CopyFail discards them).
 * The DO's half is worker/engine/copy.ts; the frames are in docs/tunnel.md.
 */
import type { ExecuteReply, PgError, SqlSession, SqlValue, TxStatus } from '../tunnel/types.ts';
import { codecFor } from './codecs/index.ts';

/** Rows go to the session in batches of about this many bytes (well under a frame). */
export const COPY_BATCH_BYTES = 1024 * 1024;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags, header-extension length. */
const HEADER_SIZE = SIGNATURE.length + 8;

const badFormat = (message: string): PgError => ({ sqlstate: '22P04', message });

/**
 * Bytes received and not yet consumed, kept as the chunks they came in: a field is copied out
 * once, when all of it is here, so a large row over many chunks costs linear time.
 */
class ChunkQueue {
  #chunks: Buffer[] = [];
  #offset = 0;
  size = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The `n` bytes at `at` (relative to the unread start), without consuming them. */
  peek(at: number, n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    if (n === 0) return out;
    let pos = this.#offset + at;
    let i = 0;
    while (pos >= this.#chunks[i].length) pos -= this.#chunks[i++].length;
    for (let filled = 0; filled < n; i++, pos = 0) {
      filled += this.#chunks[i].copy(out, filled, pos, Math.min(this.#chunks[i].length, pos + n - filled));
    }
    return out;
  }

  take(n: number): Buffer {
    const out = this.peek(0, n);
    this.skip(n);
    return out;
  }

  skip(n: number): void {
    this.size -= n;
    this.#offset += n;
    while (this.#chunks.length && this.#offset >= this.#chunks[0].length) {
      this.#offset -= this.#chunks[0].length;
      this.#chunks.shift();
    }
  }
}

/** PostgreSQL's binary COPY format in, typed rows out. Pure: no sockets, no session. */
export class BinaryCopyParser {
  readonly #oids: number[];
  readonly #queue = new ChunkQueue();
  #state: 'header' | 'tuples' | 'trailer' = 'header';
  /** The row being read: its fields so far (null is SQL NULL). */
  #fields: (Buffer | null)[] | undefined;
  #line = 0;

  constructor(oids: number[]) {
    this.#oids = oids;
  }

  /** Consumes a chunk; `onRow` gets each whole row. A format or value error stops the COPY. */
  feed(chunk: Buffer, onRow: (row: SqlValue[], bytes: number) => void): PgError | undefined {
    const q = this.#queue;
    q.push(chunk);
    for (;;) {
      if (this.#state === 'trailer') return q.size > 0 ? badFormat('received copy data after EOF marker') : undefined;
      if (this.#state === 'header') {
        if (q.size < HEADER_SIZE) return undefined;
        const head = q.peek(0, HEADER_SIZE);
        if (!head.subarray(0, SIGNATURE.length).equals(SIGNATURE)) return badFormat('COPY file signature not recognized');
        const flags = head.readInt32BE(SIGNATURE.length);
        if (flags & (1 << 16)) return badFormat('invalid COPY file header (WITH OIDS)');
        if (flags >>> 17 !== 0) return badFormat('unrecognized critical flags in COPY file header');
        const extension = head.readInt32BE(SIGNATURE.length + 4);
        if (extension < 0) return badFormat('invalid COPY file header (missing length)');
        if (q.size < HEADER_SIZE + extension) return undefined;
        q.skip(HEADER_SIZE + extension);
        this.#state = 'tuples';
        continue;
      }
      if (!this.#fields) {
        if (q.size < 2) return undefined;
        const count = q.take(2).readInt16BE(0);
        if (count === -1) {
          this.#state = 'trailer';
          continue;
        }
        this.#line++;
        if (count !== this.#oids.length) return badFormat(`row field count is ${count}, expected ${this.#oids.length}`);
        this.#fields = [];
      }
      const fields = this.#fields;
      while (fields.length < this.#oids.length) {
        if (q.size < 4) return undefined;
        const len = q.peek(0, 4).readInt32BE(0);
        if (len < -1) return badFormat('invalid field size');
        if (len === -1) {
          q.skip(4);
          fields.push(null);
          continue;
        }
        if (q.size < 4 + len) return undefined;
        q.skip(4);
        fields.push(q.take(len));
      }
      this.#fields = undefined;
      const row: SqlValue[] = [];
      let bytes = 2;
      for (let i = 0; i < fields.length; i++) {
        const raw = fields[i];
        bytes += 4 + (raw?.length ?? 0);
        if (raw === null) {
          row.push(null);
          continue;
        }
        const v = codecFor(this.#oids[i]).decodeBinary(raw);
        if (v !== null && typeof v === 'object' && 'sqlstate' in v) {
          const where = `COPY line ${this.#line}, column ${i + 1}`;
          return v.sqlstate === '22P03' ? { ...v, message: 'incorrect binary data format', detail: where } : { ...v, detail: v.detail ?? where };
        }
        row.push(v as SqlValue);
      }
      onRow(row, bytes);
    }
  }

  /** At CopyDone: the data must end at a row boundary (the trailer is optional, as in PostgreSQL). */
  end(): PgError | undefined {
    if (this.#state === 'header') return badFormat('COPY file signature not recognized');
    if (this.#fields || this.#queue.size > 0) return badFormat('unexpected EOF in COPY data');
    return undefined;
  }
}

/** How a COPY ended: its tag, or its error and whether the shim raised it (not the session). */
export interface CopyOutcome {
  tag?: string;
  error?: PgError;
  raisedHere: boolean;
  txStatus: TxStatus;
}

type CopySession = Required<Pick<SqlSession, 'copyRows' | 'copyEnd'>>;

/** One COPY FROM STDIN between CopyInResponse and CopyDone/CopyFail. */
export class CopyFromStdin {
  readonly #session: CopySession;
  readonly #track: <T extends ExecuteReply>(p: Promise<T>) => Promise<T>;
  readonly #parser: BinaryCopyParser;
  readonly #txStatus: TxStatus;
  #batch: SqlValue[][] = [];
  #batchBytes = 0;
  /** Replies of the batches sent so far; any error among them fails the COPY at CopyDone. */
  #sent: Promise<ExecuteReply>[] = [];

  /** `track` counts session calls in flight, so the connection stops reading while they pile up. */
  constructor(session: CopySession, oids: number[], txStatus: TxStatus, track: <T extends ExecuteReply>(p: Promise<T>) => Promise<T>) {
    this.#session = session;
    this.#parser = new BinaryCopyParser(oids);
    this.#txStatus = txStatus;
    this.#track = track;
  }

  /** CopyData. An error ends the COPY (the caller then calls `abort`). */
  data(chunk: Buffer): PgError | undefined {
    return this.#parser.feed(chunk, (row, bytes) => {
      this.#batch.push(row);
      this.#batchBytes += bytes;
      if (this.#batchBytes >= COPY_BATCH_BYTES) this.#flush();
    });
  }

  #flush(): void {
    if (this.#batch.length === 0) return;
    this.#sent.push(this.#track(this.#session.copyRows(this.#batch)));
    this.#batch = [];
    this.#batchBytes = 0;
  }

  /** CopyDone: every batch accepted, then one statement applies them all. */
  async done(): Promise<CopyOutcome> {
    const bad = this.#parser.end();
    if (bad) return this.abort(bad);
    this.#flush();
    const failed = (await Promise.all(this.#sent)).find((r) => r.error);
    if (failed) return this.abort(failed.error!);
    const r = await this.#track(this.#session.copyEnd(true));
    return { tag: r.error ? undefined : (r.results[0]?.tag ?? 'COPY 0'), error: r.error, raisedHere: false, txStatus: r.txStatus };
  }

  /** CopyFail, a format error, or an unexpected message: the session discards the rows. */
  async abort(error: PgError): Promise<CopyOutcome> {
    this.#batch = [];
    await Promise.all(this.#sent);
    const r = await this.#track(this.#session.copyEnd(false));
    return { error: r.error?.severity === 'FATAL' ? r.error : error, raisedHere: true, txStatus: this.#txStatus };
  }
}

/** Whether a statement is a COPY (the DO parses it properly; this only routes it). */
export function isCopy(sql: string): boolean {
  return /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*copy\b/i.test(sql);
}
