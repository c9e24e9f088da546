/**
 * @module What a codec is: one PostgreSQL type's text I/O and send/recv, between wire bytes and
 * SqlValue. Text I/O is the engine's value layer (the exact PostgreSQL forms, pure and shared by
 * both sides of the tunnel); binary is per family, in the files beside this one.
 */
import type { PgError, SqlValue } from '../../tunnel/types.ts';
import { formatText, parseText } from '../../worker/engine/values/index.ts';

export interface Codec {
  /** Text output of a non-NULL value. */
  encodeText(v: SqlValue): string;
  /** Text input; a bad literal is PostgreSQL's error for it (22P02…). */
  decodeText(text: string): SqlValue | PgError;
  /** The type's send function. */
  encodeBinary(v: SqlValue): Uint8Array;
  /** The type's recv function; malformed bytes are 22P03. */
  decodeBinary(b: Buffer): SqlValue | PgError;
}

export type BinaryCodec = Pick<Codec, 'encodeBinary' | 'decodeBinary'>;

/** The caller names the parameter (PostgreSQL: "… in bind parameter 2"). */
export const badBinary = (): PgError => ({ sqlstate: '22P03', message: 'incorrect binary data format' });

/** A full codec for `oid` from its binary half and the shared text I/O. */
export function withTextIO(oid: number, binary: BinaryCodec): Codec {
  return { encodeText: (v) => formatText(oid, v), decodeText: (t) => parseText(oid, t), ...binary };
}

/** A fixed-size value's bytes, or undefined when the length is wrong. */
export function sized(b: Buffer, n: number): Buffer | undefined {
  return b.length === n ? b : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 (PostgreSQL rejects invalid sequences with 22021). */
export function decodeUtf8(b: Uint8Array): string | PgError {
  try {
    return utf8.decode(b);
  } catch {
    return { sqlstate: '22021', message: 'invalid byte sequence for encoding "UTF8"' };
  }
}
