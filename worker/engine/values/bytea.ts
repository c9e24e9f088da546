/**
 * @module bytea text input (byteain: `\x` hex with whitespace between pairs, or the escape
 * format with `\\` and `\ooo`) and text output (hex, bytea_output = 'hex').
 */
import type { PgError } from '../../../tunnel/types.ts';
import { invalidParameterValue, invalidSyntax } from '../errors.ts';

// Made once: constructing a TextEncoder/TextDecoder per value costs more than the conversion.
const DIGITS = new TextEncoder().encode('0123456789abcdef');
const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** Value of a hex digit's char code, or -1. */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

const isHexSpace = (code: number) => code === 32 || code === 10 || code === 9 || code === 13;

/** The character at `i` for a message (a whole code point, not half a surrogate pair). */
const charAt = (text: string, i: number) => String.fromCodePoint(text.codePointAt(i)!);

// Char codes, not arrays of characters: values reach tens of MB (Convex documents).
function decodeHex(text: string): Uint8Array | PgError {
  const out = new Uint8Array((text.length - 2) >> 1);
  let n = 0;
  for (let i = 2; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (isHexSpace(c)) {
      i++;
      continue;
    }
    const hi = nibble(c);
    if (hi < 0) return invalidParameterValue(`invalid hexadecimal digit: "${charAt(text, i)}"`);
    if (i + 1 >= text.length) return invalidParameterValue('invalid hexadecimal data: odd number of digits');
    const lo = nibble(text.charCodeAt(i + 1));
    if (lo < 0) return invalidParameterValue(`invalid hexadecimal digit: "${charAt(text, i + 1)}"`);
    out[n++] = hi * 16 + lo;
    i += 2;
  }
  return n === out.length ? out : out.slice(0, n);
}

function decodeEscape(text: string): Uint8Array | PgError {
  const src = encoder.encode(text);
  const out: number[] = [];
  const BS = 0x5c;
  const isOct = (b: number | undefined, max: number) => b !== undefined && b >= 0x30 && b <= max;
  for (let i = 0; i < src.length; ) {
    if (src[i] !== BS) {
      out.push(src[i++]!);
    } else if (isOct(src[i + 1], 0x33) && isOct(src[i + 2], 0x37) && isOct(src[i + 3], 0x37)) {
      out.push(((src[i + 1]! - 0x30) << 6) | ((src[i + 2]! - 0x30) << 3) | (src[i + 3]! - 0x30));
      i += 4;
    } else if (src[i + 1] === BS) {
      out.push(BS);
      i += 2;
    } else {
      return invalidSyntax('invalid input syntax for type bytea');
    }
  }
  return Uint8Array.from(out);
}

export function parseBytea(text: string): Uint8Array | PgError {
  return text.startsWith('\\x') ? decodeHex(text) : decodeEscape(text);
}

export function toHex(bytes: Uint8Array): string {
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    out[2 * i] = DIGITS[bytes[i]! >> 4]!;
    out[2 * i + 1] = DIGITS[bytes[i]! & 15]!;
  }
  return utf8.decode(out);
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
  return out;
}

export function formatBytea(bytes: Uint8Array): string {
  return `\\x${toHex(bytes)}`;
}
