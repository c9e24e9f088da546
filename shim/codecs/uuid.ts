/** @module uuid: 16 raw bytes in binary, the canonical 8-4-4-4-12 hex text as SqlValue. */
import { OID } from '../../tunnel/oids.ts';
import { badBinary, withTextIO } from './codec.ts';

export const uuidCodec = withTextIO(OID.uuid, {
  encodeBinary: (v) => Buffer.from(String(v).replaceAll('-', ''), 'hex'),
  decodeBinary(b) {
    if (b.length !== 16) return badBinary();
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  },
});
