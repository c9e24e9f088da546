/**
 * @module text-like types (text, varchar, bpchar, name, char, regclass) and unknown OIDs: the
 * binary form is the UTF-8 text itself.
 */
import { formatText, isPgError, parseText } from '../../worker/engine/values/index.ts';
import { decodeUtf8, withTextIO, type Codec } from './codec.ts';

export function textLikeCodec(oid: number): Codec {
  return withTextIO(oid, {
    encodeBinary: (v) => Buffer.from(formatText(oid, v), 'utf8'),
    decodeBinary(b) {
      const s = decodeUtf8(b);
      return isPgError(s) ? s : parseText(oid, s);
    },
  });
}

/** A type the shim does not know: text passes through as a string for the engine to read. */
export function passThroughCodec(oid: number): Codec {
  return {
    encodeText: (v) => formatText(oid, v),
    decodeText: (t) => t,
    encodeBinary: (v) => Buffer.from(formatText(oid, v), 'utf8'),
    decodeBinary: (b) => decodeUtf8(b),
  };
}
