/** @module Backend (server → client) messages, one builder each; fixed ones built once. */
import type { Column, PgError, TxStatus } from '../../tunnel/types.ts';

/** A typed message: code byte, int32 length, body. */
function message(code: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = code.charCodeAt(0);
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf8');
}

function int32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(v);
  return b;
}

function int16(v: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(v);
  return b;
}

export const parseComplete = message('1');
export const bindComplete = message('2');
export const closeComplete = message('3');
export const noData = message('n');
export const portalSuspended = message('s');
export const emptyQueryResponse = message('I');
export const authenticationOk = message('R', int32(0));
export const authenticationCleartext = message('R', int32(3));

export function authenticationSasl(mechanisms: string[]): Buffer {
  return message('R', Buffer.concat([int32(10), ...mechanisms.map(cstr), Buffer.from([0])]));
}

export function authenticationSaslContinue(data: string): Buffer {
  return message('R', Buffer.concat([int32(11), Buffer.from(data, 'utf8')]));
}

export function authenticationSaslFinal(data: string): Buffer {
  return message('R', Buffer.concat([int32(12), Buffer.from(data, 'utf8')]));
}

export function parameterStatus(name: string, value: string): Buffer {
  return message('S', Buffer.concat([cstr(name), cstr(value)]));
}

export function backendKeyData(pid: number, secret: number): Buffer {
  return message('K', Buffer.concat([int32(pid), int32(secret)]));
}

export function negotiateProtocolVersion(minor: number, unrecognized: string[]): Buffer {
  return message('v', Buffer.concat([int32(minor), int32(unrecognized.length), ...unrecognized.map(cstr)]));
}

export function readyForQuery(status: TxStatus): Buffer {
  return message('Z', Buffer.from(status, 'latin1'));
}

export function commandComplete(tag: string): Buffer {
  return message('C', cstr(tag));
}

export function parameterDescription(oids: number[]): Buffer {
  return message('t', Buffer.concat([int16(oids.length), ...oids.map((o) => { const b = Buffer.allocUnsafe(4); b.writeUInt32BE(o); return b; })]));
}

export function rowDescription(columns: Column[], formats: number[]): Buffer {
  const parts: Buffer[] = [int16(columns.length)];
  columns.forEach((c, i) => {
    const fixed = Buffer.allocUnsafe(18);
    fixed.writeUInt32BE(c.tableOid, 0);
    fixed.writeInt16BE(c.attnum, 4);
    fixed.writeUInt32BE(c.typeOid, 6);
    fixed.writeInt16BE(typeSize(c.typeOid), 10);
    fixed.writeInt32BE(-1, 12);
    fixed.writeInt16BE(formats[i] ?? 0, 16);
    parts.push(cstr(c.name), fixed);
  });
  return message('T', Buffer.concat(parts));
}

/** pg_type.typlen, which RowDescription reports. */
function typeSize(oid: number): number {
  switch (oid) {
    case 16:
      return 1;
    case 21:
      return 2;
    case 23:
    case 26:
    case 700:
    case 1082:
      return 4;
    case 20:
    case 701:
    case 1114:
    case 1184:
      return 8;
    case 2950:
      return 16;
    default:
      return -1;
  }
}

export function dataRow(values: (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [int16(values.length)];
  for (const v of values) {
    if (v === null) parts.push(int32(-1));
    else parts.push(int32(v.length), v);
  }
  return message('D', Buffer.concat(parts));
}

/** ErrorResponse ('E') or NoticeResponse ('N') with every field PostgreSQL would send. */
export function errorOrNotice(e: PgError, notice = false): Buffer {
  const severity = e.severity ?? (notice ? 'NOTICE' : 'ERROR');
  const fields: [string, string | number | undefined][] = [
    ['S', severity],
    ['V', severity],
    ['C', e.sqlstate],
    ['M', e.message],
    ['D', e.detail],
    ['H', e.hint],
    ['P', e.position],
    ['s', e.schema],
    ['t', e.table],
    ['c', e.column],
    ['n', e.constraint],
  ];
  const parts = fields.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => Buffer.concat([Buffer.from(k), cstr(String(v))]));
  return message(notice ? 'N' : 'E', Buffer.concat([...parts, Buffer.from([0])]));
}
