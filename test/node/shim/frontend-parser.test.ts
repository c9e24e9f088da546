/** The frontend parser on byte fixtures: each message whole, split at every offset, and malformed. */
import { describe, expect, it } from 'vitest';
import { FrontendParser } from '../../../shim/protocol/frontend-parser.ts';
import type { FrontendMessage, StartupPacket } from '../../../shim/protocol/messages.ts';
import * as f from './bytes.ts';

type Parsed = FrontendMessage | StartupPacket;

const typed: [string, Buffer, Parsed][] = [
  ['Query', f.query('select 1'), { type: 'query', sql: 'select 1' }],
  ['Parse', f.parse('s1', 'select $1, $2', [20, 0]), { type: 'parse', name: 's1', sql: 'select $1, $2', paramOids: [20, 0] }],
  ['Parse with an OID above 2^31', f.parse('', 'x', [0xfffffff0]), { type: 'parse', name: '', sql: 'x', paramOids: [0xfffffff0] }],
  [
    'Bind',
    f.bind('p', 's1', [1, 0], [Buffer.from([0, 0, 0, 7]), null, Buffer.alloc(0)], [1]),
    { type: 'bind', portal: 'p', statement: 's1', paramFormats: [1, 0], params: [Buffer.from([0, 0, 0, 7]), null, Buffer.alloc(0)], resultFormats: [1] },
  ],
  ['Describe S', f.describe('S', 's1'), { type: 'describe', kind: 'S', name: 's1' }],
  ['Describe P', f.describe('P', ''), { type: 'describe', kind: 'P', name: '' }],
  ['Execute', f.execute('p', 10), { type: 'execute', portal: 'p', maxRows: 10 }],
  ['Close', f.close('P', 'p'), { type: 'close', kind: 'P', name: 'p' }],
  ['Sync', f.sync(), { type: 'sync' }],
  ['Flush', f.flush(), { type: 'flush' }],
  ['Terminate', f.terminate(), { type: 'terminate' }],
  ['PasswordMessage', f.msg('p', f.bytes().cstring('pw')), { type: 'password', data: Buffer.from('pw\0') }],
  ['CopyDone', f.msg('c'), { type: 'copyDone' }],
  ['Query with UTF-8', f.query('select \'☃é\''), { type: 'query', sql: "select '☃é'" }],
];

const startup: [string, Buffer, Parsed][] = [
  ['SSLRequest', f.packet(f.bytes().int32(80877103)), { type: 'sslRequest' }],
  ['GSSENCRequest', f.packet(f.bytes().int32(80877104)), { type: 'gssEncRequest' }],
  ['CancelRequest', f.packet(f.bytes().int32(80877102).int32(1234).int32(-5)), { type: 'cancelRequest', pid: 1234, secret: -5 }],
  ['StartupMessage', f.startupPacket({ user: 'u', database: 'd' }), { type: 'startup', major: 3, minor: 0, params: { user: 'u', database: 'd' } }],
  ['StartupMessage 3.2', f.startupPacket({ user: 'u' }, 2), { type: 'startup', major: 3, minor: 2, params: { user: 'u' } }],
];

function parseAll(chunks: Buffer[], inStartup = false): { messages: Parsed[]; error: unknown; pending: number } {
  const p = new FrontendParser();
  p.startup = inStartup;
  const messages: Parsed[] = [];
  let error: unknown;
  for (const c of chunks) {
    error ??= p.feed(c, (m) => messages.push(m));
    if (error) break;
  }
  return { messages, error, pending: p.pending };
}

describe('frontend parser', () => {
  it.each([...typed.map((t) => [...t, false] as const), ...startup.map((t) => [...t, true] as const)])('%s, whole and split at every offset', (_name, bytes, expected, inStartup) => {
    expect(parseAll([bytes], inStartup)).toEqual({ messages: [expected], error: undefined, pending: 0 });
    for (let i = 1; i < bytes.length; i++) {
      const r = parseAll([bytes.subarray(0, i), bytes.subarray(i)], inStartup);
      expect(r, `split at ${i}`).toEqual({ messages: [expected], error: undefined, pending: 0 });
    }
    // Byte by byte, and nothing is emitted before the last byte.
    const p = new FrontendParser();
    p.startup = inStartup;
    const seen: Parsed[] = [];
    for (let i = 0; i < bytes.length; i++) {
      expect(seen).toEqual([]);
      expect(p.feed(bytes.subarray(i, i + 1), (m) => seen.push(m))).toBeUndefined();
    }
    expect(seen).toEqual([expected]);
    expect(p.pending).toBe(0);
  });

  it('emits several messages from one chunk and across chunk boundaries, in order', () => {
    const all = Buffer.concat(typed.map(([, b]) => b));
    const expected = typed.map(([, , m]) => m);
    expect(parseAll([all]).messages).toEqual(expected);
    for (const at of [1, 7, Math.floor(all.length / 2), all.length - 1]) {
      expect(parseAll([all.subarray(0, at), all.subarray(at)]).messages).toEqual(expected);
    }
  });

  it('keeps the rest of a chunk after the startup packet for the typed phase', () => {
    const p = new FrontendParser();
    const seen: Parsed[] = [];
    p.feed(Buffer.concat([f.startupPacket({ user: 'u' }), f.msg('p', f.bytes().cstring('pw'))]), (m) => {
      seen.push(m);
      if (m.type === 'startup') p.startup = false;
    });
    expect(seen.map((m) => m.type)).toEqual(['startup', 'password']);
  });

  const violation = (bytes: Buffer, inStartup = false) => parseAll([bytes], inStartup).error;

  it.each([
    ['a declared length over 1 GiB', f.bytes().byte(0x51).int32(2 ** 30 + 1).build()],
    ['a declared length below 4', f.bytes().byte(0x51).int32(3).build()],
    ['a negative length', f.bytes().byte(0x51).int32(-1).build()],
    ['an unknown message type', f.msg('z')],
    ['a Query without its terminator', f.msg('Q', f.bytes().raw(Buffer.from('select 1')))],
    ['a Bind whose parameter runs past the message', f.msg('B', f.bytes().cstring('').cstring('').int16(0).int16(1).int32(100).byte(1))],
    ['a Bind with a negative count', f.msg('B', f.bytes().cstring('').cstring('').int16(-1))],
    ['a Describe of kind X', f.msg('D', f.bytes().byte(0x58).cstring(''))],
    ['trailing bytes after Execute', f.msg('E', f.bytes().cstring('').int32(0).byte(9))],
    ['a truncated Execute', f.msg('E', f.bytes().cstring(''))],
  ])('refuses %s with 08P01 FATAL', (_name, bytes) => {
    expect(violation(bytes)).toMatchObject({ sqlstate: '08P01', severity: 'FATAL' });
  });

  it('refuses an oversized startup packet and protocol 2', () => {
    expect(violation(f.bytes().int32(20000).build(), true)).toMatchObject({ sqlstate: '08P01' });
    expect(violation(f.packet(f.bytes().int32(2 << 16).byte(0)), true)).toMatchObject({ sqlstate: '08P01', message: expect.stringContaining('unsupported frontend protocol 2.0') });
  });

  it('reports an oversized length at once, before the body arrives', () => {
    expect(parseAll([f.bytes().byte(0x50).int32(2 ** 31 - 1).build()]).error).toMatchObject({ sqlstate: '08P01' });
  });
});
