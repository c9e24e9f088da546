import { describe, expect, it } from 'vitest';
import {
  encodeExecuteReply,
  encodeFrame,
  FrameParser,
  MAX_FRAME,
  ReplyAssembler,
  type Frame,
} from '../../../tunnel/frames.ts';
import { TunnelProtocolError } from '../../../tunnel/codec.ts';
import type { SqlValue } from '../../../tunnel/types.ts';

const edgeValues: SqlValue[] = [
  null,
  true,
  false,
  0n,
  -1n,
  1800000000000000001n,
  9223372036854775807n,
  -9223372036854775808n,
  1.5,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'héllo ✓ 𝄞',
  new Uint8Array(0),
  new Uint8Array([0, 255, 1, 128]),
  [1n, null, 3n],
  [],
  [[1n], [null]],
  ['a', null, ''],
];

const samples: Frame[] = [
  { type: 'challenge', version: 1, nonce: new Uint8Array(32).fill(7), instance: 'abc' },
  { type: 'hello', version: 1, proof: new Uint8Array([1, 2, 3]) },
  { type: 'welcome' },
  { type: 'drain' },
  { type: 'ping', session: 0, request: 42 },
  { type: 'open', session: 1, request: 2, info: { user: 'u', database: 'db', params: { application_name: 'x' } } },
  { type: 'prepare', session: 3, request: 4, sql: 'SELECT $1', paramOids: [0, 20] },
  { type: 'execute', session: 5, request: 6, sql: 'INSERT', paramOids: [17], params: edgeValues },
  { type: 'query', session: 7, request: 8, sql: 'SELECT 1; SELECT 2' },
  { type: 'cancel', session: 9, request: 0 },
  { type: 'copyBegin', session: 9, request: 10, sql: 'COPY t (a, b) FROM STDIN BINARY' },
  { type: 'copyRows', session: 9, request: 11, rows: [edgeValues, [null], []] },
  { type: 'copyEnd', session: 9, request: 12, commit: true },
  { type: 'copyEnd', session: 9, request: 13, commit: false },
  { type: 'columns', session: 1, request: 1, columns: [{ name: 'id', typeOid: 20, tableOid: 16384, attnum: 1 }] },
  { type: 'rows', session: 1, request: 1, rows: [edgeValues, []] },
  { type: 'complete', session: 1, request: 1, tag: 'SELECT 2' },
  { type: 'complete', session: 1, request: 1, tag: null },
  {
    type: 'done',
    session: 1,
    request: 1,
    txStatus: 'E',
    notices: [{ severity: 'WARNING', sqlstate: '25P01', message: 'there is no transaction in progress' }],
    error: { sqlstate: '23505', message: 'duplicate key', constraint: 't_pkey', position: 12, detail: 'Key (id)=(1) already exists.' },
    description: { paramOids: [20, 17], columns: null },
  },
];

function decodeAll(chunks: Uint8Array[]): Frame[] {
  const parser = new FrameParser();
  const out: Frame[] = [];
  for (const c of chunks) parser.feed(c, (f) => out.push(f));
  return out;
}

describe('tunnel frames', () => {
  it.each(samples.map((f) => [f.type, f] as const))('round-trips %s', (_, frame) => {
    expect(decodeAll([encodeFrame(frame)])).toEqual([frame]);
  });

  it('decodes the same stream split at every offset', () => {
    const frames = samples.slice(4, 9);
    const bytes = Uint8Array.from(frames.flatMap((f) => [...encodeFrame(f)]));
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(frames);
    }
    // byte by byte
    expect(decodeAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(frames);
  });

  it('keeps int8 exact across the whole range', () => {
    const [f] = decodeAll([encodeFrame({ type: 'rows', session: 1, request: 1, rows: [[9223372036854775807n, -9223372036854775808n, 1800000000000000001n]] })]);
    expect(f).toMatchObject({ rows: [[9223372036854775807n, -9223372036854775808n, 1800000000000000001n]] });
  });

  it('refuses an oversized declared length', () => {
    const bad = new Uint8Array(13);
    new DataView(bad.buffer).setUint32(0, MAX_FRAME + 1);
    expect(() => decodeAll([bad])).toThrow(TunnelProtocolError);
  });

  it('refuses an unknown frame type and trailing bytes', () => {
    const unknown = encodeFrame({ type: 'welcome' });
    unknown[4] = 0x7f;
    expect(() => decodeAll([unknown])).toThrow(/unknown frame type/);
    const padded = encodeFrame({ type: 'query', session: 1, request: 1, sql: 'x' });
    const longer = new Uint8Array(padded.length + 1);
    longer.set(padded);
    new DataView(longer.buffer).setUint32(0, padded.length - 4 + 1);
    expect(() => decodeAll([longer])).toThrow(/trailing bytes/);
  });

  it('splits large results into row batches and reassembles them', () => {
    const big = new Uint8Array(300_000);
    const rows = Array.from({ length: 10 }, (_, i) => [BigInt(i), big]);
    const frames = encodeExecuteReply(
      { session: 2, request: 3 },
      { results: [{ columns: [{ name: 'b', typeOid: 17, tableOid: 0, attnum: 0 }], rows, tag: 'SELECT 10' }], txStatus: 'T', notices: [] },
    );
    const decoded = decodeAll(frames);
    expect(decoded.filter((f) => f.type === 'rows').length).toBeGreaterThan(1);
    const assembler = new ReplyAssembler();
    let reply;
    for (const f of decoded) reply = assembler.add(f) ?? reply;
    expect(reply?.results[0].rows).toHaveLength(10);
    expect(reply?.results[0].tag).toBe('SELECT 10');
    expect(reply?.txStatus).toBe('T');
  });
});
