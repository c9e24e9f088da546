/** @module int2, int4, int8 (exact over int64 as bigint) and oid: big-endian two's complement. */
import { OID } from '../../tunnel/oids.ts';
import type { SqlValue } from '../../tunnel/types.ts';
import { badBinary, withTextIO, type Codec } from './codec.ts';

const big = (v: SqlValue): bigint => (typeof v === 'bigint' ? v : BigInt(v as number | string | boolean));

function intCodec(oid: number, size: 2 | 4 | 8, unsigned = false): Codec {
  return withTextIO(oid, {
    encodeBinary(v) {
      const b = Buffer.allocUnsafe(size);
      const n = big(v);
      if (size === 8) b.writeBigInt64BE(BigInt.asIntN(64, n));
      else if (size === 4) unsigned ? b.writeUInt32BE(Number(BigInt.asUintN(32, n))) : b.writeInt32BE(Number(n));
      else b.writeInt16BE(Number(n));
      return b;
    },
    decodeBinary(b) {
      if (b.length !== size) return badBinary();
      if (size === 8) return b.readBigInt64BE();
      return BigInt(size === 2 ? b.readInt16BE() : unsigned ? b.readUInt32BE() : b.readInt32BE());
    },
  });
}

export const int2Codec = intCodec(OID.int2, 2);
export const int4Codec = intCodec(OID.int4, 4);
export const int8Codec = intCodec(OID.int8, 8);
export const oidCodec = intCodec(OID.oid, 4, true);
