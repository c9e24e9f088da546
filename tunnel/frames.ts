/**
 * @module Tunnel frames (docs/tunnel.md): typed messages, their encoding, and a streaming
 * parser that turns byte chunks into whole frames. Pure: shared by the shim and the DO.
 */
import { Reader, TunnelProtocolError, Writer } from './codec.ts';
import type {
  Column,
  Description,
  ExecuteReply,
  PgError,
  PrepareReply,
  SessionInfo,
  SqlValue,
  StatementResult,
  TxStatus,
} from './types.ts';

/** Bumped on any incompatible change; both ends refuse a mismatch at the handshake. */
export const TUNNEL_VERSION = 1;
/** Header: u32 length, u8 type, u32 session, u32 request. The length counts what follows it. */
export const HEADER_SIZE = 13;
/** A frame larger than this is a protocol error (row batches are split well below it). */
export const MAX_FRAME = 256 * 1024 * 1024;
/** Row batches are cut at about this many encoded bytes. */
export const ROW_BATCH_BYTES = 1024 * 1024;

export const FrameType = {
  // link (session 0)
  challenge: 0x01,
  hello: 0x02,
  welcome: 0x03,
  drain: 0x04,
  ping: 0x05,
  pong: 0x06,
  // requests, shim → DO
  open: 0x10,
  close: 0x11,
  prepare: 0x12,
  execute: 0x13,
  query: 0x14,
  cancel: 0x15,
  copyBegin: 0x16,
  copyRows: 0x17,
  copyEnd: 0x18,
  // replies, DO → shim
  columns: 0x20,
  rows: 0x21,
  complete: 0x22,
  done: 0x23,
  /** The DO ended a session on its own (idle-in-transaction timeout): no request, request id 0. */
  ended: 0x24,
} as const;

type Ids = { session: number; request: number };

export type Frame =
  | { type: 'challenge'; version: number; nonce: Uint8Array; instance: string }
  | { type: 'hello'; version: number; proof: Uint8Array }
  | { type: 'welcome' }
  | { type: 'drain' }
  | ({ type: 'ping' | 'pong' } & Ids)
  | ({ type: 'open'; info: SessionInfo } & Ids)
  | ({ type: 'close' } & Ids)
  | ({ type: 'prepare'; sql: string; paramOids: number[] } & Ids)
  | ({ type: 'execute'; sql: string; paramOids: number[]; params: SqlValue[] } & Ids)
  | ({ type: 'query'; sql: string } & Ids)
  | ({ type: 'cancel' } & Ids)
  | ({ type: 'copyBegin'; sql: string } & Ids)
  | ({ type: 'copyRows'; rows: SqlValue[][] } & Ids)
  | ({ type: 'copyEnd'; commit: boolean } & Ids)
  | ({ type: 'columns'; columns: Column[] } & Ids)
  | ({ type: 'rows'; rows: SqlValue[][] } & Ids)
  | ({ type: 'complete'; tag: string | null } & Ids)
  | ({ type: 'ended'; error: PgError } & Ids)
  | ({ type: 'done'; txStatus: TxStatus; notices: PgError[]; error?: PgError; description?: Description } & Ids);

export type FrameOf<T extends Frame['type']> = Extract<Frame, { type: T }>;

const typeByCode = new Map<number, Frame['type']>(
  Object.entries(FrameType).map(([name, code]) => [code, name as Frame['type']]),
);

function header(w: Writer, type: Frame['type'], session = 0, request = 0): void {
  w.u32(0).u8(FrameType[type]).u32(session).u32(request);
}

function oids(w: Writer, list: number[]): void {
  w.u16(list.length);
  for (const o of list) w.u32(o);
}

function readOids(r: Reader): number[] {
  const n = r.u16();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.u32());
  return out;
}

function columns(w: Writer, cols: Column[]): void {
  w.u16(cols.length);
  for (const c of cols) w.string(c.name).u32(c.typeOid).u32(c.tableOid).u16(c.attnum);
}

function readColumns(r: Reader): Column[] {
  const n = r.u16();
  const out: Column[] = [];
  for (let i = 0; i < n; i++) out.push({ name: r.string(), typeOid: r.u32(), tableOid: r.u32(), attnum: r.u16() });
  return out;
}

/** Encode one frame into a fresh buffer. */
export function encodeFrame(f: Frame): Uint8Array {
  const w = new Writer();
  const ids = 'session' in f ? f : { session: 0, request: 0 };
  header(w, f.type, ids.session, ids.request);
  switch (f.type) {
    case 'challenge':
      w.u8(f.version).bytes(f.nonce).string(f.instance);
      break;
    case 'hello':
      w.u8(f.version).bytes(f.proof);
      break;
    case 'welcome':
    case 'drain':
    case 'ping':
    case 'pong':
    case 'close':
    case 'cancel':
      break;
    case 'open': {
      const entries = Object.entries(f.info.params);
      w.string(f.info.user).string(f.info.database).u16(entries.length);
      for (const [k, v] of entries) w.string(k).string(v);
      break;
    }
    case 'prepare':
      w.string(f.sql);
      oids(w, f.paramOids);
      break;
    case 'execute':
      w.string(f.sql);
      oids(w, f.paramOids);
      w.u16(f.params.length);
      for (const p of f.params) w.value(p);
      break;
    case 'query':
      w.string(f.sql);
      break;
    case 'columns':
      columns(w, f.columns);
      break;
    case 'rows':
    case 'copyRows':
      w.u32(f.rows.length);
      for (const row of f.rows) {
        w.u16(row.length);
        for (const v of row) w.value(v);
      }
      break;
    case 'copyBegin':
      w.string(f.sql);
      break;
    case 'copyEnd':
      w.u8(f.commit ? 1 : 0);
      break;
    case 'ended':
      w.error(f.error);
      break;
    case 'complete':
      if (f.tag === null) w.u8(0);
      else w.u8(1).string(f.tag);
      break;
    case 'done':
      w.u8(f.txStatus.charCodeAt(0)).u16(f.notices.length);
      for (const n of f.notices) w.error(n);
      if (f.error) w.u8(1).error(f.error);
      else w.u8(0);
      if (f.description) {
        w.u8(1);
        oids(w, f.description.paramOids);
        if (f.description.columns) {
          w.u8(1);
          columns(w, f.description.columns);
        } else w.u8(0);
      } else w.u8(0);
      break;
  }
  w.patchU32(0, w.length - 4);
  return w.finish();
}

function decodeBody(type: Frame['type'], ids: Ids, r: Reader): Frame {
  switch (type) {
    case 'challenge':
      return { type, version: r.u8(), nonce: r.bytes(), instance: r.string() };
    case 'hello':
      return { type, version: r.u8(), proof: r.bytes() };
    case 'welcome':
    case 'drain':
      return { type };
    case 'ping':
    case 'pong':
    case 'close':
    case 'cancel':
      return { type, ...ids };
    case 'open': {
      const user = r.string();
      const database = r.string();
      const params: Record<string, string> = {};
      for (let n = r.u16(); n > 0; n--) params[r.string()] = r.string();
      return { type, ...ids, info: { user, database, params } };
    }
    case 'prepare':
      return { type, ...ids, sql: r.string(), paramOids: readOids(r) };
    case 'execute': {
      const sql = r.string();
      const paramOids = readOids(r);
      const params: SqlValue[] = [];
      for (let n = r.u16(); n > 0; n--) params.push(r.value());
      return { type, ...ids, sql, paramOids, params };
    }
    case 'query':
      return { type, ...ids, sql: r.string() };
    case 'columns':
      return { type, ...ids, columns: readColumns(r) };
    case 'rows':
    case 'copyRows': {
      const rows: SqlValue[][] = [];
      for (let n = r.u32(); n > 0; n--) {
        const row: SqlValue[] = [];
        for (let m = r.u16(); m > 0; m--) row.push(r.value());
        rows.push(row);
      }
      return { type, ...ids, rows };
    }
    case 'complete':
      return { type, ...ids, tag: r.u8() ? r.string() : null };
    case 'ended':
      return { type, ...ids, error: r.error() };
    case 'copyBegin':
      return { type, ...ids, sql: r.string() };
    case 'copyEnd':
      return { type, ...ids, commit: r.u8() === 1 };
    case 'done': {
      const txStatus = String.fromCharCode(r.u8());
      if (txStatus !== 'I' && txStatus !== 'T' && txStatus !== 'E') throw new TunnelProtocolError(`bad txStatus ${txStatus}`);
      const notices: PgError[] = [];
      for (let n = r.u16(); n > 0; n--) notices.push(r.error());
      const error = r.u8() ? r.error() : undefined;
      let description: Description | undefined;
      if (r.u8()) {
        const paramOids = readOids(r);
        description = { paramOids, columns: r.u8() ? readColumns(r) : null };
      }
      return { type, ...ids, txStatus, notices, ...(error && { error }), ...(description && { description }) };
    }
  }
}

/**
 * Turns a byte stream into frames. Keeps at most one partial frame; a declared length beyond
 * MAX_FRAME, an unknown type or a body that does not match its type throws TunnelProtocolError,
 * after which the connection must be dropped.
 */
export class FrameParser {
  /**
   * Unparsed bytes, kept as a list and joined only once a whole frame is here: a large frame
   * (a 32 MiB bytea) arriving in many chunks costs linear, not quadratic, copying.
   */
  #chunks: Uint8Array[] = [];
  #size = 0;

  feed(chunk: Uint8Array, onFrame: (f: Frame) => void): void {
    if (chunk.length) {
      this.#chunks.push(chunk);
      this.#size += chunk.length;
    }
    while (this.#size >= 4) {
      if (this.#chunks[0].length < 4) this.#join();
      const head = this.#chunks[0];
      const len = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
      if (len > MAX_FRAME || len < HEADER_SIZE - 4) throw new TunnelProtocolError(`bad frame length ${len}`);
      if (this.#size < 4 + len) break;
      if (this.#chunks[0].length < 4 + len) this.#join();
      const buf = this.#chunks[0];
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      const code = view.getUint8(4);
      const type = typeByCode.get(code);
      if (!type) throw new TunnelProtocolError(`unknown frame type 0x${code.toString(16)}`);
      const ids = { session: view.getUint32(5), request: view.getUint32(9) };
      const r = new Reader(buf, HEADER_SIZE, 4 + len);
      const frame = decodeBody(type, ids, r);
      if (!r.done) throw new TunnelProtocolError(`trailing bytes in ${type} frame`);
      // A view, not a copy: many small frames in one chunk must not copy its tail each time.
      if (buf.length === 4 + len) this.#chunks.shift();
      else this.#chunks[0] = buf.subarray(4 + len);
      this.#size -= 4 + len;
      onFrame(frame);
    }
  }

  #join(): void {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.#chunks = [out];
  }
}

/** Rough encoded size of a value, to cut row batches; exactness is not needed. */
function approxSize(v: SqlValue): number {
  if (v === null || typeof v === 'boolean') return 1;
  if (typeof v === 'bigint' || typeof v === 'number') return 9;
  if (typeof v === 'string') return 5 + v.length * 3;
  if (v instanceof Uint8Array) return 5 + v.length;
  return v.reduce<number>((s, e) => s + approxSize(e), 5);
}

/** The frames that answer an execute or query request: per result, columns, rows…, complete; then done. */
export function encodeExecuteReply(ids: Ids, reply: ExecuteReply): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const result of reply.results) {
    if (result.columns) out.push(encodeFrame({ type: 'columns', ...ids, columns: result.columns }));
    let batch: SqlValue[][] = [];
    let size = 0;
    for (const row of result.rows) {
      batch.push(row);
      for (const v of row) size += approxSize(v);
      if (size >= ROW_BATCH_BYTES) {
        out.push(encodeFrame({ type: 'rows', ...ids, rows: batch }));
        batch = [];
        size = 0;
      }
    }
    if (batch.length) out.push(encodeFrame({ type: 'rows', ...ids, rows: batch }));
    out.push(encodeFrame({ type: 'complete', ...ids, tag: result.tag }));
  }
  out.push(encodeFrame({ type: 'done', ...ids, txStatus: reply.txStatus, notices: reply.notices, ...(reply.error && { error: reply.error }) }));
  return out;
}

export function encodePrepareReply(ids: Ids, reply: PrepareReply): Uint8Array {
  return encodeFrame({ type: 'done', ...ids, ...reply });
}

/**
 * Collects the reply frames of one request (shim side). `add` returns the finished reply on
 * the `done` frame, undefined before it.
 */
export class ReplyAssembler {
  #results: StatementResult[] = [];
  #current: StatementResult | undefined;

  add(f: Frame): (ExecuteReply & PrepareReply) | undefined {
    switch (f.type) {
      case 'columns':
        this.#current = { columns: f.columns, rows: [], tag: null };
        return;
      case 'rows': {
        const rows = (this.#current ??= { columns: null, rows: [], tag: null }).rows;
        for (const row of f.rows) rows.push(row); // no spread: batches can exceed the argument limit
        return;
      }
      case 'complete': {
        const result = this.#current ?? { columns: null, rows: [], tag: null };
        result.tag = f.tag;
        this.#results.push(result);
        this.#current = undefined;
        return;
      }
      case 'done':
        return {
          results: this.#results,
          txStatus: f.txStatus,
          notices: f.notices,
          ...(f.error && { error: f.error }),
          ...(f.description && { description: f.description }),
        };
      default:
        throw new TunnelProtocolError(`unexpected ${f.type} frame in a reply`);
    }
  }
}
