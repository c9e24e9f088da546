/** @module date: int32 days since 2000-01-01 in binary; 'YYYY-MM-DD' as SqlValue. */
import { OID } from '../../tunnel/oids.ts';
import { formatDate, parseDate } from '../../worker/engine/values/datetime.ts';
import { isPgError } from '../../worker/engine/values/index.ts';
import { badBinary, withTextIO } from './codec.ts';

/** 2000-01-01 in days since 1970-01-01, the engine's day count. */
export const PG_EPOCH_DAYS = 10957;

export const dateCodec = withTextIO(OID.date, {
  encodeBinary(v) {
    const days = parseDate(String(v));
    if (isPgError(days)) throw new Error(`date codec: not a canonical date: ${String(v)}`);
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(days - PG_EPOCH_DAYS);
    return b;
  },
  decodeBinary: (b) => (b.length === 4 ? formatDate(b.readInt32BE() + PG_EPOCH_DAYS) : badBinary()),
});
