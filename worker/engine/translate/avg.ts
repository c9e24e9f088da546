/**
 * @module avg() over integers. PostgreSQL returns numeric: sum / count with the division's
 * display scale (select_div_scale in numeric.c), which SQLite's floating avg() cannot give.
 * So a top-level avg(int) selects "sum/count" as text and `finishAggregate` divides exactly in JS.
 */

/**
 * SQL for the exact sum and the count of an integer expression, as text "sum/count". An int8
 * sum can pass 2^63, where SQLite fails with "integer overflow" and PostgreSQL (numeric) does
 * not, so int8 is summed as high and low 32-bit halves: "high/low/count".
 */
export function sumCountSql(arg: string, int8: boolean): string {
  const count = `CAST(count(${arg}) AS TEXT)`;
  if (!int8) return `CAST(sum(${arg}) AS TEXT) || '/' || ${count}`;
  return `CAST(sum((${arg}) >> 32) AS TEXT) || '/' || CAST(sum((${arg}) & 4294967295) AS TEXT) || '/' || ${count}`;
}

/** The exact sum and count from `sumCountSql`'s text. */
function parseSumCount(raw: string): { sum: bigint; count: bigint } {
  const parts = raw.split('/').map(BigInt);
  if (parts.length === 2) return { sum: parts[0], count: parts[1] };
  return { sum: parts[0] * 2n ** 32n + parts[1], count: parts[2] };
}

/** Weight and first digit of |x| in base 10000, as numeric.c sees an integer. */
function baseDigits(x: bigint): { weight: number; first: number } {
  const s = (x < 0n ? -x : x).toString();
  if (s === '0') return { weight: 0, first: 0 };
  const weight = Math.floor((s.length - 1) / 4);
  return { weight, first: Number(s.slice(0, s.length - weight * 4)) };
}

/** numeric_div(sum, count) for integer operands: PostgreSQL's scale and half-away-from-zero rounding. */
export function divideAsNumeric(sum: bigint, count: bigint): string {
  const a = baseDigits(sum);
  const b = baseDigits(count);
  let qweight = a.weight - b.weight;
  if (a.first <= b.first) qweight--;
  const scale = Math.min(Math.max(16 - qweight * 4, 0), 1000);
  const scaled = sum * 10n ** BigInt(scale);
  let q = scaled / count;
  const r = scaled % count;
  const abs = (v: bigint) => (v < 0n ? -v : v);
  if (2n * abs(r) >= abs(count)) q += (scaled < 0n) !== (count < 0n) ? -1n : 1n;
  const neg = q < 0n;
  const digits = abs(q).toString().padStart(scale + 1, '0');
  const text = scale ? `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}` : digits;
  return neg ? `-${text}` : text;
}

/** The finished value of a top-level avg(int) or sum(int8) column (NULL over no rows). */
export function finishAggregate(kind: 'avg' | 'sum', raw: string | null): string | null {
  if (raw === null) return null;
  const { sum, count } = parseSumCount(raw);
  if (count === 0n) return null;
  return kind === 'sum' ? sum.toString() : divideAsNumeric(sum, count);
}
