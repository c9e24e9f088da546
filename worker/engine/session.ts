/**
 * @module One client session of the engine: parses each request, runs its statements inside
 * one storage transaction (a simple-protocol string is one implicit transaction; a failed
 * statement undoes all it wrote), keeps the session's settings and turns failures into
 * PostgreSQL errors. DO blocks and transaction statements are handled here.
 */
import { OID } from '../../tunnel/oids.ts';
import type { Description, ExecuteReply, PgError, PrepareReply, SqlSession, SqlValue, StatementResult } from '../../tunnel/types.ts';
import type { Catalog } from './catalog.ts';
import { doBlockBody, runDoBlock } from './do-block.ts';
import type { Engine } from './engine.ts';
import { featureNotSupported, noActiveTransaction, notNullViolation, numericOutOfRange, programLimitExceeded, syntaxError } from './errors.ts';
import { parseSql, type RawStmt } from './parser.ts';
import { settingsDefaults, setSetting, showSetting, type Settings } from './settings.ts';
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

export class EngineSession implements SqlSession {
  readonly #engine: Engine;
  readonly #settings: Settings = settingsDefaults();

  readonly #who: SessionIdentity;

  constructor(engine: Engine, who: SessionIdentity) {
    this.#engine = engine;
    this.#who = who;
  }

  #parse(sql: string): RawStmt[] | PgError {
    const parsed = parseSql(sql);
    if ('message' in parsed) return syntaxError(parsed.message, parsed.position || undefined);
    return parsed.stmts;
  }

  async prepare(sql: string, paramOids: number[]): Promise<PrepareReply> {
    const stmts = this.#parse(sql);
    const reply = (x: { description?: Description; error?: PgError }): PrepareReply => ({ txStatus: 'I', notices: [], ...x });
    if (!Array.isArray(stmts)) return reply({ error: stmts });
    if (stmts.length > 1) return reply({ error: syntaxError('cannot insert multiple commands into a prepared statement') });
    if (stmts.length === 0) return reply({ description: { paramOids: [], columns: null } });
    const [kind, stmt] = kindOf(stmts[0]);
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
  }

  async execute(sql: string, paramOids: number[], params: SqlValue[]): Promise<ExecuteReply> {
    const stmts = this.#parse(sql);
    if (!Array.isArray(stmts)) return this.#reply([], [], stmts);
    if (stmts.length > 1) return this.#reply([], [], syntaxError('cannot insert multiple commands into a prepared statement'));
    if (stmts.length === 0) return this.#reply([{ columns: null, rows: [], tag: null }], []);
    const notices: PgError[] = [];
    // A failed statement must undo all it wrote (DDL writes in several steps), so the error
    // leaves transactionSync as an exception.
    const rollback = new Error('rollback');
    let out: Outcome | undefined;
    try {
      this.#engine.atomically(() => {
        out = this.#safely(stmts[0], sql, paramOids, params, notices);
        if ('error' in out) throw rollback;
      });
    } catch (err) {
      if (err !== rollback) out = { error: mapSqliteError(err, this.#engine.catalog) };
    }
    return 'error' in out! ? this.#reply([], notices, out.error) : this.#reply([out!], notices);
  }

  async query(sql: string): Promise<ExecuteReply> {
    const stmts = this.#parse(sql);
    if (!Array.isArray(stmts)) return this.#reply([], [], stmts);
    if (stmts.length === 0) return this.#reply([{ columns: null, rows: [], tag: null }], []);
    const results: StatementResult[] = [];
    const notices: PgError[] = [];
    let error: PgError | undefined;
    // A multi-statement simple query is one implicit transaction: all or nothing.
    const rollback = new Error('rollback');
    try {
      this.#engine.atomically(() => {
        for (const raw of stmts) {
          const text = raw.stmt_len ? sql.slice(raw.stmt_location ?? 0, (raw.stmt_location ?? 0) + raw.stmt_len) : sql.slice(raw.stmt_location ?? 0);
          const out = this.#safely(raw, text, [], [], notices);
          if ('error' in out) {
            error = out.error;
            throw rollback;
          }
          results.push(out);
        }
      });
    } catch (err) {
      if (err !== rollback) error = mapSqliteError(err, this.#engine.catalog);
    }
    return this.#reply(results, notices, error);
  }

  /** One statement; never throws (errors become values). */
  #safely(raw: RawStmt, sql: string, paramOids: number[], params: SqlValue[], notices: PgError[]): Outcome {
    try {
      return this.#statement(raw, sql, paramOids, params, notices);
    } catch (err) {
      return { error: mapSqliteError(err, this.#engine.catalog) };
    }
  }

  #statement(raw: RawStmt, sql: string, paramOids: number[], params: SqlValue[], notices: PgError[]): StatementResult {
    const [kind, stmt] = kindOf(raw);
    if (PLANNED.has(kind)) {
      const plan = this.#engine.plan(kind, stmt, sql, paramOids, this.#settings, this.#who);
      if (params.length !== plan.paramOids.length) {
        throw new Fail({ sqlstate: '08P01', message: `bind message supplies ${params.length} parameters, but prepared statement "" requires ${plan.paramOids.length}` });
      }
      return this.#engine.run(plan, params);
    }
    if (DDL.has(kind)) {
      const out = this.#engine.ddl(kind, stmt, this.#settings);
      notices.push(...out.notices);
      return out.result;
    }
    switch (kind) {
      case 'VariableSetStmt':
        return { columns: null, rows: [], tag: setSetting(this.#settings, stmt) };
      case 'VariableShowStmt':
        return { columns: [showColumn(stmt.name)], rows: [[showSetting(this.#settings, stmt.name)]], tag: 'SHOW' };
      case 'TransactionStmt':
        return this.#transaction(stmt, notices);
      case 'DoStmt':
        return this.#doBlock(stmt, notices);
      default:
        throw new Fail(featureNotSupported(kind.replace(/Stmt$/, ' statement')));
    }
  }

  /** A DO block: its statements run one by one inside this statement's transaction. */
  #doBlock(stmt: any, notices: PgError[]): StatementResult {
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
        if (kind === 'TransactionStmt') throw new Fail(featureNotSupported('transaction control in DO blocks'));
        const result = this.#statement(one(text), text, [], [], notices);
        return { returnsRows: kind === 'SelectStmt' && result.columns !== null };
      },
      evaluate: (expression) => {
        const text = `SELECT ${expression}`;
        const result = this.#statement(one(text), text, [], [], notices);
        return { value: result.rows[0]?.[0] ?? null, typeOid: result.columns?.[0]?.typeOid ?? 0 };
      },
      fail: (error) => {
        throw new Fail(error);
      },
    });
    return { columns: null, rows: [], tag: 'DO' };
  }

  #transaction(stmt: any, notices: PgError[]): StatementResult {
    switch (stmt.kind) {
      case 'TRANS_STMT_COMMIT':
        notices.push(noActiveTransaction());
        return { columns: null, rows: [], tag: 'COMMIT' };
      case 'TRANS_STMT_ROLLBACK':
        notices.push(noActiveTransaction());
        return { columns: null, rows: [], tag: 'ROLLBACK' };
      default:
        // Explicit transactions need the deferred write set (issue: transactions); refuse rather than fake.
        throw new Fail({ severity: 'ERROR', sqlstate: '0A000', message: 'explicit transactions are not supported yet' });
    }
  }

  #reply(results: StatementResult[], notices: PgError[], error?: PgError): ExecuteReply {
    return { results, txStatus: 'I', notices, ...(error && { error }) };
  }

  cancel(): void {
    // Statements run synchronously inside one transactionSync: nothing is ever waiting to cancel.
  }

  async close(): Promise<void> {}
}

function showColumn(name: string) {
  return { name: name.toLowerCase(), typeOid: OID.text, tableOid: 0, attnum: 0 };
}
