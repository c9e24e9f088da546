/**
 * @module float4/float8 → int2/int4/int8 casts as PostgreSQL does them: rounded half to even
 * (rint), then range-checked (22003); NaN and infinities are out of range too. SQLite's CAST
 * truncates and saturates instead.
 */
import { OID } from '../../../tunnel/oids.ts';
import { checkedInteger, raiseSql } from './runtime-errors.ts';

export function floatToInteger(x: string, target: number): string {
  const i = `CAST(${x} AS INTEGER)`;
  const f = `(${x} - ${i})`;
  const step = `(CASE WHEN ${f} > 0.5 OR (${f} = 0.5 AND ${i} % 2 <> 0) THEN 1 WHEN ${f} < -0.5 OR (${f} = -0.5 AND ${i} % 2 <> 0) THEN -1 ELSE 0 END)`;
  // NaN is stored as the text 'NaN' (values/storage.ts); 2^63 is the first double past int8.
  const outside = `typeof(${x}) NOT IN ('integer', 'real') OR ${x} >= 9223372036854775808.0 OR ${x} < -9223372036854775808.0`;
  const key = target === OID.int2 ? 'int2_range' : target === OID.int4 ? 'int4_range' : 'int8_range';
  const rounded = `(CASE WHEN ${x} IS NULL THEN NULL WHEN ${outside} THEN ${raiseSql(key)} ELSE ${i} + ${step} END)`;
  return target === OID.int8 ? rounded : checkedInteger(rounded, target);
}
