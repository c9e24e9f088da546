import { describe, expect, it } from 'vitest';
import { divideAsNumeric, finishAggregate } from '../../../worker/engine/translate/avg.ts';

// Expected values are what PostgreSQL 15 prints for avg() over integers with that sum and count.
describe('avg over integers as numeric', () => {
  it.each([
    [10n, 4n, '2.5000000000000000'],
    [6n, 3n, '2.0000000000000000'],
    [200000n, 2n, '100000.000000000000'],
    [1n, 3n, '0.33333333333333333333'],
    [2n, 3n, '0.66666666666666666667'],
    [-2n, 3n, '-0.66666666666666666667'],
    [0n, 5n, '0.00000000000000000000'],
    [9223372036854775807n, 1n, '9223372036854775807'],
  ])('%s / %s', (sum, count, text) => {
    expect(divideAsNumeric(sum, count)).toBe(text);
  });

  it('is NULL over no rows', () => {
    expect(finishAggregate('avg', null)).toBeNull();
    expect(finishAggregate('avg', '10/4')).toBe('2.5000000000000000');
  });

  it('sums int8 beyond 2^63 from 32-bit halves', () => {
    // 9223372036854775807 + 1800000000000000001: high halves 2147483647 + 419095158, low 4294967295 + 2070020097.
    const hi = (9223372036854775807n >> 32n) + (1800000000000000001n >> 32n);
    const lo = (9223372036854775807n & 0xffffffffn) + (1800000000000000001n & 0xffffffffn);
    expect(finishAggregate('sum', `${hi}/${lo}/2`)).toBe('11023372036854775808');
    expect(finishAggregate('avg', `${hi}/${lo}/2`)).toBe('5511686018427387904');
    expect(finishAggregate('sum', `${-1n >> 32n}/${-1n & 0xffffffffn}/1`)).toBe('-1');
  });
});
