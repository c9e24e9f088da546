/** @module json (binary = the text) and jsonb (binary = version byte 1, then the text). */
import { OID } from '../../tunnel/oids.ts';
import { isPgError, parseText } from '../../worker/engine/values/index.ts';
import { decodeUtf8, withTextIO } from './codec.ts';

export const jsonCodec = withTextIO(OID.json, {
  encodeBinary: (v) => Buffer.from(String(v), 'utf8'),
  decodeBinary(b) {
    const s = decodeUtf8(b);
    return isPgError(s) ? s : parseText(OID.json, s);
  },
});

export const jsonbCodec = withTextIO(OID.jsonb, {
  encodeBinary: (v) => Buffer.concat([Buffer.from([1]), Buffer.from(String(v), 'utf8')]),
  decodeBinary(b) {
    if (b.length < 1 || b[0] !== 1) return { sqlstate: '22P03', message: `unsupported jsonb version number ${b[0] ?? 'missing'}` };
    const s = decodeUtf8(b.subarray(1));
    return isPgError(s) ? s : parseText(OID.jsonb, s);
  },
});
