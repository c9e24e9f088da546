/**
 * Differential: explicit casts of constants. Each case parses `input` as the source type,
 * casts with castValue and prints the target's text; PostgreSQL 15 runs
 * `SELECT $1::from::to`. Output, or SQLSTATE and message, must agree.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isPgError } from '../../../worker/engine/errors.ts';
import { castValue, formatText, parseText } from '../../../worker/engine/values/index.ts';
import { startPostgres, type Reference } from './pg-server.ts';
import { oidOf } from './type-oids.ts';

const CASTS: [from: string, to: string, inputs: string[]][] = [
  ['numeric', 'int4', ['2.5', '-2.5', '3.49', '2147483647.4', '2147483647.5', '-2147483648.5', 'NaN', 'Infinity', '0.5', '-0.5']],
  ['numeric', 'int8', ['9223372036854775807', '9223372036854775807.5', '-9223372036854775808.4', '1800000000000000001.5']],
  ['numeric', 'int2', ['32767.5', '-32768.4', '-Infinity']],
  ['float8', 'int4', ['2.5', '3.5', '-2.5', '-3.5', '2147483647.4', '2147483647.5', '-2147483648.5', '-2147483648.6', 'NaN', 'Infinity', '1e10']],
  ['float8', 'int8', ['9223372036854775807', '-9223372036854775808', '1e19', '1.8e18']],
  ['float4', 'int2', ['32767.4', '32767.6', '-32768.5']],
  ['text', 'int4', ['2.5', ' 42 ', 'abc', '99999999999']],
  ['text', 'int8', ['1800000000000000001', '9223372036854775808']],
  ['int8', 'int4', ['2147483647', '2147483648', '-2147483648', '-2147483649']],
  ['int8', 'int2', ['32767', '32768']],
  ['int4', 'int2', ['-32768', '-32769']],
  ['int2', 'int8', ['-32768']],
  ['int4', 'int8', ['2147483647']],
  ['int8', 'float8', ['9223372036854775807', '1800000000000000001', '-1', '9007199254740993']],
  ['int8', 'float4', ['16777217', '-9223372036854775808']],
  ['int4', 'float8', ['2147483647']],
  ['int8', 'numeric', ['-9223372036854775808']],
  ['float8', 'numeric', ['0.1', '1e20', '1.5', '-0', 'NaN', 'Infinity', '0.30000000000000004', '123456789.123456789', '1e-10', '5e-324', '1e300']],
  ['float4', 'numeric', ['0.1', '3.4e38', '1.5']],
  ['numeric', 'float8', ['0.1', '1.50', 'NaN', '-Infinity', '123456789012345678901234567890', '1e400', '1e-400']],
  ['numeric', 'float4', ['0.1', '1e39', '1e-50']],
  ['float8', 'float4', ['0.1', '1e39', '1e-50', '-0', 'NaN', 'Infinity', '3.4028235e38']],
  ['float4', 'float8', ['0.1', '1.5', '-Infinity']],
  ['bool', 'text', ['t', 'f']],
  ['bool', 'int4', ['t', 'f']],
  ['int4', 'bool', ['0', '1', '-5']],
  ['text', 'bool', ['yes', 'off', 'maybe']],
  ['int4', 'text', ['-42']],
  ['int8', 'text', ['-9223372036854775808']],
  ['float8', 'text', ['1e20', '0.1', 'NaN', '-0']],
  ['float4', 'text', ['0.1']],
  ['numeric', 'text', ['1.50']],
  ['text', 'numeric', ['1.5e3', 'abc']],
  ['text', 'float8', ['1e400', ' 1.5 ']],
  ['text', 'bytea', ['\\x0102', 'abc', '\\xz']],
  ['bytea', 'text', ['\\x0102', '\\x']],
  ['text', 'uuid', ['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'x']],
  ['uuid', 'text', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']],
  ['text', 'date', ['2024-02-29', '2023-02-29']],
  ['date', 'text', ['2024-02-29', '0044-03-15 BC']],
  ['text', 'timestamptz', ['2024-01-02 03:04:05+05:30', 'x']],
  ['timestamptz', 'text', ['2024-01-02 03:04:05.5+00']],
  ['text', 'timestamp', ['2024-01-02 03:04:05.123']],
  ['date', 'timestamp', ['2024-01-02', '0044-03-15 BC']],
  ['date', 'timestamptz', ['1969-12-31']],
  ['timestamp', 'date', ['2024-01-02 23:59:59.999999', '1969-12-31 12:00', '0044-03-15 12:30 BC']],
  ['timestamptz', 'date', ['1970-01-01 00:00:00.000001+00']],
  ['timestamp', 'timestamptz', ['2024-01-02 03:04:05']],
  ['timestamptz', 'timestamp', ['2024-01-02 03:04:05+01']],
  ['text', 'jsonb', ['{"b":1,"a":[1,2]}', '{']],
  ['jsonb', 'text', ['{"b":1,"a":[1,2]}']],
  ['json', 'jsonb', ['{"b":1,"a":1.50,"b":2}']],
  ['jsonb', 'json', ['{"b":1,"a":1.50}']],
  ['text', 'json', ['[1, 2]']],
  ['text', 'varchar', ['abc']],
  ['bpchar', 'text', ['ab  ']],
  ['text', 'name', ['x'.repeat(70)]],
  ['int4', 'bytea', ['1']],
  ['bytea', 'int4', ['\\x01']],
  ['int8', 'bool', ['1']],
  ['date', 'int4', ['2024-01-01']],
  ['uuid', 'bytea', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']],
  ['int4', 'json', ['1']],
  ['text', 'int4[]', ['{1,2}', '{1,x}']],
  ['int4[]', 'int8[]', ['{1,NULL,2}']],
  ['int8[]', 'int4[]', ['{1,3000000000}']],
  ['int4[]', 'text', ['{1,NULL,2}']],
  ['text[]', 'text', ['{"a b",NULL}']],
  ['numeric[]', 'int4[]', ['{1.5,2.5}']],
  ['text[]', 'int4[]', ['{1,2}']],
];

let pg: Reference;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});

function ours(from: string, to: string, input: string): { ok: string | null } | { code: string; message: string } {
  const v = parseText(oidOf(from), input);
  if (isPgError(v)) throw new Error(`source did not parse: ${v.message}`);
  const c = castValue(oidOf(from), oidOf(to), v);
  if (isPgError(c)) return { code: c.sqlstate, message: c.message };
  return { ok: c === null ? null : formatText(oidOf(to), c) };
}

for (const [from, to, inputs] of CASTS) {
  describe(`${from} → ${to} matches PostgreSQL`, () => {
    for (const input of inputs) {
      test(JSON.stringify(input), async () => {
        const r = await pg.query(`SELECT $1::${from}::${to}`, [input]);
        expect(ours(from, to, input)).toEqual('ok' in r ? { ok: r.ok[0]![0] } : { code: r.code, message: r.message });
      });
    }
  });
}
