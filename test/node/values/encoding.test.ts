/**
 * Text PostgreSQL could never receive: NUL and unpaired surrogates fail with 22021 for every
 * type's text input (PostgreSQL rejects them before any input function runs), and unsupported
 * forms fail with a clean 0A000 rather than a wrong value.
 */
import { describe, expect, test } from 'vitest';
import { OID } from '../../../tunnel/oids.ts';
import { parseText } from '../../../worker/engine/values/index.ts';

const NUL = { sqlstate: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' };

describe('22021 for unencodable text', () => {
  const cases: [string, number, string][] = [
    ['text', OID.text, 'a\u0000'],
    ['int4', OID.int4, '1\u0000'],
    ['bytea', OID.bytea, '\\x00\u0000'],
    ['json', OID.json, '"\u0000"'],
    ['jsonb', OID.jsonb, '{"a":"\u0000"}'],
    ['text[]', OID.textArray, '{"\u0000"}'],
    ['name', OID.name, '\u0000'],
  ];
  for (const [name, oid, text] of cases) test(name, () => expect(parseText(oid, text)).toMatchObject(NUL));
  test('a lone low surrogate', () => {
    expect(parseText(OID.text, '\udc00x')).toMatchObject({ sqlstate: '22021', message: 'invalid byte sequence for encoding "UTF8": 0xed 0xb0 0x80' });
  });
  test('a proper surrogate pair is fine', () => expect(parseText(OID.text, '😀')).toBe('😀'));
});

describe('0A000 for what the layer does not support', () => {
  const cases: [string, number, string][] = [
    ['infinite timestamp', OID.timestamptz, 'infinity'],
    ['infinite date', OID.date, '-infinity'],
    ['clock-relative date', OID.date, 'today'],
    ['now', OID.timestamp, 'now'],
    ['multidimensional array', OID.int4Array, '{{1,2},{3,4}}'],
    ['array bounds decoration', OID.int4Array, '[1:2]={1,2}'],
    ['interval', OID.interval, '1 day'],
    // ICU's zone history (Intl) and PostgreSQL's tzdata differ before 1970: refused, not guessed.
    ['a zone name before 1970', OID.timestamptz, '1900-01-01 00:00 Europe/Amsterdam'],
  ];
  for (const [name, oid, text] of cases) test(name, () => expect(parseText(oid, text)).toMatchObject({ sqlstate: '0A000' }));
});

describe('date/time input outside PostgreSQL\'s forms fails cleanly', () => {
  test('an unknown zone name is 22023, an unknown word 22007', () => {
    expect(parseText(OID.timestamptz, '2024-01-02 03:04 Mars/Olympus')).toMatchObject({ sqlstate: '22023', message: 'time zone "mars/olympus" not recognized' });
    expect(parseText(OID.timestamptz, '2024-01-02 03:04 foo')).toMatchObject({ sqlstate: '22007' });
  });
  test('a two-digit first field is the month (MDY), never a year', () => {
    expect(parseText(OID.date, '24-01-02')).toMatchObject({ sqlstate: '22008' });
    expect(parseText(OID.date, '01-02-24')).toBe('2024-01-02');
  });
});
