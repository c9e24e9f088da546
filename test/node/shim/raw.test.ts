/**
 * The shim byte for byte over loopback with a raw client: startup edge cases, binary and text
 * results, CancelRequest, pipelining order and limits, and bad input (FATAL 08P01, that
 * connection only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShim } from '../../../shim/server.ts';
import * as f from './bytes.ts';
import { CannedService } from './canned-service.ts';
import { RawClient, dataRow, fields, parameterStatuses, rowDescription } from './raw-client.ts';

const PASSWORD = 'pw';
const service = new CannedService();
let shim: { port: number; close(): Promise<void> };

beforeAll(async () => {
  shim = await startShim({ host: '127.0.0.1', port: 0, password: PASSWORD, auth: 'password', service });
});
afterAll(() => shim.close());

const login = async () => (await RawClient.login(shim.port, PASSWORD)).c;
const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const i64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
const codes = (ms: { code: string }[]) => ms.map((m) => m.code).join('');

describe('startup', () => {
  it('refuses SSL and GSSAPI encryption with N, then carries on in plaintext', async () => {
    const c = await RawClient.connect(shim.port);
    c.send(f.packet(f.bytes().int32(80877103)));
    expect(await c.byte()).toBe('N');
    c.send(f.packet(f.bytes().int32(80877104)));
    expect(await c.byte()).toBe('N');
    c.send(f.startupPacket({ user: 'u' }));
    expect((await c.next()).code).toBe('R');
    c.end();
  });

  it('reports the server parameters, BackendKeyData and ReadyForQuery idle', async () => {
    const { c, startup } = await RawClient.login(shim.port, PASSWORD, { user: 'zed', database: 'db', application_name: 'app1' });
    expect(codes(startup).replace(/S+/, 'S')).toBe('RSKZ');
    expect(startup[0].body.readInt32BE(0)).toBe(0); // AuthenticationOk
    expect(parameterStatuses(startup)).toMatchObject({
      server_version: '15.8', server_encoding: 'UTF8', client_encoding: 'UTF8', DateStyle: 'ISO, MDY', integer_datetimes: 'on', TimeZone: 'UTC',
      standard_conforming_strings: 'on', IntervalStyle: 'postgres', application_name: 'app1', is_superuser: 'off', session_authorization: 'zed',
    });
    expect(startup.at(-1)!.body.toString()).toBe('I');
    c.end();
  });

  it('negotiates protocol 3.2 down to 3.0, naming unknown _pq_ options', async () => {
    const c = await RawClient.connect(shim.port);
    const body = f.bytes().int32((3 << 16) | 2).cstring('user').cstring('u').cstring('_pq_.x').cstring('1').byte(0);
    c.send(f.packet(body));
    const v = await c.next();
    expect(v.code).toBe('v');
    expect(v.body.readInt32BE(0)).toBe(0);
    expect(v.body.readInt32BE(4)).toBe(1);
    expect(v.body.toString('utf8', 8)).toBe('_pq_.x\0');
    expect((await c.next()).code).toBe('R');
    c.send(f.msg('p', f.bytes().cstring(PASSWORD)));
    expect(codes(await c.until('Z')).at(-1)).toBe('Z');
    c.end();
  });

  it('refuses a wrong password with FATAL 28P01 and closes', async () => {
    const c = await RawClient.connect(shim.port);
    c.send(f.startupPacket({ user: 'u' }));
    await c.next();
    c.send(f.msg('p', f.bytes().cstring('nope')));
    const e = await c.next();
    expect(fields(e)).toMatchObject({ S: 'FATAL', C: '28P01', M: 'password authentication failed for user "u"' });
    expect((await c.closed()).length).toBe(0);
  });

  it('turns a failure to open the session into FATAL with its SQLSTATE', async () => {
    service.refuse = { sqlstate: '53300', message: 'too many sessions' };
    try {
      const c = await RawClient.connect(shim.port);
      c.send(f.startupPacket({ user: 'u' }));
      await c.next();
      c.send(f.msg('p', f.bytes().cstring(PASSWORD)));
      expect(fields(await c.next())).toMatchObject({ S: 'FATAL', C: '53300', M: 'too many sessions' });
      await c.closed();
    } finally {
      service.refuse = undefined;
    }
  });
});

describe('results', () => {
  const expectedBinary: Record<string, Buffer | null> = {
    b: hex('01'),
    i2: hex('8000'),
    i4: hex('7fffffff'),
    i8: i64(1800000000000000001n),
    i8min: hex('8000000000000000'),
    f4: hex('3fc00000'),
    f8: hex('bfb999999999999a'),
    // 4 groups before the point, weight 4, negative, dscale 6: 1234 5678 9012 3456 7890 . 0001 2300
    num: hex('0007 0004 4000 0006 04d2 162e 2334 0d80 1ed2 0001 08fc'),
    txt: Buffer.from('héllo ☃'),
    by: hex('0001feff'),
    empty: Buffer.alloc(0),
    js: Buffer.from('{"a": 1}'),
    jsb: Buffer.concat([hex('01'), Buffer.from('{"a": 1}')]),
    u: hex('a0eebc999c0b4ef8bb6d6bb9bd380a11'),
    d: hex('0000223f'), // 8767 days after 2000-01-01
    ts: i64(8767n * 86_400_000_000n + 11_045_123_456n),
    tz: i64(8767n * 86_400_000_000n + 11_045_000_000n),
    arr: hex('00000001 00000001 00000014 00000003 00000001  00000008 0000000000000001  ffffffff  00000008 ffffffffffffffff'),
    tarr: Buffer.concat([hex('00000001 00000001 00000019 00000004 00000001 00000003'), Buffer.from('a b'), hex('ffffffff 00000003'), Buffer.from('"q"'), hex('00000000')]),
    nul: null,
  };
  const expectedText: Record<string, string | null> = {
    b: 't', i2: '-32768', i4: '2147483647', i8: '1800000000000000001', i8min: '-9223372036854775808', f4: '1.5', f8: '-0.1',
    num: '-12345678901234567890.000123', txt: 'héllo ☃', by: '\\x0001feff', empty: '\\x', js: '{"a": 1}', jsb: '{"a": 1}',
    u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', d: '2024-01-02', ts: '2024-01-02 03:04:05.123456', tz: '2024-01-02 03:04:05+00',
    arr: '{1,NULL,-1}', tarr: '{"a b",NULL,"\\"q\\"",""}', nul: null,
  };

  it('sends every type in binary, as PostgreSQL send functions do', async () => {
    const c = await login();
    c.send(f.parse('', 'types'), f.bind('', '', [], [], [1]), f.describe('P', ''), f.execute(''), f.sync());
    const out = await c.until('Z');
    expect(codes(out)).toBe('12TDCZ');
    const cols = rowDescription(out[2]);
    expect(cols.every(([, , format]) => format === 1)).toBe(true);
    const row = dataRow(out[3]);
    expect(Object.fromEntries(cols.map(([name], i) => [name, row[i]]))).toEqual(expectedBinary);
    c.end();
  });

  it('sends every type as PostgreSQL text output, and mixes formats per column', async () => {
    const c = await login();
    c.send(f.query('types'));
    const out = await c.until('Z');
    expect(codes(out)).toBe('TDCZ');
    const cols = rowDescription(out[0]);
    const row = dataRow(out[1]).map((v) => (v === null ? null : v.toString('utf8')));
    expect(Object.fromEntries(cols.map(([name], i) => [name, row[i]]))).toEqual(expectedText);
    // Per-column formats: binary for the first two columns only.
    const formats = cols.map((_, i) => (i < 2 ? 1 : 0));
    c.send(f.parse('', 'types'), f.bind('', '', [], [], formats), f.execute(''), f.sync());
    const mixed = dataRow((await c.until('Z'))[2]);
    expect(mixed[0]).toEqual(expectedBinary.b);
    expect(mixed[1]).toEqual(expectedBinary.i2);
    expect(mixed[3]?.toString()).toBe('1800000000000000001');
    c.end();
  });

  it('reads binary array, int8 and bytea parameters exactly', async () => {
    const c = await login();
    const arr = expectedBinary.arr!;
    c.send(
      f.parse('', 'echo $1::int8[], $2::int8, $3::bytea', [1016, 20, 17]),
      f.bind('', '', [1], [arr, i64(2n ** 63n - 1n), Buffer.alloc(0)], [1]),
      f.execute(''),
      f.sync(),
    );
    const out = await c.until('Z');
    expect(codes(out)).toBe('12DCZ');
    expect(dataRow(out[2])).toEqual([arr, i64(2n ** 63n - 1n), Buffer.alloc(0)]);
    c.end();
  });
});

describe('pipelining', () => {
  it('answers a burst of mixed simple and extended requests strictly in order', async () => {
    const c = await login();
    const parts: Buffer[] = [];
    for (let i = 0; i < 30; i++) {
      if (i % 3 === 0) parts.push(f.query(`wait ${(30 - i) % 7}`));
      else parts.push(f.parse('', `echo $1::int4`), f.bind('', '', [], [Buffer.from(String(i))], []), f.execute(''), f.sync());
    }
    c.send(...parts);
    for (let i = 0; i < 30; i++) {
      const out = await c.until('Z');
      const row = dataRow(out.find((m) => m.code === 'D')!);
      expect(row[0]!.toString()).toBe(i % 3 === 0 ? String((30 - i) % 7) : String(i));
    }
    c.end();
  });

  it('keeps at most 16 session calls in flight per connection', async () => {
    const c = await login();
    const session = service.sessions.at(-1)!;
    c.send(...Array.from({ length: 50 }, () => f.query('wait 5')));
    for (let i = 0; i < 50; i++) await c.until('Z');
    expect(session.maxInFlight).toBe(16);
    c.end();
  });
});

describe('cancel and termination', () => {
  it('cancels the running statement on a CancelRequest with the right key, and closes the cancel socket silently', async () => {
    const { c, startup } = await RawClient.login(shim.port, PASSWORD);
    const key = startup.find((m) => m.code === 'K')!.body;
    const session = service.sessions.at(-1)!;
    c.send(f.query('wait'));
    await new Promise((r) => setTimeout(r, 20));
    const wrong = await RawClient.connect(shim.port);
    wrong.send(f.packet(f.bytes().int32(80877102).int32(key.readInt32BE(0)).int32(key.readInt32BE(4) ^ 1)));
    expect((await wrong.closed()).length).toBe(0);
    expect(session.calls).not.toContain('cancel');
    const cancel = await RawClient.connect(shim.port);
    cancel.send(f.packet(f.bytes().int32(80877102).raw(key)));
    expect((await cancel.closed()).length).toBe(0);
    const out = await c.until('Z');
    expect(fields(out[0])).toMatchObject({ C: '57014', M: 'canceling statement due to user request' });
    c.end();
  });

  it('closes the session on Terminate and on a dropped socket', async () => {
    const a = await login();
    const sa = service.sessions.at(-1)!;
    a.send(f.terminate());
    await a.closed();
    const b = await login();
    const sb = service.sessions.at(-1)!;
    b.socket.destroy();
    await new Promise((r) => setTimeout(r, 30));
    expect([sa.closed, sb.closed]).toEqual([true, true]);
  });
});

describe('a failing session', () => {
  it.each([
    ['reports a lost session as FATAL', 'drop', '08006', 'connection to the database was lost (tunnel dropped)'],
    ['survives a session call that rejects', 'throw', '08006', 'the database session failed: boom'],
  ])('%s and closes that connection only', async (_name, sql, code, message) => {
    const other = await login();
    for (const bytes of [f.query(sql), Buffer.concat([f.parse('', sql), f.bind('', '', [], [], []), f.execute(''), f.sync()])]) {
      const c = await login();
      c.send(bytes);
      const out = await c.until('E');
      expect(fields(out.at(-1)!)).toMatchObject({ S: 'FATAL', C: code, M: message });
      await c.closed();
      await new Promise((r) => setTimeout(r, 10));
      expect(service.sessions.at(-1)!.closed).toBe(true);
    }
    other.send(f.query('rows 1'));
    expect(codes(await other.until('Z'))).toBe('TDCZ');
    other.end();
  });
});

describe('bad input', () => {
  const fatal = async (bytes: Buffer) => {
    const c = await login();
    c.send(bytes);
    const e = await c.next();
    await c.closed();
    return fields(e);
  };

  it('closes the connection with FATAL 08P01 on an oversized message, and only that one', async () => {
    const other = await login();
    expect(await fatal(f.bytes().byte(0x51).int32(2 ** 30 + 100).build())).toMatchObject({ S: 'FATAL', C: '08P01' });
    other.send(f.query('rows 1'));
    expect(codes(await other.until('Z'))).toBe('TDCZ');
    other.end();
  });

  it.each([
    ['an unknown message type', f.msg('%', f.bytes().int32(1))],
    ['a truncated Bind', f.msg('B', f.bytes().cstring('').cstring('').int16(0).int16(2).int32(4))],
    ['a length shorter than its header', f.bytes().byte(0x51).int32(2).build()],
    ['garbage', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
  ])('closes with FATAL 08P01 on %s', async (_name, bytes) => {
    expect(await fatal(bytes)).toMatchObject({ S: 'FATAL', C: '08P01' });
  });

  it('does not hang on a partial message: the connection stays open and usable by others', async () => {
    const c = await login();
    c.send(f.query('rows 1').subarray(0, 7));
    const other = await login();
    other.send(f.query('rows 2'));
    expect(codes(await other.until('Z'))).toBe('TDDCZ');
    c.socket.destroy();
    other.end();
  });

  it('refuses a startup packet from before protocol 3', async () => {
    const c = await RawClient.connect(shim.port);
    c.send(f.packet(f.bytes().int32(2 << 16).byte(0)));
    expect(fields(await c.next())).toMatchObject({ S: 'FATAL', C: '08P01' });
    await c.closed();
  });
});
