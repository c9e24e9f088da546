/**
 * The binary COPY parser (shim/copy-in.ts) on fixture bytes built here, independently of the
 * parser: the same stream fed whole and split at every offset gives the same rows; header,
 * field-count, truncation and trailer errors are PostgreSQL's (22P04), bad values 22P03.
 */
import { describe, expect, it } from 'vitest';
import { BinaryCopyParser, isCopy } from '../../../shim/copy-in.ts';
import { OID } from '../../../tunnel/oids.ts';
import type { PgError, SqlValue } from '../../../tunnel/types.ts';
import { bytes, type Bytes } from './bytes.ts';

const SIGNATURE = [...Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')];

function header(b: Bytes = bytes(), extension: number[] = []): Bytes {
  return b.raw(SIGNATURE).int32(0).int32(extension.length).raw(extension);
}

function int8(v: bigint): number[] {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return [...b];
}

/** A row of (int8, bytea, text, bool) with NULLs where a value is null. */
function row(b: Bytes, id: bigint, data: number[] | null, text: string | null, flag: boolean | null): Bytes {
  b.int16(4).int32(8).raw(int8(id));
  if (data === null) b.int32(-1);
  else b.int32(data.length).raw(data);
  if (text === null) b.int32(-1);
  else {
    const t = [...Buffer.from(text, 'utf8')];
    b.int32(t.length).raw(t);
  }
  if (flag === null) b.int32(-1);
  else b.int32(1).byte(flag ? 1 : 0);
  return b;
}

const OIDS = [OID.int8, OID.bytea, OID.text, OID.bool];

function stream(): Buffer {
  const b = header(bytes(), [1, 2, 3]);
  row(b, 1_800_000_000_000_000_001n, [0xde, 0xad], 'é ☃', true);
  row(b, -1n, [], '', false);
  row(b, 9_223_372_036_854_775_807n, null, null, null);
  row(b, -9_223_372_036_854_775_807n, Array.from({ length: 300 }, (_, i) => i & 0xff), 'x'.repeat(100), true);
  return b.int16(-1).build();
}

const EXPECTED: SqlValue[][] = [
  [1_800_000_000_000_000_001n, new Uint8Array([0xde, 0xad]), 'é ☃', true],
  [-1n, new Uint8Array([]), '', false],
  [9_223_372_036_854_775_807n, null, null, null],
  [-9_223_372_036_854_775_807n, new Uint8Array(Array.from({ length: 300 }, (_, i) => i & 0xff)), 'x'.repeat(100), true],
];

function parse(chunks: Buffer[], oids = OIDS): { rows: SqlValue[][]; error?: PgError; end?: PgError } {
  const p = new BinaryCopyParser(oids);
  const rows: SqlValue[][] = [];
  for (const c of chunks) {
    const error = p.feed(c, (r) => rows.push(r));
    if (error) return { rows, error };
  }
  return { rows, end: p.end() };
}

describe('binary COPY parser', () => {
  it('reads the whole stream: int8 edges, empty and NULL bytea, UTF-8 text, bool, NULLs, a header extension', () => {
    expect(parse([stream()])).toEqual({ rows: EXPECTED, end: undefined });
  });

  it('gives the same rows however the stream is split into CopyData chunks (every offset, then 1-byte chunks)', () => {
    const all = stream();
    for (let at = 0; at <= all.length; at++) {
      expect(parse([all.subarray(0, at), all.subarray(at)]), `split at ${at}`).toEqual({ rows: EXPECTED, end: undefined });
    }
    expect(parse([...all].map((b) => Buffer.from([b])))).toEqual({ rows: EXPECTED, end: undefined });
  });

  it('accepts data that ends at a row boundary without the trailer, as PostgreSQL does', () => {
    const all = stream();
    expect(parse([all.subarray(0, all.length - 2)])).toEqual({ rows: EXPECTED, end: undefined });
  });

  it('refuses a stream cut inside a row, and an empty one', () => {
    const all = stream();
    expect(parse([all.subarray(0, all.length - 3)]).end).toEqual({ sqlstate: '22P04', message: 'unexpected EOF in COPY data' });
    expect(parse([]).end).toEqual({ sqlstate: '22P04', message: 'COPY file signature not recognized' });
  });

  it('refuses a bad signature, OIDs, unknown critical flags and a negative extension length', () => {
    const bad = (b: Bytes) => parse([b.build()]).error;
    expect(bad(bytes().raw([...SIGNATURE.slice(0, 10), 1]).int32(0).int32(0))).toEqual({ sqlstate: '22P04', message: 'COPY file signature not recognized' });
    expect(bad(bytes().raw(SIGNATURE).int32(1 << 16).int32(0))).toEqual({ sqlstate: '22P04', message: 'invalid COPY file header (WITH OIDS)' });
    expect(bad(bytes().raw(SIGNATURE).int32(1 << 17).int32(0))).toEqual({ sqlstate: '22P04', message: 'unrecognized critical flags in COPY file header' });
    expect(bad(bytes().raw(SIGNATURE).int32(0).int32(-1))).toEqual({ sqlstate: '22P04', message: 'invalid COPY file header (missing length)' });
  });

  it('refuses a row with the wrong field count and data after the trailer', () => {
    expect(parse([header().int16(3).build()]).error).toEqual({ sqlstate: '22P04', message: 'row field count is 3, expected 4' });
    expect(parse([header().int16(-1).byte(0).build()]).error).toEqual({ sqlstate: '22P04', message: 'received copy data after EOF marker' });
  });

  it('refuses a value its type cannot decode (22P03) and invalid UTF-8 (22021), naming line and column', () => {
    const shortInt = header().int16(4).int32(4).int32(7).int32(-1).int32(-1).int32(-1).build();
    expect(parse([shortInt]).error).toEqual({ sqlstate: '22P03', message: 'incorrect binary data format', detail: 'COPY line 1, column 1' });
    const badText = header().int16(4).int32(8).raw(int8(1n)).int32(-1).int32(1).byte(0xff).int32(-1).build();
    expect(parse([badText]).error).toMatchObject({ sqlstate: '22021', detail: 'COPY line 1, column 3' });
  });
});

describe('isCopy', () => {
  it('routes COPY statements, after comments and whitespace, and nothing else', () => {
    expect(isCopy('COPY "public".documents (id) FROM STDIN BINARY')).toBe(true);
    expect(isCopy('  /* hint */ -- x\n copy t from stdin')).toBe(true);
    expect(isCopy('SELECT 1 -- copy')).toBe(false);
    expect(isCopy('copying')).toBe(false);
  });
});
