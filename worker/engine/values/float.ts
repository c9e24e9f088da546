/**
 * @module float4 and float8: text input as PostgreSQL 15's float8in/float4in (strtod syntax,
 * including hex floats, inf/infinity/nan spellings), and shortest round-trip output as
 * PostgreSQL 12+ prints it (ryu: fixed notation for decimal exponents -4..14 (float4: ..5),
 * else `1e+20` style with at least two exponent digits).
 */
import type { PgError } from '../../../tunnel/types.ts';
import { OID } from '../../../tunnel/oids.ts';
import { floatOutOfRange, invalidTextRepresentation } from '../errors.ts';
import { typeName } from './type-names.ts';

const DECIMAL = /^[ \t\n\r\v\f]*([+-]?)((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t\n\r\v\f]*$/;
const HEX = /^[ \t\n\r\v\f]*([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?[0-9]+))?[ \t\n\r\v\f]*$/;
const SPECIAL = /^[ \t\n\r\v\f]*([+-]?)(inf|infinity|nan(?:\([0-9A-Za-z_]*\))?)[ \t\n\r\v\f]*$/i;

function hexFloat(digits: string, exp: string | undefined): number {
  const [int, frac = ''] = digits.split('.');
  let v = 0;
  for (const d of int! + frac) v = v * 16 + parseInt(d, 16);
  return v * 2 ** ((exp === undefined ? 0 : Number(exp)) - 4 * frac.length);
}

/** Text input for float4/float8 (`oid` picks the range and the rounding). */
export function parseFloat(oid: number, text: string): number | PgError {
  let v: number;
  let nonzeroDigits: boolean;
  let m: RegExpExecArray | null;
  if ((m = DECIMAL.exec(text)) !== null) {
    v = Number(m[2]);
    nonzeroDigits = /[1-9]/.test(m[2]!.split(/[eE]/)[0]!);
  } else if ((m = HEX.exec(text)) !== null) {
    v = hexFloat(m[2]!, m[3]);
    nonzeroDigits = /[1-9a-fA-F]/.test(m[2]!);
  } else if ((m = SPECIAL.exec(text)) !== null) {
    v = m[2]!.toLowerCase().startsWith('nan') ? NaN : Infinity;
    nonzeroDigits = true;
  } else {
    return invalidTextRepresentation(typeName(oid), text);
  }
  if (m[1] === '-') v = -v;
  if (oid === OID.float4 && Number.isFinite(v)) v = Math.fround(v);
  // strtod's ERANGE: overflow to infinity, or underflow of a nonzero literal to zero.
  const special = !DECIMAL.test(text) && !HEX.test(text);
  if ((!special && !Number.isFinite(v)) || (v === 0 && nonzeroDigits)) return floatOutOfRange(typeName(oid), text);
  return v;
}

/** `v` (positive, finite) as m × 2^e exactly, and whether its lower neighbour is closer. */
function decompose(v: number, float4: boolean): { m: bigint; e: number; boundary: boolean } {
  const view = new DataView(new ArrayBuffer(8));
  if (float4) {
    view.setFloat32(0, v);
    const bits = view.getUint32(0);
    const exp = (bits >>> 23) & 0xff;
    const frac = bits & 0x7fffff;
    if (exp === 0) return { m: BigInt(frac), e: -149, boundary: false };
    return { m: BigInt(frac | 0x800000), e: exp - 150, boundary: frac === 0 && exp > 1 };
  }
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const exp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (exp === 0) return { m: frac, e: -1074, boundary: false };
  return { m: frac | (1n << 52n), e: exp - 1075, boundary: frac === 0n && exp > 1 };
}

const pow = (b: bigint, n: number): bigint => b ** BigInt(n);

/**
 * The shortest digits whose decimal lies strictly inside `v`'s rounding interval, rounded
 * half to even: Ryu as PostgreSQL builds it, which (unlike JS) never prints a decimal that
 * sits exactly on the boundary between two floats. Exact in BigInt arithmetic.
 */
function shortest(v: number, float4: boolean): { digits: string; exp: number } {
  const { m, e, boundary } = decompose(v, float4);
  // For float8, JS's shortest is never longer: its interval includes the boundaries.
  const start = float4 ? 1 : v.toExponential().split('e')[0]!.replace('.', '').length;
  let E = Math.floor(Math.log10(v));
  const exact = (q: number) => ({ num: m * pow(2n, Math.max(e, 0)) * pow(10n, Math.max(-q, 0)), den: pow(2n, Math.max(-e, 0)) * pow(10n, Math.max(q, 0)) });
  // Fix E so that 10^E <= v < 10^(E+1).
  for (;;) {
    const { num, den } = exact(E);
    if (num < den) E--;
    else if (num >= 10n * den) E++;
    else break;
  }
  for (let p = start; p <= 17; p++) {
    const q = E - p + 1;
    const { num, den } = exact(q);
    let c = num / den;
    const r2 = 2n * (num % den);
    if (r2 > den || (r2 === den && c % 2n === 1n)) c++;
    // Scale so every quantity is an integer: × 2^max(0, 2-e) × 10^max(0, -q).
    const a = Math.max(0, 2 - e);
    const b = Math.max(0, -q);
    const vS = m * pow(2n, e + a) * pow(10n, b);
    const hHigh = pow(2n, e - 1 + a) * pow(10n, b);
    const hLow = boundary ? hHigh / 2n : hHigh;
    const inside = (cand: bigint) => {
      const cS = cand * pow(10n, q + b) * pow(2n, a);
      return cS >= vS ? cS - vS < hHigh : vS - cS < hLow;
    };
    const found = [c, c + 1n, c - 1n].find(inside);
    if (found === undefined) continue;
    let digits = found.toString();
    let exp = E;
    if (digits.length > p) exp++; // rounded up to a power of ten
    digits = digits.replace(/0+$/, '') || '0';
    return { digits, exp };
  }
  throw new Error(`no shortest representation for ${v}`);
}

/** PostgreSQL's text output for float4/float8 (extra_float_digits = 1, the default). */
export function formatFloat(oid: number, v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  if (v === 0) return `${sign}0`;
  const float4 = oid === OID.float4;
  const { digits, exp } = shortest(Math.abs(v), float4);
  if (exp >= -4 && exp < (float4 ? 6 : 15)) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
    return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  const e = Math.abs(exp).toString().padStart(2, '0');
  return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${e}`;
}
