/** @module Backend messages to bytes: one writer per message; bodyless ones built once. */
import type { Column, PgError } from '../../tunnel/types.ts';
import type { BackendMessage } from './messages.ts';
import { Writer } from './writer.ts';

export const parseComplete = new Writer().flush('1');
export const bindComplete = new Writer().flush('2');
export const closeComplete = new Writer().flush('3');
export const noData = new Writer().flush('n');
export const portalSuspended = new Writer().flush('s');
export const emptyQueryResponse = new Writer().flush('I');
export const authenticationOk = new Writer().int32(0).flush('R');
export const authenticationCleartextPassword = new Writer().int32(3).flush('R');
const readyIdle = new Writer().byte(0x49).flush('Z');

/** pg_type.typlen, which RowDescription reports. */
const typeSizes: ReadonlyMap<number, number> = new Map([
  [16, 1], [21, 2], [23, 4], [26, 4], [700, 4], [1082, 4], [20, 8], [701, 8], [1083, 8], [1114, 8], [1184, 8], [2950, 16],
]);

export function writeRowDescription(columns: Column[], formats: number[]): Buffer {
  const w = new Writer().int16(columns.length);
  columns.forEach((c, i) => {
    w.cstring(c.name).uint32(c.tableOid).int16(c.attnum).uint32(c.typeOid).int16(typeSizes.get(c.typeOid) ?? -1).int32(-1);
    w.int16(formatAt(formats, i));
  });
  return w.flush('T');
}

export function writeDataRow(values: (Uint8Array | null)[]): Buffer {
  const w = new Writer().int16(values.length);
  for (const v of values) {
    if (v === null) w.int32(-1);
    else w.int32(v.length).bytes(v);
  }
  return w.flush('D');
}

/** ErrorResponse ('E') or NoticeResponse ('N') with every field that is set. */
export function writeErrorOrNotice(e: PgError, code: 'E' | 'N'): Buffer {
  const severity = e.severity ?? (code === 'E' ? 'ERROR' : 'NOTICE');
  const fields: [string, string | number | undefined][] = [
    ['S', severity], ['V', severity], ['C', e.sqlstate], ['M', e.message], ['D', e.detail], ['H', e.hint], ['P', e.position],
    ['s', e.schema], ['t', e.table], ['c', e.column], ['n', e.constraint],
  ];
  const w = new Writer();
  for (const [k, v] of fields) if (v !== undefined && v !== '') w.byte(k.charCodeAt(0)).cstring(String(v));
  return w.byte(0).flush(code);
}

/** The format code of column or parameter i under the protocol's 0/1/N rule. */
export function formatAt(formats: number[], i: number): number {
  return formats.length === 0 ? 0 : formats.length === 1 ? formats[0] : (formats[i] ?? 0);
}

export function writeMessage(m: BackendMessage): Buffer {
  switch (m.type) {
    case 'authenticationOk':
      return authenticationOk;
    case 'authenticationCleartextPassword':
      return authenticationCleartextPassword;
    case 'authenticationSasl': {
      const w = new Writer().int32(10);
      for (const mech of m.mechanisms) w.cstring(mech);
      return w.byte(0).flush('R');
    }
    case 'authenticationSaslContinue':
      return new Writer().int32(11).bytes(Buffer.from(m.data, 'utf8')).flush('R');
    case 'authenticationSaslFinal':
      return new Writer().int32(12).bytes(Buffer.from(m.data, 'utf8')).flush('R');
    case 'parameterStatus':
      return new Writer().cstring(m.name).cstring(m.value).flush('S');
    case 'backendKeyData':
      return new Writer().int32(m.pid).int32(m.secret).flush('K');
    case 'negotiateProtocolVersion': {
      const w = new Writer().int32(m.minor).int32(m.unrecognized.length);
      for (const o of m.unrecognized) w.cstring(o);
      return w.flush('v');
    }
    case 'readyForQuery':
      return m.status === 'I' ? readyIdle : new Writer().byte(m.status.charCodeAt(0)).flush('Z');
    case 'parseComplete':
      return parseComplete;
    case 'bindComplete':
      return bindComplete;
    case 'closeComplete':
      return closeComplete;
    case 'noData':
      return noData;
    case 'portalSuspended':
      return portalSuspended;
    case 'emptyQueryResponse':
      return emptyQueryResponse;
    case 'parameterDescription': {
      const w = new Writer().int16(m.oids.length);
      for (const o of m.oids) w.uint32(o);
      return w.flush('t');
    }
    case 'rowDescription':
      return writeRowDescription(m.columns, m.formats);
    case 'dataRow':
      return writeDataRow(m.values);
    case 'copyInResponse': {
      const w = new Writer().byte(m.format).int16(m.columnFormats.length);
      for (const f of m.columnFormats) w.int16(f);
      return w.flush('G');
    }
    case 'commandComplete':
      return new Writer().cstring(m.tag).flush('C');
    case 'error':
      return writeErrorOrNotice(m.error, 'E');
    case 'notice':
      return writeErrorOrNotice(m.notice, 'N');
  }
}
