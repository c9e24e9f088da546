/**
 * @module timestamp and timestamptz: int64 microseconds since 2000-01-01 00:00 (UTC for
 * timestamptz) in binary; "2024-01-02 03:04:05.123456[+00]" as SqlValue.
 */
import { OID } from '../../tunnel/oids.ts';
import { formatTimestamp, parseTimestamp, timestampInRange } from '../../worker/engine/values/datetime.ts';
import { isPgError } from '../../worker/engine/values/index.ts';
import { badBinary, withTextIO, type Codec } from './codec.ts';

/** 2000-01-01 in microseconds since 1970-01-01, the engine's clock. */
export const PG_EPOCH_US = 946_684_800_000_000n;

function timestampCodec(oid: number): Codec {
  return withTextIO(oid, {
    encodeBinary(v) {
      const us = parseTimestamp(oid, String(v));
      if (isPgError(us)) throw new Error(`timestamp codec: not a canonical timestamp: ${String(v)}`);
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(us - PG_EPOCH_US);
      return b;
    },
    decodeBinary(b) {
      if (b.length !== 8) return badBinary();
      const us = b.readBigInt64BE() + PG_EPOCH_US;
      return timestampInRange(us) ? formatTimestamp(oid, us) : { sqlstate: '22008', message: 'timestamp out of range' };
    },
  });
}

export const timestampWithoutTzCodec = timestampCodec(OID.timestamp);
export const timestamptzCodec = timestampCodec(OID.timestamptz);
