/**
 * Every codec, text and binary, on a table of edge values: SqlValue → text and bytes as
 * PostgreSQL writes them, and back. Expected bytes are written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { codecFor } from '../../../shim/codecs/index.ts';
import { OID } from '../../../tunnel/oids.ts';
import type { SqlValue } from '../../../tunnel/types.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const bytes = (...b: number[]) => new Uint8Array(b);

/** [type, value, text form, binary form in hex]. */
const cases: [keyof typeof OID, SqlValue, string, string][] = [
  ['bool', true, 't', '01'],
  ['bool', false, 'f', '00'],
  ['int2', -1n, '-1', 'ffff'],
  ['int2', 32767n, '32767', '7fff'],
  ['int2', -32768n, '-32768', '8000'],
  ['int4', 2147483647n, '2147483647', '7fffffff'],
  ['int4', -2147483648n, '-2147483648', '80000000'],
  ['int8', 1800000000000000001n, '1800000000000000001', '18fae27693b40001'],
  ['int8', -1n, '-1', 'ffffffffffffffff'],
  ['int8', 0n, '0', '0000000000000000'],
  ['int8', 2n ** 63n - 1n, '9223372036854775807', '7fffffffffffffff'],
  ['int8', -(2n ** 63n - 1n), '-9223372036854775807', '8000000000000001'],
  ['int8', -(2n ** 63n), '-9223372036854775808', '8000000000000000'],
  ['oid', 4294967295n, '4294967295', 'ffffffff'],
  ['float4', 1.5, '1.5', '3fc00000'],
  ['float8', 0.1, '0.1', '3fb999999999999a'],
  ['float8', -0, '-0', '8000000000000000'],
  ['float8', Infinity, 'Infinity', '7ff0000000000000'],
  ['float8', -Infinity, '-Infinity', 'fff0000000000000'],
  ['numeric', '0', '0', '0000 0000 0000 0000'],
  ['numeric', '1.50', '1.50', '0002 0000 0000 0002 0001 1388'],
  ['numeric', '-0.000123', '-0.000123', '0002 ffff 4000 0006 0001 08fc'],
  ['numeric', '10000', '10000', '0001 0001 0000 0000 0001'],
  ['numeric', '1800000000000000001', '1800000000000000001', '0005 0004 0000 0000 00b4 0000 0000 0000 0001'],
  ['numeric', 'NaN', 'NaN', '0000 0000 c000 0000'],
  ['text', 'héllo ☃', 'héllo ☃', Buffer.from('héllo ☃').toString('hex')],
  ['text', '', '', ''],
  ['varchar', 'a b', 'a b', '612062'],
  ['bytea', bytes(), '\\x', ''],
  ['bytea', bytes(0, 1, 254, 255), '\\x0001feff', '0001feff'],
  ['json', '{"a":[1, 2]}', '{"a":[1, 2]}', Buffer.from('{"a":[1, 2]}').toString('hex')],
  ['jsonb', '{"a": [1, 2]}', '{"a": [1, 2]}', `01${Buffer.from('{"a": [1, 2]}').toString('hex')}`],
  ['uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc999c0b4ef8bb6d6bb9bd380a11'],
  ['date', '2000-01-01', '2000-01-01', '00000000'],
  ['date', '1999-12-31', '1999-12-31', 'ffffffff'],
  ['date', '2024-01-02', '2024-01-02', '0000223f'],
  ['timestamp', '2000-01-01 00:00:00', '2000-01-01 00:00:00', '0000000000000000'],
  ['timestamp', '1999-12-31 23:59:59.999999', '1999-12-31 23:59:59.999999', 'ffffffffffffffff'],
  ['timestamptz', '2024-01-02 03:04:05.123456+00', '2024-01-02 03:04:05.123456+00', (757468800000000n + 11045123456n).toString(16).padStart(16, '0')],
  ['int8Array', [1n, null, -1n], '{1,NULL,-1}', '00000001 00000001 00000014 00000003 00000001 00000008 0000000000000001 ffffffff 00000008 ffffffffffffffff'],
  ['int8Array', [], '{}', '00000000 00000000 00000014'],
  ['textArray', ['a b', '"q"', '', '☃'], '{"a b","\\"q\\"","",☃}', `00000001 00000000 00000019 00000004 00000001 00000003 612062 00000003 227122 00000000 00000003 e29883`],
  ['byteaArray', [bytes(), bytes(255)], '{"\\\\x","\\\\xff"}', '00000001 00000000 00000011 00000002 00000001 00000000 00000001 ff'],
];

describe('codecs', () => {
  it.each(cases)('%s %s: text %s', (type, value, text, bin) => {
    const c = codecFor(OID[type]);
    expect(c.encodeText(value)).toBe(text);
    expect(c.decodeText(text)).toEqual(value);
    expect(Buffer.from(c.encodeBinary(value)).toString('hex')).toBe(hex(bin).toString('hex'));
    expect(c.decodeBinary(hex(bin))).toEqual(value);
  });

  it('round-trips int8 exactly over the whole range', () => {
    const c = codecFor(OID.int8);
    for (let i = 0; i < 2000; i++) {
      const v = BigInt.asIntN(64, BigInt(Math.floor(Math.random() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(Math.random() * 2 ** 32)));
      expect(c.decodeBinary(Buffer.from(c.encodeBinary(v)))).toBe(v);
      expect(c.decodeText(c.encodeText(v))).toBe(v);
    }
  });

  it('round-trips numeric strings of any size through binary', () => {
    const c = codecFor(OID.numeric);
    for (const v of ['123456789012345678901234567890.123456789', '-1', '0.0001', '99999999', '0.10', '-100000000.00000001', '1e5'.replace('1e5', '100000')]) {
      expect(c.decodeBinary(Buffer.from(c.encodeBinary(v)))).toBe(v);
    }
  });

  it('reads text input as PostgreSQL does', () => {
    expect(codecFor(OID.bytea).decodeText('\\001abc\\\\')).toEqual(bytes(1, 97, 98, 99, 92));
    expect(codecFor(OID.bool).decodeText('yes')).toBe(true);
    expect(codecFor(OID.int8).decodeText(' 42 ')).toBe(42n);
    expect(codecFor(OID.int8).decodeText('9223372036854775808')).toMatchObject({ sqlstate: '22003' });
    expect(codecFor(OID.int4).decodeText('x')).toMatchObject({ sqlstate: '22P02' });
    expect(codecFor(OID.int4Array).decodeText('{1,NULL,"3"}')).toEqual([1n, null, 3n]);
  });

  it('refuses malformed binary input', () => {
    expect(codecFor(OID.int8).decodeBinary(hex('0001'))).toMatchObject({ sqlstate: '22P03' });
    expect(codecFor(OID.bool).decodeBinary(Buffer.alloc(0))).toMatchObject({ sqlstate: '22P03' });
    expect(codecFor(OID.uuid).decodeBinary(hex('00'))).toMatchObject({ sqlstate: '22P03' });
    expect(codecFor(OID.text).decodeBinary(hex('c328'))).toMatchObject({ sqlstate: '22021' });
    expect(codecFor(OID.text).decodeBinary(hex('6100'))).toMatchObject({ sqlstate: '22021' });
    expect(codecFor(OID.jsonb).decodeBinary(hex('027b7d'))).toMatchObject({ sqlstate: '22P03' });
    expect(codecFor(OID.numeric).decodeBinary(hex('0001 0000 0000 0000 2710'))).toMatchObject({ sqlstate: '22P03' });
    expect(codecFor(OID.int8Array).decodeBinary(hex('00000001 00000000 00000017 00000001 00000001 00000004 00000001'))).toMatchObject({ sqlstate: '42804' });
    expect(codecFor(OID.int8Array).decodeBinary(hex('00000001 00000000 00000014 00000002 00000001 00000008 0000000000000001'))).toMatchObject({ sqlstate: '22P03' });
  });

  it('passes unknown types through as text', () => {
    const c = codecFor(99999);
    expect(c.decodeText('(1,2)')).toBe('(1,2)');
    expect(c.encodeText('(1,2)')).toBe('(1,2)');
    expect(c.decodeBinary(Buffer.from('x'))).toBe('x');
  });
});
