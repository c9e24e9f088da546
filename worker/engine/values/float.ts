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

/** The shortest decimal digits and exponent that round-trip `v` in its width. */
function shortest(v: number, float4: boolean): { digits: string; exp: number } {
  let s = v.toExponential();
  if (float4) {
    for (let p = 1; p <= 9; p++) {
      const t = v.toExponential(p - 1);
      if (Math.fround(Number(t)) === v) {
        s = t;
        break;
      }
    }
  }
  const [mant, e] = s.split('e');
  return { digits: mant!.replace('.', '').replace(/0+$/, '') || '0', exp: Number(e) };
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
