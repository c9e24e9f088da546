/**
 * @module uuid text input (string_to_uuid: 32 hex digits, optional braces, a hyphen allowed
 * after any group of four digits) and canonical lower-case output.
 */
import type { PgError } from '../../../tunnel/types.ts';
import { invalidTextRepresentation } from '../errors.ts';

const HEX = /^[0-9a-fA-F]{2}$/;

export function parseUuid(text: string): string | PgError {
  const bad = () => invalidTextRepresentation('uuid', text);
  let s = text;
  const braces = s.startsWith('{');
  if (braces) s = s.slice(1);
  let hex = '';
  let i = 0;
  for (let byte = 0; byte < 16; byte++) {
    const pair = s.slice(i, i + 2);
    if (!HEX.test(pair)) return bad();
    hex += pair.toLowerCase();
    i += 2;
    if (s[i] === '-' && byte % 2 === 1 && byte < 15) i++;
  }
  if (braces) {
    if (s[i] !== '}') return bad();
    i++;
  }
  if (i !== s.length) return bad();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
