/**
 * @module numeric: int16 ndigits, weight, sign, dscale, then ndigits base-10000 digits, the
 * first worth 10000^weight. SqlValue is the decimal string, exact at any size.
 */
import { OID } from '../../tunnel/oids.ts';
import { badBinary, withTextIO } from './codec.ts';

const POS = 0x0000;
const NEG = 0x4000;
const NAN = 0xc000;
const PINF = 0xd000;
const NINF = 0xf000;

export function encodeNumeric(text: string): Buffer {
  const head = (ndigits: number, weight: number, sign: number, dscale: number) => {
    const b = Buffer.alloc(8 + ndigits * 2);
    b.writeInt16BE(ndigits, 0);
    b.writeInt16BE(weight, 2);
    b.writeUInt16BE(sign, 4);
    b.writeInt16BE(dscale, 6);
    return b;
  };
  if (text === 'NaN') return head(0, 0, NAN, 0);
  if (text === 'Infinity') return head(0, 0, PINF, 0);
  if (text === '-Infinity') return head(0, 0, NINF, 0);
  const neg = text.startsWith('-');
  const [ip, fp = ''] = (neg ? text.slice(1) : text).split('.');
  // Align both parts on base-10000 boundaries around the decimal point.
  const intDigits = ip.replace(/^0+/, '');
  const padded = intDigits.padStart(Math.ceil(intDigits.length / 4) * 4, '0') + fp.padEnd(Math.ceil(fp.length / 4) * 4, '0');
  const digits: number[] = [];
  for (let i = 0; i < padded.length; i += 4) digits.push(Number(padded.slice(i, i + 4)));
  let weight = Math.ceil(intDigits.length / 4) - 1;
  while (digits.length && digits[0] === 0) {
    digits.shift();
    weight--;
  }
  while (digits.length && digits[digits.length - 1] === 0) digits.pop();
  if (!digits.length) weight = 0;
  const out = head(digits.length, weight, neg && digits.length ? NEG : POS, fp.length);
  digits.forEach((d, i) => out.writeUInt16BE(d, 8 + i * 2));
  return out;
}

export function decodeNumeric(b: Buffer): string | undefined {
  if (b.length < 8) return undefined;
  const n = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (sign === NAN) return 'NaN';
  if (sign === PINF) return 'Infinity';
  if (sign === NINF) return '-Infinity';
  if ((sign !== POS && sign !== NEG) || n < 0 || dscale < 0 || b.length !== 8 + n * 2) return undefined;
  const digits: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = b.readUInt16BE(8 + i * 2);
    if (d > 9999) return undefined;
    digits.push(d);
  }
  let int = '';
  for (let w = 0; w <= weight; w++) int += String(digits[w] ?? 0).padStart(4, '0');
  let frac = weight < -1 ? '0'.repeat((-1 - weight) * 4) : '';
  for (let i = Math.max(weight + 1, 0); i < n; i++) frac += String(digits[i]).padStart(4, '0');
  int = int.replace(/^0+/, '') || '0';
  frac = frac.padEnd(dscale, '0').slice(0, dscale);
  const abs = `${int}${dscale ? `.${frac}` : ''}`;
  return sign === NEG && /[1-9]/.test(abs) ? `-${abs}` : abs;
}

export const numericCodec = withTextIO(OID.numeric, {
  encodeBinary: (v) => encodeNumeric(String(v)),
  decodeBinary: (b) => decodeNumeric(b) ?? badBinary(),
});
