/**
 * @module PostgreSQL binary send/recv formats ↔ SqlValue, per type OID. Text formats reuse the
 * engine's value layer (exact PostgreSQL text output); it is pure and shared by both sides.
 */
import { OID, elementTypeOf } from '../../tunnel/oids.ts';
import type { PgError, SqlValue } from '../../tunnel/types.ts';
import { formatDate, formatTimestamp, parseDate, parseTimestamp } from '../../worker/engine/values/datetime.ts';
import { formatText } from '../../worker/engine/values/index.ts';

/** PostgreSQL's epoch (2000-01-01) relative to Unix time. */
const PG_EPOCH_DAYS = 10957;
const PG_EPOCH_US = 946_684_800_000_000n;

export class BinaryFormatError extends Error {}

export function encodeText(oid: number, v: SqlValue): Buffer {
  return Buffer.from(formatText(oid, v), 'utf8');
}

function int(size: 2 | 4 | 8, v: SqlValue): Buffer {
  const b = Buffer.allocUnsafe(size);
  const n = typeof v === 'bigint' ? v : BigInt(v as number | string);
  if (size === 2) b.writeInt16BE(Number(n));
  else if (size === 4) b.writeInt32BE(Number(n));
  else b.writeBigInt64BE(n);
  return b;
}

export function encodeBinary(oid: number, v: SqlValue): Buffer {
  const element = elementTypeOf(oid);
  if (element !== undefined) return encodeArray(element, v as SqlValue[]);
  switch (oid) {
    case OID.bool:
      return Buffer.from([v ? 1 : 0]);
    case OID.int2:
      return int(2, v);
    case OID.int4:
      return int(4, v);
    case OID.int8:
      return int(8, v);
    case OID.oid: {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32BE(Number(v));
      return b;
    }
    case OID.float4: {
      const b = Buffer.allocUnsafe(4);
      b.writeFloatBE(Number(v));
      return b;
    }
    case OID.float8: {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(Number(v));
      return b;
    }
    case OID.bytea:
      return Buffer.from(v as Uint8Array);
    case OID.jsonb:
      return Buffer.concat([Buffer.from([1]), Buffer.from(String(v), 'utf8')]);
    case OID.uuid:
      return Buffer.from(String(v).replaceAll('-', ''), 'hex');
    case OID.date: {
      const days = parseDate(String(v));
      if (typeof days !== 'number') throw new BinaryFormatError(`bad date ${v}`);
      return int(4, BigInt(days - PG_EPOCH_DAYS));
    }
    case OID.timestamp:
    case OID.timestamptz: {
      const us = parseTimestamp(oid, String(v));
      if (typeof us !== 'bigint') throw new BinaryFormatError(`bad timestamp ${v}`);
      return int(8, us - PG_EPOCH_US);
    }
    case OID.numeric:
      return encodeNumeric(String(v));
    default:
      // text, varchar, bpchar, name, json, unknown: the binary form is the text.
      return encodeText(oid, v);
  }
}

/** Decode a binary parameter; a malformed one is 22P03, as PostgreSQL reports it. */
export function decodeBinary(oid: number, b: Buffer, paramIndex: number): SqlValue | PgError {
  const bad = (): PgError => ({ sqlstate: '22P03', message: `incorrect binary data format in bind parameter ${paramIndex + 1}` });
  const size = (n: number) => b.length === n;
  try {
    const element = elementTypeOf(oid);
    if (element !== undefined) return decodeArray(element, b, paramIndex);
    switch (oid) {
      case OID.bool:
        return size(1) ? b[0] !== 0 : bad();
      case OID.int2:
        return size(2) ? BigInt(b.readInt16BE()) : bad();
      case OID.int4:
        return size(4) ? BigInt(b.readInt32BE()) : bad();
      case OID.int8:
        return size(8) ? b.readBigInt64BE() : bad();
      case OID.oid:
        return size(4) ? BigInt(b.readUInt32BE()) : bad();
      case OID.float4:
        return size(4) ? b.readFloatBE() : bad();
      case OID.float8:
        return size(8) ? b.readDoubleBE() : bad();
      case OID.bytea:
        return new Uint8Array(b);
      case OID.jsonb:
        return b[0] === 1 ? b.toString('utf8', 1) : bad();
      case OID.uuid: {
        if (!size(16)) return bad();
        const h = b.toString('hex');
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      }
      case OID.date:
        return size(4) ? formatDate(b.readInt32BE() + PG_EPOCH_DAYS) : bad();
      case OID.timestamp:
      case OID.timestamptz:
        return size(8) ? formatTimestamp(oid, b.readBigInt64BE() + PG_EPOCH_US) : bad();
      case OID.numeric:
        return decodeNumeric(b);
      default: {
        const s = b.toString('utf8');
        return Buffer.from(s, 'utf8').equals(b) ? s : { sqlstate: '22021', message: 'invalid byte sequence for encoding "UTF8"' };
      }
    }
  } catch {
    return bad();
  }
}

function encodeArray(element: number, items: SqlValue[]): Buffer {
  const hasNull = items.some((v) => v === null);
  const head = Buffer.allocUnsafe(items.length ? 20 : 12);
  head.writeInt32BE(items.length ? 1 : 0, 0);
  head.writeInt32BE(hasNull ? 1 : 0, 4);
  head.writeUInt32BE(element, 8);
  if (items.length) {
    head.writeInt32BE(items.length, 12);
    head.writeInt32BE(1, 16);
  }
  const parts: Buffer[] = [head];
  for (const v of items) {
    if (v === null) {
      parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
      continue;
    }
    const e = encodeBinary(element, v);
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(e.length);
    parts.push(len, e);
  }
  return Buffer.concat(parts);
}

function decodeArray(element: number, b: Buffer, paramIndex: number): SqlValue[] | PgError {
  const ndim = b.readInt32BE(0);
  if (ndim === 0) return [];
  if (ndim !== 1) return { sqlstate: '0A000', message: 'multidimensional arrays are not supported' };
  const count = b.readInt32BE(12);
  let pos = 20;
  const out: SqlValue[] = [];
  for (let i = 0; i < count; i++) {
    const len = b.readInt32BE(pos);
    pos += 4;
    if (len === -1) {
      out.push(null);
      continue;
    }
    const v = decodeBinary(element, b.subarray(pos, pos + len), paramIndex);
    if (v !== null && typeof v === 'object' && 'sqlstate' in (v as object)) return v as PgError;
    out.push(v as SqlValue);
    pos += len;
  }
  return out;
}

/** numeric: int16 ndigits, weight, sign, dscale, then base-10000 digits. */
function encodeNumeric(text: string): Buffer {
  const head = Buffer.alloc(8);
  if (text === 'NaN') {
    head.writeUInt16BE(0xc000, 4);
    return head;
  }
  const neg = text.startsWith('-');
  const [ip, fp = ''] = (neg ? text.slice(1) : text).split('.');
  const intPart = ip.replace(/^0+/, '');
  const padInt = intPart.padStart(Math.ceil(intPart.length / 4) * 4, '0');
  const padFrac = fp.padEnd(Math.ceil(fp.length / 4) * 4, '0');
  let digits = [...(padInt + padFrac).matchAll(/\d{4}/g)].map((m) => Number(m[0]));
  let weight = padInt.length / 4 - 1;
  while (digits.length && digits[0] === 0) {
    digits.shift();
    weight--;
  }
  while (digits.length && digits[digits.length - 1] === 0) digits.pop();
  if (!digits.length) weight = 0;
  const out = Buffer.alloc(8 + digits.length * 2);
  out.writeInt16BE(digits.length, 0);
  out.writeInt16BE(weight, 2);
  out.writeUInt16BE(neg && digits.length ? 0x4000 : 0, 4);
  out.writeInt16BE(fp.length, 6);
  digits.forEach((d, i) => out.writeUInt16BE(d, 8 + i * 2));
  digits = [];
  return out;
}

function decodeNumeric(b: Buffer): string {
  const n = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (sign === 0xc000) return 'NaN';
  const digits: number[] = [];
  for (let i = 0; i < n; i++) digits.push(b.readUInt16BE(8 + i * 2));
  let intPart = '';
  for (let w = 0; w <= weight; w++) intPart += String(digits[w] ?? 0).padStart(4, '0');
  let frac = '';
  for (let i = Math.max(weight + 1, 0); i < n; i++) frac += String(digits[i]).padStart(4, '0');
  if (weight < -1) frac = '0'.repeat((-1 - weight) * 4) + frac;
  intPart = intPart.replace(/^0+/, '') || '0';
  frac = frac.padEnd(dscale, '0').slice(0, dscale);
  return `${sign === 0x4000 ? '-' : ''}${intPart}${dscale ? `.${frac}` : ''}`;
}
