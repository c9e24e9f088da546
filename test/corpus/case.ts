/**
 * @module The differential corpus's shape: statements as data, run in order per group against
 * the reference PostgreSQL and against our stack, through the same client, and compared.
 */

/**
 * Why a case may be skipped. Only for statements our engine refuses cleanly with 0A000
 * (feature_not_supported): the harness still runs them, counts each skip under its reason,
 * and compares normally if the engine answers anything but 0A000.
 */
export const SKIP = {
  alterTable: 'ALTER TABLE forms other than ADD PRIMARY KEY',
  numericOps: 'numeric arithmetic, comparison and aggregates',
  casts: 'casts between some types',
  typmods: 'type modifiers other than varchar(n): numeric(p,s), char(n)',
  jsonOps: 'json/jsonb operators (->, ->>)',
  likeParameter: 'LIKE with a non-constant pattern',
  datetimeOps: 'date/time arithmetic',
  mathOps: 'math operators and functions not yet mapped (^, abs(numeric))',
  nestedAggregates: 'aggregates inside expressions or subqueries',
} as const;

export type SkipReason = (typeof SKIP)[keyof typeof SKIP];

export interface Case {
  /** Unique within its group; shown in reports. */
  name: string;
  sql: string;
  /** Text parameters, sent with unspecified types (OID 0), so the server infers them. */
  params?: (string | null)[];
  /** The SQLSTATE PostgreSQL answers; absent means PostgreSQL must succeed. Checks the corpus itself. */
  error?: string;
  /** Compare rows in order; by default only when the statement has ORDER BY. */
  ordered?: boolean;
  skip?: SkipReason;
  /**
   * The rest of the group depends on this statement: when it is skipped (0A000), the group's
   * remaining cases are not run and are counted as skips under the same reason.
   */
  gate?: boolean;
}

export interface Group {
  /** A lowercase identifier: the harness runs the group in a fresh schema `corpus_<name>`. */
  name: string;
  cases: Case[];
}

/** One case, compactly: `q('name', 'SELECT …', { error: '42P01' })`. */
export function q(name: string, sql: string, extra: Omit<Case, 'name' | 'sql'> = {}): Case {
  return { name, sql, ...extra };
}
