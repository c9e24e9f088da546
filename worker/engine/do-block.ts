/**
 * @module DO blocks: the small PL/pgSQL subset that schema set-up scripts use (Convex's among
 * them): nested BEGIN … END, IF/ELSIF/ELSE on a SQL condition, plain SQL statements, PERFORM,
 * NULL and the closing RETURN. Each SQL piece runs through the engine as its own statement,
 * inside the caller's transaction; anything else fails with 0A000 naming the construct.
 */
import type { PgError, SqlValue } from '../../tunnel/types.ts';
import { featureNotSupported, syntaxError } from './errors.ts';
import { parsePlpgsql } from './parser.ts';
import { formatText, parseText } from './values/index.ts';

/** What the interpreter asks of the engine. */
export interface DoBlockHost {
  /** Run one SQL statement; fails (throws) as a statement would. Returns whether it yields rows. */
  run(sql: string): { returnsRows: boolean };
  /** Value and type OID of `SELECT <expression>`. */
  evaluate(expression: string): { value: SqlValue; typeOid: number };
  fail(error: PgError): never;
}

const BOOL_OID = 16;
const INT4_OID = 23;

/** The body of `DO [LANGUAGE plpgsql] '…'`, or a failure to report. */
export function doBlockBody(stmt: any): string | PgError {
  let body: string | undefined;
  for (const a of stmt.args ?? []) {
    const d = a.DefElem;
    if (d.defname === 'as') body = d.arg.String.sval;
    if (d.defname === 'language' && d.arg.String.sval.toLowerCase() !== 'plpgsql') return featureNotSupported(`DO blocks in language ${d.arg.String.sval}`);
  }
  return body ?? syntaxError('no inline code specified');
}

/** Interpret a DO block's PL/pgSQL body. */
export function runDoBlock(body: string, host: DoBlockHost): void {
  // libpg-query parses PL/pgSQL as a function definition: wrap the body in one, under a
  // dollar-quote tag the body does not contain.
  let tag = '$do$';
  for (let i = 0; body.includes(tag); i++) tag = `$do${i}$`;
  const parsed = parsePlpgsql(`CREATE FUNCTION inline_code_block() RETURNS void LANGUAGE plpgsql AS ${tag}${body}${tag}`) as any;
  if (!parsed || 'message' in parsed) host.fail(syntaxError(parsed?.message ?? 'invalid PL/pgSQL'));
  const fn = parsed.plpgsql_funcs?.[0]?.PLpgSQL_function;
  if (!fn) host.fail(syntaxError('invalid PL/pgSQL'));
  // The only datum of a block without declarations is the implicit FOUND variable.
  if ((fn.datums ?? []).some((d: any) => d.PLpgSQL_var?.refname !== 'found')) host.fail(featureNotSupported('variables in DO blocks'));
  runStatements([fn.action], host);
}

/** Runs statements in order; returns false once a RETURN ends the block. */
function runStatements(stmts: any[], host: DoBlockHost): boolean {
  for (const node of stmts) {
    const kind = Object.keys(node)[0];
    const s = node[kind];
    switch (kind) {
      case 'PLpgSQL_stmt_block':
        if (s.exceptions) host.fail(featureNotSupported('EXCEPTION clauses in DO blocks'));
        if (!runStatements(s.body ?? [], host)) return false;
        break;
      case 'PLpgSQL_stmt_if': {
        const branches = [{ cond: s.cond, body: s.then_body }, ...(s.elsif_list ?? []).map((e: any) => ({ cond: e.PLpgSQL_if_elsif.cond, body: e.PLpgSQL_if_elsif.stmts }))];
        const taken = branches.find((b) => condition(b.cond.PLpgSQL_expr.query, host));
        const body = taken ? taken.body : s.else_body;
        if (!runStatements(body ?? [], host)) return false;
        break;
      }
      case 'PLpgSQL_stmt_execsql': {
        if (s.into) host.fail(featureNotSupported('SELECT … INTO in DO blocks'));
        const query: string = s.sqlstmt.PLpgSQL_expr.query;
        if (host.run(query).returnsRows) {
          host.fail({ sqlstate: '42601', message: 'query has no destination for result data', hint: 'If you want to discard the results of a SELECT, use PERFORM instead.' });
        }
        break;
      }
      case 'PLpgSQL_stmt_perform':
        // The parser has already turned `PERFORM x` into `SELECT x`.
        host.run(s.expr.PLpgSQL_expr.query);
        break;
      case 'PLpgSQL_stmt_return':
        if (s.expr) host.fail(syntaxError('RETURN cannot have a parameter in function returning void'));
        return false;
      default:
        host.fail(featureNotSupported(`PL/pgSQL statement ${kind.replace('PLpgSQL_stmt_', '').toUpperCase()} in DO blocks`));
    }
  }
  return true;
}

/**
 * An IF condition, NULL counting as false. PL/pgSQL casts other types to boolean: int4 by its
 * cast (non-zero is true), anything else through its text form and boolean input (22P02).
 */
function condition(expression: string, host: DoBlockHost): boolean {
  const { value, typeOid } = host.evaluate(expression);
  if (value === null) return false;
  if (typeOid === BOOL_OID) return value === true;
  if (typeOid === INT4_OID) return value !== 0n;
  const parsed = parseText(BOOL_OID, formatText(typeOid, value));
  if (typeof parsed === 'boolean') return parsed;
  host.fail(parsed as PgError);
}
