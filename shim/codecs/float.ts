/** @module float4 and float8: IEEE 754, big-endian. */
import { OID } from '../../tunnel/oids.ts';
import { badBinary, withTextIO, type Codec } from './codec.ts';

function floatCodec(oid: number, size: 4 | 8): Codec {
  return withTextIO(oid, {
    encodeBinary(v) {
      const b = Buffer.allocUnsafe(size);
      if (size === 4) b.writeFloatBE(Number(v));
      else b.writeDoubleBE(Number(v));
      return b;
    },
    decodeBinary: (b) => (b.length !== size ? badBinary() : size === 4 ? b.readFloatBE() : b.readDoubleBE()),
  });
}

export const float4Codec = floatCodec(OID.float4, 4);
export const float8Codec = floatCodec(OID.float8, 8);
