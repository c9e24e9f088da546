/**
 * @module text, varchar, bpchar and name: PostgreSQL stores UTF-8 and rejects NUL, so a string
 * that cannot be encoded (NUL, an unpaired surrogate) fails as PostgreSQL's input would: 22021.
 */
import type { PgError } from '../../../tunnel/types.ts';
import { OID } from '../../../tunnel/oids.ts';
import { invalidByteSequence } from '../errors.ts';

/** Maximum bytes of a `name` (NAMEDATALEN - 1); longer input is silently truncated. */
const NAME_MAX_BYTES = 63;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** 22021 if `s` holds a character UTF-8 cannot carry into PostgreSQL, else undefined. */
export function checkEncodable(s: string): PgError | undefined {
  const nul = s.indexOf('\u0000');
  if (nul >= 0) return invalidByteSequence('0x00');
  const lone = LONE_SURROGATE.exec(s);
  if (lone !== null) {
    // The bytes a lone surrogate would have in CESU-8, which is what PostgreSQL would name.
    const code = lone[0].charCodeAt(0);
    const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
    return invalidByteSequence(bytes.map((b) => `0x${b.toString(16)}`).join(' '));
  }
  return undefined;
}

/** Text input for the string types; `name` truncates at 63 bytes on a character boundary. */
export function parseString(oid: number, text: string): string | PgError {
  const bad = checkEncodable(text);
  if (bad !== undefined) return bad;
  if (oid === OID.name) return truncateUtf8(text, NAME_MAX_BYTES);
  return text;
}

const utf8 = new TextEncoder();

function truncateUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const c of s) {
    const n = utf8.encode(c).length;
    if (bytes + n > maxBytes) break;
    bytes += n;
    out += c;
  }
  return out;
}
