/**
 * The query-protocol state machine driven message by message over a recording CannedSession:
 * what goes out, in what order, and how many session calls it costs.
 */
import { describe, expect, it } from 'vitest';
import type { BackendMessage, FrontendMessage } from '../../../shim/protocol/messages.ts';
import { QueryProtocol } from '../../../shim/query-protocol.ts';
import { CannedSession } from './canned-service.ts';

function setup() {
  const session = new CannedSession({ user: 'u', database: 'd', params: {} });
  const pieces: Promise<BackendMessage[]>[] = [];
  const protocol = new QueryProtocol(session, (p) => pieces.push(Promise.resolve(p)));
  let taken = 0;
  return {
    session,
    protocol,
    /** Handles messages in order without waiting for answers, as the connection does. */
    async send(...messages: FrontendMessage[]) {
      for (const m of messages) await protocol.handle(m);
    },
    /** Everything written since the last call, in order. */
    async out(): Promise<BackendMessage[]> {
      const all = (await Promise.all(pieces.slice(taken))).flat();
      taken = pieces.length;
      return all;
    },
    async types(): Promise<string[]> {
      return (await this.out()).map((m) => (m.type === 'commandComplete' ? `C:${m.tag}` : m.type === 'readyForQuery' ? `Z:${m.status}` : m.type === 'error' ? `E:${m.error.sqlstate}` : m.type));
    },
  };
}

const parse = (sql: string, name = '', paramOids: number[] = []): FrontendMessage => ({ type: 'parse', name, sql, paramOids });
const bind = (params: (Buffer | null)[] = [], o: { portal?: string; statement?: string; paramFormats?: number[]; resultFormats?: number[] } = {}): FrontendMessage => ({
  type: 'bind', portal: o.portal ?? '', statement: o.statement ?? '', paramFormats: o.paramFormats ?? [], params, resultFormats: o.resultFormats ?? [],
});
const describeS = (name = ''): FrontendMessage => ({ type: 'describe', kind: 'S', name });
const describeP = (name = ''): FrontendMessage => ({ type: 'describe', kind: 'P', name });
const execute = (portal = '', maxRows = 0): FrontendMessage => ({ type: 'execute', portal, maxRows });
const sync: FrontendMessage = { type: 'sync' };
const text = (s: string) => Buffer.from(s);

describe('extended protocol', () => {
  it("answers pg's Parse/Bind/Describe P/Execute/Sync batch with one execute call", async () => {
    const t = setup();
    await t.send(parse('echo $1::int8, $2'), bind([text('7'), text('x')]), describeP(), execute(), sync);
    const out = await t.out();
    expect(out.map((m) => m.type)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(out[2]).toMatchObject({ columns: [{ name: 'c1', typeOid: 20 }, { name: 'c2', typeOid: 25 }] });
    expect(out[3]).toEqual({ type: 'dataRow', values: [Buffer.from('7'), Buffer.from('x')] });
    expect(t.session.calls).toEqual(['execute echo $1::int8, $2 ["7","x"]']);
  });

  it('prepares a statement once: later Describe S and Bind/Execute cost no prepare', async () => {
    const t = setup();
    await t.send(parse('echo $1::int8', 's1'), describeS('s1'), sync);
    expect(await t.types()).toEqual(['parseComplete', 'parameterDescription', 'rowDescription', 'Z:I']);
    for (let i = 0; i < 3; i++) {
      await t.send(describeS('s1'), bind([Buffer.from([0, 0, 0, 0, 0, 0, 0, i])], { statement: 's1', paramFormats: [1], resultFormats: [1] }), describeP(), execute(), sync);
      const out = await t.out();
      expect(out.map((m) => m.type)).toEqual(['parameterDescription', 'rowDescription', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
      expect(out[0]).toEqual({ type: 'parameterDescription', oids: [20] });
      expect(out[3]).toMatchObject({ formats: [1] });
      expect(out[4]).toEqual({ type: 'dataRow', values: [Buffer.from([0, 0, 0, 0, 0, 0, 0, i])] });
    }
    expect(t.session.calls.filter((c) => c.startsWith('prepare'))).toEqual(['prepare echo $1::int8']);
    expect(t.session.calls.filter((c) => c.startsWith('execute'))).toHaveLength(3);
  });

  it('decodes binary parameters of unspecified type after one prepare', async () => {
    const t = setup();
    const i8 = Buffer.alloc(8);
    i8.writeBigInt64BE(-(2n ** 63n));
    await t.send(parse('echo $1::int8, $2::bytea, $3::bool'), bind([i8, Buffer.alloc(0), Buffer.from([1])], { paramFormats: [1] }), execute(), sync);
    expect(await t.types()).toEqual(['parseComplete', 'bindComplete', 'dataRow', 'C:SELECT 1', 'Z:I']);
    expect(t.session.calls).toEqual(['prepare echo $1::int8, $2::bytea, $3::bool', 'execute echo $1::int8, $2::bytea, $3::bool ["-9223372036854775808n","bytes:",true]']);
  });

  it('refuses malformed binary parameters with 22P03 naming the parameter', async () => {
    const t = setup();
    await t.send(parse('echo $1::int8', '', [20]), bind([Buffer.from([1, 2, 3])], { paramFormats: [1] }), execute(), sync);
    const out = await t.out();
    expect(out[1]).toEqual({ type: 'error', error: { sqlstate: '22P03', message: 'incorrect binary data format in bind parameter 1' } });
    expect(out.map((m) => m.type)).toEqual(['parseComplete', 'error', 'readyForQuery']);
  });

  it('skips everything after an error until Sync, without calling the session', async () => {
    const t = setup();
    await t.send(bind([], { statement: 'nope' }), parse('rows 1'), bind(), execute(), { type: 'query', sql: 'rows 1' }, sync, parse('rows 1'), bind(), execute(), sync);
    expect(await t.types()).toEqual(['E:26000', 'Z:I', 'parseComplete', 'bindComplete', 'dataRow', 'C:SELECT 1', 'Z:I']);
    expect(t.session.calls).toEqual(['execute rows 1 []']);
  });

  it('skips the rest of the group after a failed Execute', async () => {
    const t = setup();
    await t.send(parse('fail'), bind(), execute(), parse('rows 2', 'b'), bind([], { statement: 'b' }), execute(), sync);
    const out = await t.out();
    expect(out.map((m) => m.type)).toEqual(['parseComplete', 'bindComplete', 'error', 'readyForQuery']);
    expect(out[2]).toMatchObject({ error: { sqlstate: '23505', constraint: 't_pkey', position: 7 } });
    expect(t.session.calls).toEqual(['execute fail []']);
  });

  it('pages a portal with a row limit from one execute call', async () => {
    const t = setup();
    await t.send(parse('rows 5'), bind(), execute('', 2), execute('', 2), execute('', 2), sync, parse('rows 2'), bind(), execute('', 2), execute('', 2), sync);
    expect(await t.types()).toEqual([
      'parseComplete', 'bindComplete', 'dataRow', 'dataRow', 'portalSuspended', 'dataRow', 'dataRow', 'portalSuspended', 'dataRow', 'C:SELECT 1', 'Z:I',
      // A page that fills the limit suspends even at the last row, as PostgreSQL does.
      'parseComplete', 'bindComplete', 'dataRow', 'dataRow', 'portalSuspended', 'C:SELECT 0', 'Z:I',
    ]);
    expect(t.session.calls).toEqual(['execute rows 5 []', 'execute rows 2 []']);
  });

  it('sends notices with the first page only, and SELECT 0 for an exhausted portal', async () => {
    const t = setup();
    await t.send(parse('notice'), bind([], { portal: 'p' }), execute('p', 1), execute('p', 1), execute('p', 1), sync);
    expect(await t.types()).toEqual(['parseComplete', 'bindComplete', 'notice', 'dataRow', 'portalSuspended', 'C:SELECT 0', 'C:SELECT 0', 'Z:I']);
  });

  it('keeps a suspended portal across Sync and reads on', async () => {
    const t = setup();
    await t.send(parse('rows 3'), bind([], { portal: 'c' }), execute('c', 2), sync, execute('c', 0), sync);
    expect(await t.types()).toEqual(['parseComplete', 'bindComplete', 'dataRow', 'dataRow', 'portalSuspended', 'Z:I', 'dataRow', 'C:SELECT 1', 'Z:I']);
  });

  it('re-parses the unnamed statement but refuses a duplicate name with 42P05', async () => {
    const t = setup();
    await t.send(parse('rows 1'), parse('rows 2'), bind(), execute(), parse('rows 1', 'n'), parse('rows 1', 'n'), sync);
    const out = await t.out();
    expect(out.map((m) => m.type)).toEqual(['parseComplete', 'parseComplete', 'bindComplete', 'dataRow', 'dataRow', 'commandComplete', 'parseComplete', 'error', 'readyForQuery']);
    expect(out[7]).toMatchObject({ error: { sqlstate: '42P05', message: 'prepared statement "n" already exists' } });
  });

  it('refuses a Bind with the wrong number of parameters with 08P01', async () => {
    const t = setup();
    await t.send(parse('echo $1, $2', 's'), describeS('s'), sync);
    await t.out();
    await t.send(bind([text('1')], { statement: 's' }), sync);
    expect((await t.out())[0]).toEqual({
      type: 'error',
      error: { sqlstate: '08P01', message: 'bind message supplies 1 parameters, but prepared statement "s" requires 2' },
    });
  });

  it('closes statements and portals, known or not, without calling the session', async () => {
    const t = setup();
    await t.send(parse('rows 1', 's'), { type: 'close', kind: 'S', name: 's' }, { type: 'close', kind: 'P', name: 'nope' }, { type: 'close', kind: 'S', name: 'nope' }, { type: 'flush' }, sync);
    expect(await t.types()).toEqual(['parseComplete', 'closeComplete', 'closeComplete', 'closeComplete', 'Z:I']);
    await t.send(bind([], { statement: 's' }), sync);
    expect(await t.types()).toEqual(['E:26000', 'Z:I']);
    expect(t.session.calls).toEqual([]);
  });

  it('answers a Describe P without Execute by prepare at Sync', async () => {
    const t = setup();
    await t.send(parse('insert'), bind(), describeP(), sync);
    expect(await t.types()).toEqual(['parseComplete', 'bindComplete', 'noData', 'Z:I']);
    expect(t.session.calls).toEqual(['prepare insert']);
  });

  it('reports the transaction status of its own group at Sync', async () => {
    const t = setup();
    await t.send(parse('begin'), bind(), execute(), sync, parse('insert'), bind(), execute(), sync, parse('commit'), bind(), execute(), sync);
    expect(await t.types()).toEqual([
      'parseComplete', 'bindComplete', 'C:BEGIN', 'Z:T', 'parseComplete', 'bindComplete', 'C:INSERT 0 1', 'Z:T', 'parseComplete', 'bindComplete', 'C:COMMIT', 'Z:I',
    ]);
  });

  it('holds the transaction failed after an error the shim raised, until it ends (COMMIT rolls back)', async () => {
    const t = setup();
    await t.send({ type: 'query', sql: 'begin' }, bind([], { statement: 'nope' }), sync);
    expect(await t.types()).toEqual(['C:BEGIN', 'Z:T', 'E:26000', 'Z:E']);
    await t.send(parse('rows 1'), bind(), execute(), sync, { type: 'query', sql: 'rows 1' });
    expect(await t.types()).toEqual(['parseComplete', 'bindComplete', 'E:25P02', 'Z:E', 'E:25P02', 'Z:E']);
    await t.send(parse('COMMIT'), bind(), execute(), sync, { type: 'query', sql: 'rows 1' });
    expect(await t.types()).toEqual(['parseComplete', 'bindComplete', 'C:ROLLBACK', 'Z:I', 'rowDescription', 'dataRow', 'C:SELECT 1', 'Z:I']);
    expect(t.session.calls).toEqual(['query begin', 'query ROLLBACK', 'query rows 1']);
  });

  it('does not hold an autocommit session failed after an error the shim raised', async () => {
    const t = setup();
    await t.send(bind([], { statement: 'nope' }), sync, { type: 'query', sql: 'rows 1' });
    expect(await t.types()).toEqual(['E:26000', 'Z:I', 'rowDescription', 'dataRow', 'C:SELECT 1', 'Z:I']);
  });

  it('answers SHOW of a fixed setting without the session, in both protocols', async () => {
    const t = setup();
    await t.send(parse('SHOW integer_datetimes'), describeS(), bind(), describeP(), execute(), sync, { type: 'query', sql: 'show TimeZone;' });
    const out = await t.out();
    expect(out.map((m) => m.type)).toEqual([
      'parseComplete', 'parameterDescription', 'rowDescription', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery',
      'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery',
    ]);
    expect(out[5]).toEqual({ type: 'dataRow', values: [Buffer.from('on')] });
    expect(out[8]).toMatchObject({ columns: [{ name: 'TimeZone', typeOid: 25 }] });
    expect(out[9]).toEqual({ type: 'dataRow', values: [Buffer.from('UTC')] });
    expect(t.session.calls).toEqual([]);
  });

  it('issues pipelined groups without waiting for earlier answers, and answers in order', async () => {
    const t = setup();
    await t.send(parse('wait 30'), bind(), execute(), sync, parse('rows 1'), bind(), execute(), sync, { type: 'query', sql: 'rows 2' });
    // All three calls are with the session before the first has answered.
    expect(t.session.calls).toEqual(['execute wait 30 []', 'execute rows 1 []', 'query rows 2']);
    expect(t.protocol.inFlight).toBeGreaterThan(0);
    expect(await t.types()).toEqual([
      'parseComplete', 'bindComplete', 'dataRow', 'C:SELECT 1', 'Z:I', 'parseComplete', 'bindComplete', 'dataRow', 'C:SELECT 1', 'Z:I',
      'rowDescription', 'dataRow', 'dataRow', 'C:SELECT 2', 'Z:I',
    ]);
    expect(t.protocol.inFlight).toBe(0);
  });
});

describe('simple query', () => {
  it('writes notices first, then each result, an empty query and errors', async () => {
    const t = setup();
    await t.send({ type: 'query', sql: 'notice; rows 1; fail; rows 2' }, { type: 'query', sql: '' });
    const out = await t.out();
    expect(out.map((m) => m.type)).toEqual(['notice', 'rowDescription', 'dataRow', 'commandComplete', 'rowDescription', 'dataRow', 'commandComplete', 'error', 'readyForQuery', 'emptyQueryResponse', 'readyForQuery']);
    expect(out[1]).toMatchObject({ formats: [] });
  });

  it('reports SHOW in a failed transaction as 25P02', async () => {
    const t = setup();
    await t.send({ type: 'query', sql: 'begin; fail' }, { type: 'query', sql: 'show server_version' });
    expect(await t.types()).toEqual(['C:BEGIN', 'E:23505', 'Z:E', 'E:25P02', 'Z:E']);
  });
});
