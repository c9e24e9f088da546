/**
 * @module numeric text input (numeric_in: whitespace, sign, digits with an optional point and
 * exponent, NaN and the infinities of PostgreSQL 14+) and canonical output, which keeps the
 * display scale (`1.50` stays `1.50`, `1.5e-3` is `0.0015`, `-0` is `0`). The canonical text is
 * also numeric's storage form.
 */
import type { PgError } from '../../../tunnel/types.ts';
import { invalidTextRepresentation, numericFieldOverflow } from '../errors.ts';

const NUMBER = /^[ \t\n\r\v\f]*([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?[ \t\n\r\v\f]*$/;
const SPECIAL = /^[ \t\n\r\v\f]*([+-]?)(nan|inf|infinity)[ \t\n\r\v\f]*$/i;
/** PostgreSQL's limits: 131072 digits before the point, 16383 after. */
const MAX_INT_DIGITS = 131072;
const MAX_SCALE = 16383;

export function parseNumeric(text: string): string | PgError {
  const special = SPECIAL.exec(text);
  if (special !== null) {
    if (special[2]!.toLowerCase() === 'nan') return special[1] === '' ? 'NaN' : invalidTextRepresentation('numeric', text);
    return special[1] === '-' ? '-Infinity' : 'Infinity';
  }
  const m = NUMBER.exec(text);
  const int = m?.[2] ?? '';
  const frac = m?.[3] ?? '';
  if (m === null || int.length + frac.length === 0) return invalidTextRepresentation('numeric', text);
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  // numeric_in refuses exponents of INT_MAX / 2 and beyond, even on a zero.
  if (!(Math.abs(exp) < 1073741823)) return numericFieldOverflow('value overflows numeric format');
  const all = int + frac;
  const nonzero = /[1-9]/.test(all);
  // A zero with a large exponent is still just zero; only nonzero digits can overflow.
  const point = nonzero ? int.length + exp : Math.min(int.length + exp, all.length);
  const scale = Math.max(0, frac.length - exp);
  if ((nonzero && point > MAX_INT_DIGITS) || scale > MAX_SCALE) return numericFieldOverflow('value overflows numeric format');
  let intPart: string;
  let fracPart: string;
  if (point <= 0) {
    intPart = '';
    fracPart = '0'.repeat(-point) + all;
  } else if (point >= all.length) {
    intPart = all + '0'.repeat(point - all.length);
    fracPart = '';
  } else {
    intPart = all.slice(0, point);
    fracPart = all.slice(point);
  }
  fracPart = fracPart.padEnd(scale, '0').slice(0, scale);
  intPart = intPart.replace(/^0+/, '') || '0';
  const zero = intPart === '0' && !/[1-9]/.test(fracPart);
  const sign = m[1] === '-' && !zero ? '-' : '';
  return fracPart === '' ? `${sign}${intPart}` : `${sign}${intPart}.${fracPart}`;
}

/** Numeric canonical text for an integer. */
export function numericFromBigInt(v: bigint): string {
  return v.toString();
}

/**
 * Rounds a canonical numeric to an integer, half away from zero (numeric → int casts), or
 * returns undefined for NaN and the infinities.
 */
export function roundNumericToBigInt(canonical: string): bigint | undefined {
  if (!/^-?[0-9]/.test(canonical)) return undefined;
  const [int, frac = ''] = canonical.split('.');
  const negative = int!.startsWith('-');
  let v = BigInt(int!.replace('-', ''));
  if (frac !== '' && frac[0]! >= '5') v += 1n;
  return negative ? -v : v;
}
