/** @module bool text input (boolin: trimmed, case-insensitive prefixes of the words) and output. */
import type { PgError } from '../../../tunnel/types.ts';
import { invalidTextRepresentation } from '../errors.ts';

const TRIM = /^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g;

/** Words and the shortest prefix PostgreSQL accepts for each ('o' alone is ambiguous). */
const WORDS: readonly (readonly [string, number, boolean])[] = [
  ['true', 1, true],
  ['false', 1, false],
  ['yes', 1, true],
  ['no', 1, false],
  ['on', 2, true],
  ['off', 2, false],
];

export function parseBoolean(text: string): boolean | PgError {
  const s = text.replace(TRIM, '').toLowerCase();
  if (s === '1') return true;
  if (s === '0') return false;
  for (const [word, min, value] of WORDS) {
    if (s.length >= min && word.startsWith(s)) return value;
  }
  return invalidTextRepresentation('boolean', text);
}

export function formatBoolean(v: boolean): string {
  return v ? 't' : 'f';
}
