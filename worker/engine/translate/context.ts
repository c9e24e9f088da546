/**
 * @module What translation carries: the catalog, the search path, the statement's parameters
 * (their inferred types) and the failure type. Translation is deeply recursive, so a failure
 * unwinds with `Fail` (a PgError inside) and is turned back into a value at the statement
 * boundary; it is never used for bugs.
 */
import type { Column, PgError } from '../../../tunnel/types.ts';
import { OID } from '../../../tunnel/oids.ts';
import type { Catalog, SequenceDef, TableDef } from '../catalog.ts';
import { featureNotSupported, indeterminateDatatype } from '../errors.ts';
import type { LockMode } from '../locks.ts';
import type { SessionIdentity } from './virtual-relations.ts';

export class Fail extends Error {
  readonly pgError: PgError;
  constructor(pgError: PgError) {
    super(pgError.message);
    this.pgError = pgError;
  }
}

export function fail(pgError: PgError): never {
  throw new Fail(pgError);
}

export function unsupported(what: string): never {
  fail(featureNotSupported(what));
}

/** An expression translated to SQLite, with its PostgreSQL type. */
export interface Typed {
  sql: string;
  type: number;
  /** Set when the expression is a plain table column (for RowDescription). */
  source?: { tableOid: number; attnum: number };
  /** A column that can never be NULL here (NOT NULL in its table, not NULL-extended by an outer join). */
  notNull?: boolean;
  /** The SQL yields an intermediate form that execute finishes in JS (see avg.ts). */
  finish?: 'avg' | 'sum';
  /** With `finish`: SQL for the same value where SQL must use it (ORDER BY), when one exists. */
  plain?: string;
  /** A bare column that may hold an out-of-line reference: `sql` is guarded, this is not (overflow-refs.ts). */
  raw?: string;
  /** An output column carrying such references through unguarded (overflow-refs.ts). */
  overflow?: boolean;
  /** A regclass parameter resolved when the statement runs: its index in `relationSlots` (regclass.ts). */
  relationSlot?: number;
}

/** A column visible in a FROM scope. */
export interface ScopeColumn {
  name: string;
  type: number;
  sql: string;
  source?: { tableOid: number; attnum: number };
  /** NOT NULL in its table and not on the NULL-extended side of an outer join. */
  notNull?: boolean;
  /** Merged into a JOIN … USING column: reachable only qualified (join-using.ts). */
  hidden?: boolean;
  /** May hold an out-of-line bytea reference; `sql` is then unguarded (overflow-refs.ts). */
  overflow?: boolean;
}

export interface ScopeEntry {
  alias: string;
  columns: ScopeColumn[];
  /** 0 for the current query level, n for the nth enclosing query (inner names shadow outer ones). */
  depth?: number;
}

/** Scope entries of enclosing queries, one level further out. */
export function deeper(outer: ScopeEntry[]): ScopeEntry[] {
  return outer.map((e) => ({ ...e, depth: (e.depth ?? 0) + 1 }));
}

/**
 * Placeholder for the next value of a sequence (serial/identity default): slot k of the
 * statement, bound at execution after the user's parameters (plan.ts, engine.ts).
 */
export function sequenceMark(ctx: TranslateContext, seq: SequenceDef): string {
  ctx.sequenceSlots.push(seq);
  return `\u0002${ctx.sequenceSlots.length}\u0002`;
}

/** Placeholder marking parameter n in translated SQL until its type is final. */
export const paramMark = (n: number) => `\u0001${n}\u0001`;

export class TranslateContext {
  readonly catalog: Catalog;
  readonly searchPath: string[];
  /** One entry per $n (index n-1): 0 while unknown. */
  readonly paramOids: number[];
  /** FOR SHARE / FOR UPDATE: the lock the statement takes on every table it reads. */
  locking: LockMode | undefined = undefined;
  /** FOR … NOWAIT: fail at once instead of waiting. */
  lockNowait = false;
  /** User tables the statement reads (FROM items). */
  readonly reads = new Set<TableDef>();
  /** The table an INSERT/UPDATE/DELETE writes. */
  target: TableDef | undefined = undefined;
  /** The statement may change existing rows (UPDATE, DELETE, ON CONFLICT DO UPDATE). */
  updatesRows = false;
  /** CTE names visible to the statement, with their scopes. */
  readonly ctes = new Map<string, { sql: string; columns: ScopeColumn[] }>();

  /**
   * The INSERT's row-source SELECT: it may read UNNEST of array parameters (unnest.ts), and its
   * unknown parameters take the target columns' types, as in PostgreSQL.
   */
  insertRowSource: unknown = undefined;
  insertTargetTypes: number[] = [];
  /** Per SELECT node: types its unknown output parameters take (UNION partners, INSERT targets). */
  readonly outputHints = new Map<unknown, number[]>();
  /** Array parameters expanded one element per execution: parameter number → element type. */
  readonly expanded = new Map<number, number>();
  /** Sequence values the statement takes, in order (sequenceMark). */
  readonly sequenceSlots: SequenceDef[] = [];
  /** Parameters used as plain values somewhere (an expanded one must not be). */
  readonly scalarParams = new Set<number>();
  /** SELECTs (FROM subqueries, CTEs, their UNION ALL branches) whose outputs may carry out-of-line references. */
  readonly passThrough = new Set<unknown>();
  /** Parameters assigned whole to a column that may hold out-of-line values (overflow-refs.ts). */
  readonly overflowParams = new Set<number>();
  /** Text parameters cast to regclass, resolved when the statement runs (regclass.ts). */
  readonly relationSlots: { param: number; missing: 'error' | 'null' }[] = [];
  /** Tables the statement names by a constant regclass: pg_class counts their rows. */
  readonly measured = new Set<number>();

  /** Who is asking (current_user, information_schema's catalog and owner columns). */
  readonly who: SessionIdentity;

  constructor(catalog: Catalog, searchPath: string[], paramOids: number[], who: SessionIdentity = { user: 'postgres', database: 'postgres' }) {
    this.catalog = catalog;
    this.who = who;
    this.searchPath = searchPath;
    this.paramOids = [...paramOids];
  }

  /** Record a SELECT's locking clause. */
  lockFor(clause: { strength: string; waitPolicy?: string }): void {
    if (clause.waitPolicy === 'LockWaitSkip') fail(featureNotSupported('SKIP LOCKED'));
    if (clause.waitPolicy === 'LockWaitError') this.lockNowait = true;
    const mode: LockMode = clause.strength === 'LCS_FORSHARE' || clause.strength === 'LCS_FORKEYSHARE' ? 'share' : 'exclusive';
    if (this.locking !== 'exclusive') this.locking = mode;
  }

  paramType(n: number): number {
    return this.paramOids[n - 1] ?? 0;
  }

  setParamType(n: number, oid: number): void {
    while (this.paramOids.length < n) this.paramOids.push(0);
    if (!this.paramOids[n - 1]) this.paramOids[n - 1] = oid;
  }

  expandParam(n: number, elementOid: number): void {
    this.expanded.set(n, elementOid);
  }

  /** Resolve a possibly schema-qualified table name through search_path. */
  resolveTable(schema: string | undefined, name: string): TableDef | undefined {
    if (schema) return this.catalog.table(schema, name);
    for (const s of this.searchPath) {
      const t = this.catalog.table(s, name);
      if (t) return t;
    }
    return undefined;
  }

  /** The schema new objects go to: the first existing schema of search_path. */
  creationSchema(): string | undefined {
    return this.searchPath.find((s) => this.catalog.hasSchema(s));
  }

  /**
   * Final parameter OIDs. Where PostgreSQL resolves an unknown parameter to text (a bare output
   * column, `$1 = $2`, `||`) translation has already set it; one still unknown is 42P18.
   */
  finalParamOids(): number[] {
    const unknown = this.paramOids.findIndex((o) => !o);
    if (unknown >= 0) fail(indeterminateDatatype(unknown + 1));
    for (const n of this.expanded.keys()) if (this.scalarParams.has(n)) unsupported(`parameter $${n} used both in UNNEST and as a value`);
    return [...this.paramOids];
  }
}

export interface TranslatedColumns {
  columns: Column[];
}
