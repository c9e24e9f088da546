/** @module bytea: raw bytes in binary; `\x` hex out and hex or escape in as text (engine value layer). */
import { OID } from '../../tunnel/oids.ts';
import { withTextIO } from './codec.ts';

export const byteaCodec = withTextIO(OID.bytea, {
  encodeBinary: (v) => v as Uint8Array,
  // A copy: the frame's buffer is not kept alive by one parameter.
  decodeBinary: (b) => new Uint8Array(b),
});
