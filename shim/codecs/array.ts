/**
 * @module 1-D arrays. Binary: int32 ndim, int32 has-null flag, element OID, then per dimension
 * int32 size and lower bound, then each element as int32 length (-1 for NULL) and its bytes.
 * Text: `{1,NULL,"a b"}` with PostgreSQL's quoting (engine value layer).
 */
import type { PgError, SqlValue } from '../../tunnel/types.ts';
import { formatText, isPgError, parseText } from '../../worker/engine/values/index.ts';
import { badBinary, type Codec } from './codec.ts';

export function arrayCodec(oid: number, elementOid: number, element: Codec): Codec {
  return {
    encodeText: (v) => formatText(oid, v),
    decodeText: (t) => parseText(oid, t),
    encodeBinary(v) {
      const items = v as SqlValue[];
      const head = Buffer.alloc(items.length ? 20 : 12);
      head.writeInt32BE(items.length ? 1 : 0, 0);
      head.writeInt32BE(items.some((x) => x === null) ? 1 : 0, 4);
      head.writeUInt32BE(elementOid, 8);
      if (items.length) {
        head.writeInt32BE(items.length, 12);
        head.writeInt32BE(1, 16);
      }
      const parts: Uint8Array[] = [head];
      for (const item of items) {
        const len = Buffer.allocUnsafe(4);
        if (item === null) {
          len.writeInt32BE(-1);
          parts.push(len);
          continue;
        }
        const bytes = element.encodeBinary(item);
        len.writeInt32BE(bytes.length);
        parts.push(len, bytes);
      }
      return Buffer.concat(parts);
    },
    decodeBinary(b) {
      if (b.length < 12) return badBinary();
      const ndim = b.readInt32BE(0);
      const flags = b.readInt32BE(4);
      if (b.readUInt32BE(8) !== elementOid) return { sqlstate: '42804', message: 'wrong element type' };
      if (ndim === 0) return b.length === 12 ? [] : badBinary();
      if (ndim !== 1) return { sqlstate: '0A000', message: 'multidimensional arrays are not supported' };
      if ((flags !== 0 && flags !== 1) || b.length < 20) return badBinary();
      const count = b.readInt32BE(12);
      let pos = 20;
      const out: SqlValue[] = [];
      for (let i = 0; i < count; i++) {
        if (pos + 4 > b.length) return badBinary();
        const len = b.readInt32BE(pos);
        pos += 4;
        if (len === -1) {
          out.push(null);
          continue;
        }
        if (len < 0 || pos + len > b.length) return badBinary();
        const v: SqlValue | PgError = element.decodeBinary(b.subarray(pos, pos + len));
        if (isPgError(v)) return v;
        out.push(v);
        pos += len;
      }
      return pos === b.length ? out : badBinary();
    },
  };
}
