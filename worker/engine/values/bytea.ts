/**
 * @module bytea text input (byteain: `\x` hex with whitespace between pairs, or the escape
 * format with `\\` and `\ooo`) and text output (hex, bytea_output = 'hex').
 */
import type { PgError } from '../../../tunnel/types.ts';
import { invalidParameterValue, invalidSyntax } from '../errors.ts';

const HEX_SPACE = new Set([' ', '\n', '\t', '\r']);

function hexValue(c: string): number {
  return /^[0-9a-fA-F]$/.test(c) ? parseInt(c, 16) : -1;
}

function decodeHex(text: string): Uint8Array | PgError {
  const chars = [...text.slice(2)];
  const out: number[] = [];
  for (let i = 0; i < chars.length; ) {
    if (HEX_SPACE.has(chars[i]!)) {
      i++;
      continue;
    }
    const hi = hexValue(chars[i]!);
    if (hi < 0) return invalidParameterValue(`invalid hexadecimal digit: "${chars[i]}"`);
    if (i + 1 >= chars.length) return invalidParameterValue('invalid hexadecimal data: odd number of digits');
    const lo = hexValue(chars[i + 1]!);
    if (lo < 0) return invalidParameterValue(`invalid hexadecimal digit: "${chars[i + 1]}"`);
    out.push(hi * 16 + lo);
    i += 2;
  }
  return Uint8Array.from(out);
}

function decodeEscape(text: string): Uint8Array | PgError {
  const src = new TextEncoder().encode(text);
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
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function formatBytea(bytes: Uint8Array): string {
  return `\\x${toHex(bytes)}`;
}
