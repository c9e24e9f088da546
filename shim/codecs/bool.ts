/** @module bool: one byte, 0 or 1. */
import { OID } from '../../tunnel/oids.ts';
import { badBinary, withTextIO } from './codec.ts';

export const boolCodec = withTextIO(OID.bool, {
  encodeBinary: (v) => new Uint8Array([v ? 1 : 0]),
  decodeBinary: (b) => (b.length === 1 ? b[0] !== 0 : badBinary()),
});
