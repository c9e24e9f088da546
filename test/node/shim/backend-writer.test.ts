/** Backend messages to bytes, against fixtures from the test-only builder. */
import { describe, expect, it } from 'vitest';
import { bindComplete, parseComplete, writeMessage } from '../../../shim/protocol/backend-writer.ts';
import type { BackendMessage } from '../../../shim/protocol/messages.ts';
import { bytes, msg } from './bytes.ts';

const cases: [string, BackendMessage, Buffer][] = [
  ['ParseComplete', { type: 'parseComplete' }, msg('1')],
  ['ReadyForQuery T', { type: 'readyForQuery', status: 'T' }, msg('Z', bytes().byte(0x54))],
  ['AuthenticationSASL', { type: 'authenticationSasl', mechanisms: ['SCRAM-SHA-256'] }, msg('R', bytes().int32(10).cstring('SCRAM-SHA-256').byte(0))],
  ['ParameterStatus', { type: 'parameterStatus', name: 'TimeZone', value: 'UTC' }, msg('S', bytes().cstring('TimeZone').cstring('UTC'))],
  ['BackendKeyData', { type: 'backendKeyData', pid: 7, secret: -2 }, msg('K', bytes().int32(7).int32(-2))],
  ['ParameterDescription', { type: 'parameterDescription', oids: [20, 4294967295] }, msg('t', bytes().int16(2).int32(20).int32(-1))],
  [
    'RowDescription with the 0/1/N format rule',
    { type: 'rowDescription', columns: [{ name: 'a', typeOid: 20, tableOid: 16384, attnum: 1 }, { name: 'b', typeOid: 25, tableOid: 0, attnum: 0 }], formats: [1] },
    msg('T', bytes().int16(2).cstring('a').int32(16384).int16(1).int32(20).int16(8).int32(-1).int16(1).cstring('b').int32(0).int16(0).int32(25).int16(-1).int32(-1).int16(1)),
  ],
  ['DataRow with NULL and empty', { type: 'dataRow', values: [null, new Uint8Array(), Buffer.from('x')] }, msg('D', bytes().int16(3).int32(-1).int32(0).int32(1).byte(0x78))],
  ['CommandComplete', { type: 'commandComplete', tag: 'INSERT 0 1' }, msg('C', bytes().cstring('INSERT 0 1'))],
  [
    'ErrorResponse with every field',
    { type: 'error', error: { sqlstate: '23505', message: 'dup', detail: 'd', hint: 'h', position: 3, schema: 'public', table: 't', column: 'c', constraint: 't_pkey' } },
    msg('E', bytes().byte(0x53).cstring('ERROR').byte(0x56).cstring('ERROR').byte(0x43).cstring('23505').byte(0x4d).cstring('dup').byte(0x44).cstring('d').byte(0x48).cstring('h')
      .byte(0x50).cstring('3').byte(0x73).cstring('public').byte(0x74).cstring('t').byte(0x63).cstring('c').byte(0x6e).cstring('t_pkey').byte(0)),
  ],
  ['NoticeResponse', { type: 'notice', notice: { sqlstate: '00000', message: 'hi' } }, msg('N', bytes().byte(0x53).cstring('NOTICE').byte(0x56).cstring('NOTICE').byte(0x43).cstring('00000').byte(0x4d).cstring('hi').byte(0))],
  ['NegotiateProtocolVersion', { type: 'negotiateProtocolVersion', minor: 0, unrecognized: ['_pq_.a'] }, msg('v', bytes().int32(0).int32(1).cstring('_pq_.a'))],
];

describe('backend writer', () => {
  it.each(cases)('%s', (_name, m, expected) => {
    expect(writeMessage(m).toString('hex')).toBe(expected.toString('hex'));
  });

  it('builds bodyless messages once', () => {
    expect(writeMessage({ type: 'parseComplete' })).toBe(parseComplete);
    expect(writeMessage({ type: 'bindComplete' })).toBe(bindComplete);
  });
});
