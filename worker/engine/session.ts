/**
 * @module One client session of the engine: parses each request and runs each statement
 * atomically in its own storage transaction, within the session's transaction block: none
 * (autocommit), explicit (BEGIN … COMMIT, spanning requests: undo.ts, transactions.ts) or the
 * implicit block of a multi-statement simple query. Waits for locks, honours the timeouts,
 * keeps the session's settings and turns failures into PostgreSQL errors. DO blocks and
 * transaction statements are handled here.
 */
import { OID } from '../../tunnel/oids.ts';
import { showColumnName } from '../../tunnel/setting-names.ts';
import type { Description, ExecuteReply, PgError, PrepareReply, SessionEvents, SqlSession, SqlValue, StatementResult, TxStatus } from '../../tunnel/types.ts';
import type { Catalog } from './catalog.ts';
import { doBlockBody, runDoBlock } from './do-block.ts';
import type { Engine } from './engine.ts';
import { featureNotSupported, inFailedTransaction, noActiveTransaction, notNullViolation, numericOutOfRange, programLimitExceeded, syntaxError } from './errors.ts';
import { parseSql, type RawStmt } from './parser.ts';
import type { Plan } from './plan.ts';
import type { WaitFailure } from './locks.ts';
import { applyStartupSetting, durationMs, settingsDefaults, setSetting, showSetting, type Settings } from './settings.ts';
import { NeedLock, waitFailureError, type StatementOwner } from './transactions.ts';
import { Fail } from './translate/context.ts';
import { runtimeError } from './translate/runtime-errors.ts';
import type { SessionIdentity } from './translate/virtual-relations.ts';
import { uniqueError, uniqueTarget } from './unique-violation.ts';

const DDL = new Set(['CreateSchemaStmt', 'CreateStmt', 'IndexStmt', 'AlterTableStmt', 'DropStmt']);
const PLANNED = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt']);

type Outcome = StatementResult | { error: PgError };

function kindOf(raw: RawStmt): [string, any] {
  const kind = Object.keys(raw.stmt)[0];
  return [kind, raw.stmt[kind]];
}

/** SQLite constraint errors → PostgreSQL's, with the constraint named (Convex reads the message). */
function mapSqliteError(err: unknown, catalog: Catalog): PgError {
  if (err instanceof Fail) return err.pgError;
  const message = err instanceof Error ? err.message : String(err);
  const unique = uniqueTarget(message, catalog);
  if (unique) return uniqueError(unique, undefined);
  const notNull = /NOT NULL constraint failed: (.+?)(?::|$)/.exec(message);
  if (notNull) {
    const ref = notNull[1].trim();
    const table = ref.slice(0, ref.lastIndexOf('.'));
    return notNullViolation(ref.slice(ref.lastIndexOf('.') + 1), table.slice(table.indexOf('.') + 1));
  }
  const raised = runtimeError(message);
  if (raised) return raised;
  // sum() over int64 overflowing: PostgreSQL's sum(int8) is numeric and would not overflow.
  if (/integer overflow/.test(message)) return numericOutOfRange('bigint');
  if (/too big|SQLITE_TOOBIG/i.test(message)) return programLimitExceeded(`value or row too large for storage: ${message}`);
  if (/SQLITE_FULL|database or disk is full/i.test(message)) return { sqlstate: '53100', message: 'could not extend the database: storage is full' };
  return { sqlstate: 'XX000', message: `internal error: ${message}` };
}

/** A transaction block: explicit (BEGIN) or the implicit one of a multi-statement simple query. */
interface Tx {
  owner: number;
  explicit: boolean;
  /** A statement failed: everything but COMMIT/ROLLBACK is 25P02. */
  failed: boolean;
  readOnly: boolean;
  /** A statement ran: SET TRANSACTION may no longer change the mode. */
  queried: boolean;
}

const isTxEnd = (kind: string, stmt: any) => kind === 'TransactionStmt' && ['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_ROLLBACK_TO'].includes(stmt.kind);

/** Thrown inside a storage transaction to undo it (a failed statement, or one that must wait for a lock). */
const ROLLBACK: unique symbol = Symbol('rollback');

export class EngineSession implements SqlSession {
  readonly #engine: Engine;
  readonly #settings: Settings = settingsDefaults();
  readonly #who: SessionIdentity;
  #tx: Tx | undefined;
  /** Set once the session is over (idle-in-transaction timeout, close): every request gets it. */
  #ended: PgError | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Aborted by a CancelRequest while a statement waits for a lock. */
  #cancel = new AbortController();
  /** SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY. */
  #defaultReadOnly = false;

  readonly #events: SessionEvents | undefined;

  /** `startup`: the startup packet's other parameters; known settings among them apply (search_path…). */
  constructor(engine: Engine, who: SessionIdentity, startup: Record<string, string> = {}, events?: SessionEvents) {
    this.#engine = engine;
    this.#who = who;
    this.#events = events;
    for (const [name, value] of Object.entries(startup)) applyStartupSetting(this.#settings, name, value);
  }

  #parse(sql: string): RawStmt[] | PgError {
    const parsed = parseSql(sql);
    if ('message' in parsed) return syntaxError(parsed.message, parsed.position || undefined);
    return parsed.stmts;
  }

  /** The one statement of `sql`'s parse tree (its text was parsed successfully before). */
  #parseOne(sql: string): any {
    const stmts = this.#parse(sql);
    if (!Array.isArray(stmts)) throw new Fail(stmts);
    return kindOf(stmts[0])[1];
  }

  get #txStatus(): TxStatus {
    return !this.#tx ? 'I' : this.#tx.failed ? 'E' : 'T';
  }

  async prepare(sql: string, paramOids: number[]): Promise<PrepareReply> {
    this.#idle(false);
    try {
      const reply = (x: { description?: Description; error?: PgError }): PrepareReply => ({ txStatus: this.#txStatus, notices: [], ...x });
      if (this.#ended) return reply({ error: this.#ended });
      const stmts = this.#parse(sql);
      if (!Array.isArray(stmts)) return reply({ error: stmts });
      if (stmts.length > 1) return reply({ error: syntaxError('cannot insert multiple commands into a prepared statement') });
      if (stmts.length === 0) return reply({ description: { paramOids: [], columns: null } });
      const [kind, stmt] = kindOf(stmts[0]);
      if (this.#tx?.failed && kind !== 'TransactionStmt') return reply({ error: inFailedTransaction() });
      try {
        if (PLANNED.has(kind)) {
          const plan = this.#engine.plan(kind, stmt, sql, paramOids, this.#settings, this.#who);
          return reply({ description: { paramOids: plan.paramOids, columns: plan.columns } });
        }
        if (kind === 'VariableShowStmt') return reply({ description: { paramOids: [], columns: [showColumn(stmt.name)] } });
        return reply({ description: { paramOids: paramOids.map((o) => o || OID.text), columns: null } });
      } catch (err) {
        return reply({ error: mapSqliteError(err, this.#engine.catalog) });
      }
    } finally {
      this.#idle(true);
    }
  }

  async execute(sql: string, paramOids: number[], params: SqlValue[]): Promise<ExecuteReply> {
    this.#idle(false);
    try {
      if (this.#ended) return this.#reply([], [], this.#ended);
      // A statement executed before runs from its cached plan: no parse (Convex re-executes the same few statements).
      const cached = this.#engine.cachedPlan(sql, paramOids, this.#settings, this.#who);
      const stmts = cached ? [plannedStatement(cached)] : this.#parse(sql);
      if (!Array.isArray(stmts)) return this.#fail([], [], stmts);
      if (stmts.length > 1) return this.#fail([], [], syntaxError('cannot insert multiple commands into a prepared statement'));
      if (stmts.length === 0) return this.#reply([{ columns: null, rows: [], tag: null }], []);
      const notices: PgError[] = [];
      const out = await this.#step(stmts[0], sql, paramOids, params, notices);
      return 'error' in out ? this.#fail([], notices, out.error) : this.#reply([out], notices);
    } finally {
      this.#idle(true);
    }
  }

  async query(sql: string): Promise<ExecuteReply> {
    this.#idle(false);
    try {
      if (this.#ended) return this.#reply([], [], this.#ended);
      const stmts = this.#parse(sql);
      if (!Array.isArray(stmts)) return this.#fail([], [], stmts);
      if (stmts.length === 0) return this.#reply([{ columns: null, rows: [], tag: null }], []);
      const text = (raw: RawStmt) => (raw.stmt_len ? sql.slice(raw.stmt_location ?? 0, (raw.stmt_location ?? 0) + raw.stmt_len) : sql.slice(raw.stmt_location ?? 0));
      const results: StatementResult[] = [];
      const notices: PgError[] = [];
      if (!this.#tx && !stmts.some((raw) => kindOf(raw)[0] === 'TransactionStmt')) {
        // Several statements in one Query are one implicit transaction (PostgreSQL 55.2.2.1):
        // with no transaction control among them, one storage transaction runs them all (DDL included).
        const who: StatementOwner = { owner: this.#engine.transactions.newOwner(), logging: false, readOnly: this.#defaultReadOnly };
        try {
          const out = await this.#withLocks(who, () => {
            results.length = 0;
            notices.length = 0;
            for (const raw of stmts) results.push(this.#statement(raw, text(raw), [], [], notices, who));
          }, stmts.every((raw) => kindOf(raw)[0] === 'SelectStmt'));
          return 'error' in out ? this.#reply(results, notices, out.error) : this.#reply(results, notices);
        } finally {
          this.#engine.transactions.release(who.owner);
        }
      }
      // With BEGIN/COMMIT among them, or inside a transaction: statement by statement.
      for (const raw of stmts) {
        if (!this.#tx && stmts.length > 1 && kindOf(raw)[0] !== 'TransactionStmt') this.#begin(false, this.#defaultReadOnly);
        const out = await this.#step(raw, text(raw), [], [], notices);
        if ('error' in out) return this.#fail(results, notices, out.error);
        results.push(out);
      }
      if (this.#tx && !this.#tx.explicit) this.#end(true);
      return this.#reply(results, notices);
    } finally {
      this.#idle(true);
    }
  }

  /** One statement, in the session's transaction state; never throws. */
  async #step(raw: RawStmt, sql: string, paramOids: number[], params: SqlValue[], notices: PgError[]): Promise<Outcome> {
    const [kind, stmt] = kindOf(raw);
    if (this.#tx?.failed && !isTxEnd(kind, stmt)) return { error: inFailedTransaction() };
    if (kind === 'TransactionStmt') return this.#safelySync(() => this.#transaction(stmt, notices));
    const tx = this.#tx;
    const who: StatementOwner = tx
      ? { owner: tx.owner, logging: true, readOnly: tx.readOnly }
      : { owner: this.#engine.transactions.newOwner(), logging: false, readOnly: this.#defaultReadOnly };
    // A statement that reads or writes takes a snapshot: SET TRANSACTION READ WRITE is then too late.
    if (tx && (PLANNED.has(kind) || kind === 'DoStmt')) tx.queried = true;
    try {
      const out = await this.#withLocks(who, () => this.#statement(raw, sql, paramOids, params, notices, who), kind === 'SelectStmt');
      return 'error' in out ? out : out.value;
    } finally {
      if (!tx) this.#engine.transactions.release(who.owner);
    }
  }

  /**
   * Run a statement atomically; when it needs a lock another transaction holds, undo it, wait
   * (lock_timeout, statement_timeout, deadlock, cancel), and run it again. A `read` (a SELECT)
   * writes nothing, so it runs without a storage transaction: there is nothing to undo.
   */
  async #withLocks<T>(who: StatementOwner, fn: () => T, read = false): Promise<{ value: T } | { error: PgError }> {
    const timeout = durationMs(this.#settings.statement_timeout) ?? 0;
    const deadline = timeout > 0 ? Date.now() + timeout : 0;
    const transactions = this.#engine.transactions;
    for (;;) {
      let out: { value: T } | { error: PgError } | undefined;
      let need: NeedLock | undefined;
      const attempt = () => {
        try {
          out = { value: fn() };
        } catch (err) {
          if (err instanceof NeedLock) {
            need = err;
            throw ROLLBACK;
          }
          out = { error: mapSqliteError(err, this.#engine.catalog) };
        }
        // A failed statement undoes all it wrote (DDL writes in several steps).
        if ('error' in out) throw ROLLBACK;
      };
      try {
        if (read) attempt();
        else this.#engine.atomically(attempt);
      } catch (err) {
        if (err !== ROLLBACK) out = { error: mapSqliteError(err, this.#engine.catalog) };
      }
      if (!need || need.nowait) {
        // Places kept in lock queues by earlier waits of this statement are no longer needed.
        transactions.locks.leaveQueues(who.owner);
        if (!need) return out!;
        return { error: { sqlstate: '55P03', message: `could not obtain lock on row in relation "${need.table}"` } };
      }
      // The locks taken so far stay held while it waits, as in PostgreSQL.
      if (this.#ended) return { error: this.#ended };
      this.#cancel = new AbortController();
      try {
        await transactions.wait(who.owner, need, { lockTimeoutMs: durationMs(this.#settings.lock_timeout) ?? 0, statementDeadline: deadline, signal: this.#cancel.signal });
      } catch (failure) {
        if (typeof failure !== 'string') throw failure;
        return { error: this.#ended ?? waitFailureError(failure as WaitFailure) };
      }
      // Closed while waiting: its transaction is already rolled back; do not run into it.
      if (this.#ended) return { error: this.#ended };
    }
  }

  #safelySync(fn: () => StatementResult): Outcome {
    try {
      return fn();
    } catch (err) {
      return { error: mapSqliteError(err, this.#engine.catalog) };
    }
  }

  #statement(raw: RawStmt, sql: string, paramOids: number[], params: SqlValue[], notices: PgError[], who: StatementOwner): StatementResult {
    const [kind, stmt] = kindOf(raw);
    if (PLANNED.has(kind)) {
      // `stmt` is null when execute took the plan from the cache; if it has gone since (DDL, eviction), parse now.
      const plan = this.#engine.plan(kind, stmt ?? (() => this.#parseOne(sql)), sql, paramOids, this.#settings, this.#who);
      if (params.length !== plan.paramOids.length) {
        throw new Fail({ sqlstate: '08P01', message: `bind message supplies ${params.length} parameters, but prepared statement "" requires ${plan.paramOids.length}` });
      }
      return this.#engine.run(plan, params, who);
    }
    if (DDL.has(kind)) {
      const out = this.#engine.ddl(kind, stmt, this.#settings, who);
      notices.push(...out.notices);
      return out.result;
    }
    switch (kind) {
      case 'VariableSetStmt':
        if (isSetTransaction(stmt)) return this.#setTransaction(stmt, notices);
        return { columns: null, rows: [], tag: setSetting(this.#settings, stmt) };
      case 'VariableShowStmt':
        return { columns: [showColumn(stmt.name)], rows: [[this.#show(stmt.name)]], tag: 'SHOW' };
      case 'DoStmt':
        return this.#doBlock(stmt, notices, who);
      case 'TransactionStmt':
        throw new Fail(featureNotSupported('transaction control in DO blocks'));
      default:
        throw new Fail(featureNotSupported(kind.replace(/Stmt$/, ' statement')));
    }
  }

  #show(name: string): string {
    switch (name.toLowerCase()) {
      case 'transaction_read_only':
        return (this.#tx?.readOnly ?? this.#defaultReadOnly) ? 'on' : 'off';
      case 'transaction_isolation':
      case 'default_transaction_isolation':
        return 'read committed';
      case 'default_transaction_read_only':
        return this.#defaultReadOnly ? 'on' : 'off';
      default:
        return showSetting(this.#settings, name);
    }
  }

  /** A DO block: its statements run one by one inside this statement's transaction. */
  #doBlock(stmt: any, notices: PgError[], who: StatementOwner): StatementResult {
    const body = doBlockBody(stmt);
    if (typeof body !== 'string') throw new Fail(body);
    const one = (text: string): RawStmt => {
      const stmts = this.#parse(text);
      if (!Array.isArray(stmts)) throw new Fail(stmts);
      if (stmts.length !== 1) throw new Fail(syntaxError('expected one statement in a DO block step'));
      return stmts[0];
    };
    runDoBlock(body, {
      run: (text) => {
        const [kind] = kindOf(one(text));
        const result = this.#statement(one(text), text, [], [], notices, who);
        return { returnsRows: kind === 'SelectStmt' && result.columns !== null };
      },
      evaluate: (expression) => {
        const text = `SELECT ${expression}`;
        const result = this.#statement(one(text), text, [], [], notices, who);
        return { value: result.rows[0]?.[0] ?? null, typeOid: result.columns?.[0]?.typeOid ?? 0 };
      },
      fail: (error) => {
        throw new Fail(error);
      },
    });
    return { columns: null, rows: [], tag: 'DO' };
  }

  /** BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK / ABORT (PostgreSQL's xact.c rules). */
  #transaction(stmt: any, notices: PgError[]): StatementResult {
    const done = (tag: string): StatementResult => ({ columns: null, rows: [], tag });
    if (stmt.chain) throw new Fail(featureNotSupported('AND CHAIN'));
    switch (stmt.kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START': {
        const tag = stmt.kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION';
        if (this.#tx?.explicit) {
          notices.push({ severity: 'WARNING', sqlstate: '25001', message: 'there is already a transaction in progress' });
          return done(tag);
        }
        const mode = transactionMode(stmt.options);
        // BEGIN inside a multi-statement Query turns its implicit block into an explicit one.
        if (this.#tx) this.#tx.explicit = true;
        else this.#begin(true, mode.readOnly ?? this.#defaultReadOnly);
        if (mode.readOnly !== undefined) this.#tx!.readOnly = mode.readOnly;
        return done(tag);
      }
      case 'TRANS_STMT_COMMIT':
      case 'TRANS_STMT_ROLLBACK': {
        const commit = stmt.kind === 'TRANS_STMT_COMMIT';
        if (!this.#tx?.explicit) notices.push(noActiveTransaction());
        if (!this.#tx) return done(commit ? 'COMMIT' : 'ROLLBACK');
        const failed = this.#tx.failed;
        this.#end(commit && !failed);
        return done(commit && !failed ? 'COMMIT' : 'ROLLBACK');
      }
      case 'TRANS_STMT_SAVEPOINT':
      case 'TRANS_STMT_RELEASE':
      case 'TRANS_STMT_ROLLBACK_TO':
        if (!this.#tx?.explicit) {
          const what = stmt.kind === 'TRANS_STMT_SAVEPOINT' ? 'SAVEPOINT' : stmt.kind === 'TRANS_STMT_RELEASE' ? 'RELEASE SAVEPOINT' : 'ROLLBACK TO SAVEPOINT';
          throw new Fail({ sqlstate: '25P01', message: `${what} can only be used in transaction blocks` });
        }
        throw new Fail(featureNotSupported('SAVEPOINT'));
      default:
        throw new Fail(featureNotSupported('two-phase commit'));
    }
  }

  /** SET TRANSACTION … / SET SESSION CHARACTERISTICS AS TRANSACTION … / SET transaction_read_only. */
  #setTransaction(stmt: any, notices: PgError[]): StatementResult {
    const done: StatementResult = { columns: null, rows: [], tag: 'SET' };
    const name = String(stmt.name).toLowerCase();
    const mode =
      name === 'transaction_read_only'
        ? { readOnly: ['on', 'true', '1', 'yes'].includes(String(stmt.args?.[0]?.A_Const?.sval?.sval ?? stmt.args?.[0]?.A_Const?.ival?.ival ?? (stmt.args?.[0]?.A_Const?.boolval?.boolval ? 'on' : 'off')).toLowerCase()) }
        : transactionMode(stmt.args);
    if (name === 'session characteristics') {
      if (mode.readOnly !== undefined) this.#defaultReadOnly = mode.readOnly;
      return done;
    }
    if (!this.#tx?.explicit) {
      notices.push({ severity: 'WARNING', sqlstate: '25P01', message: 'SET TRANSACTION can only be used in transaction blocks' });
      return done;
    }
    // PostgreSQL: READ ONLY may be set at any time, READ WRITE only before the first query;
    // the isolation level only matters if it changes, and READ COMMITTED is the only one.
    if (mode.readOnly === false && this.#tx.readOnly && this.#tx.queried) {
      throw new Fail({ sqlstate: '25001', message: 'transaction read-write mode must be set before any query' });
    }
    if (mode.readOnly !== undefined) this.#tx.readOnly = mode.readOnly;
    return done;
  }

  #begin(explicit: boolean, readOnly: boolean): void {
    this.#tx = { owner: this.#engine.transactions.newOwner(), explicit, failed: false, readOnly, queried: false };
  }

  /** Commit or roll back the open block, durably, and release its locks. */
  #end(commit: boolean): void {
    const tx = this.#tx;
    if (!tx) return;
    this.#tx = undefined;
    const transactions = this.#engine.transactions;
    try {
      this.#engine.atomically(() => (commit ? transactions.commit(tx.owner, this.#engine.sql) : transactions.rollback(tx.owner, this.#engine.sql)));
    } finally {
      transactions.release(tx.owner);
    }
  }

  /**
   * An error reply. An implicit block rolls back. An explicit transaction is aborted at once, as
   * PostgreSQL aborts it at the error: its writes are undone and its locks released now; it stays
   * failed (25P02) until COMMIT or ROLLBACK ends the block.
   */
  #fail(results: StatementResult[], notices: PgError[], error: PgError): ExecuteReply {
    const tx = this.#tx;
    if (tx?.explicit && !tx.failed) {
      this.#end(false);
      this.#tx = { ...tx, failed: true };
    } else if (tx && !tx.explicit) this.#end(false);
    return this.#reply(results, notices, error);
  }

  #reply(results: StatementResult[], notices: PgError[], error?: PgError): ExecuteReply {
    return { results, txStatus: this.#txStatus, notices, ...(error && { error }) };
  }

  /**
   * Between requests inside a transaction: past idle_in_transaction_session_timeout the session
   * ends (FATAL 25P03, as PostgreSQL terminates it) and its transaction rolls back.
   */
  #idle(on: boolean): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (!on || !this.#tx || this.#ended) return;
    const ms = durationMs(this.#settings.idle_in_transaction_session_timeout) ?? 0;
    if (ms <= 0) return;
    this.#idleTimer = setTimeout(() => {
      this.#ended = { severity: 'FATAL', sqlstate: '25P03', message: 'terminating connection due to idle-in-transaction timeout' };
      this.#end(false);
      this.#events?.ended(this.#ended);
    }, ms);
  }

  cancel(): void {
    // Only a lock wait can be interrupted: statements themselves run synchronously.
    this.#cancel.abort();
  }

  /** Ends the session at once, even while a request of it waits for a lock (that wait fails). */
  async close(): Promise<void> {
    this.#idle(false);
    this.#ended ??= { severity: 'FATAL', sqlstate: '08003', message: 'the session is closed' };
    this.#end(false);
    this.#cancel.abort();
  }
}

/** A parse-tree stand-in for a statement whose plan is cached: its kind, no tree. */
function plannedStatement(plan: Plan): RawStmt {
  const kind = { SELECT: 'SelectStmt', INSERT: 'InsertStmt', UPDATE: 'UpdateStmt', DELETE: 'DeleteStmt' }[plan.command];
  return { stmt: { [kind]: null } } as unknown as RawStmt;
}

/** Is this SET about the transaction's mode rather than a setting? */
function isSetTransaction(stmt: any): boolean {
  const name = String(stmt.name ?? '').toLowerCase();
  return (stmt.kind === 'VAR_SET_MULTI' && (name === 'transaction' || name === 'session characteristics')) || (name === 'transaction_read_only' && stmt.kind === 'VAR_SET_VALUE');
}

/** Transaction modes (BEGIN options, SET TRANSACTION): only READ COMMITTED is offered. */
function transactionMode(options: any[] | undefined): { readOnly?: boolean; isolation?: string } {
  const out: { readOnly?: boolean; isolation?: string } = {};
  for (const o of options ?? []) {
    const d = o.DefElem;
    const c = d?.arg?.A_Const;
    if (d?.defname === 'transaction_isolation') {
      const level = String(c?.sval?.sval ?? '').toLowerCase();
      if (level !== 'read committed' && level !== 'read uncommitted') {
        throw new Fail({
          sqlstate: '0A000',
          message: `isolation level ${level.toUpperCase()} is not supported`,
          hint: 'Transactions here are READ COMMITTED (README: transactions).',
        });
      }
      out.isolation = level;
    } else if (d?.defname === 'transaction_read_only') {
      out.readOnly = (c?.ival?.ival ?? (c?.boolval?.boolval ? 1 : 0)) !== 0;
    } else if (d?.defname === 'transaction_deferrable') {
      // DEFERRABLE only matters to SERIALIZABLE READ ONLY transactions.
    }
  }
  return out;
}

function showColumn(name: string) {
  return { name: showColumnName(name), typeOid: OID.text, tableOid: 0, attnum: 0 };
}
