/**
 * @module Function calls: aggregates (count, sum, avg, min/max, bool_and/or), window calls
 * (window.ts), scalar functions (strings, math, session and catalog functions) and SQL-value
 * functions (CURRENT_SCHEMA, CURRENT_TIMESTAMP…), each with PostgreSQL's result type.
 */
import { OID, arrayTypeOf } from '../../../tunnel/oids.ts';
import { arrayEntry } from './arrays.ts';
import { undefinedFunction } from '../errors.ts';
import { typeName } from '../values/index.ts';
import { fail, unsupported, type Typed } from './context.ts';
import { arithmetic, literal, nodeType, operands, translateExpr, type ExprEnv } from './expr.ts';
import { sumCountSql } from './avg.ts';
import { windowCall } from './window.ts';
import { raiseSql } from './runtime-errors.ts';
import { isFloatType, isIntegerType, isTextType } from './types.ts';
import { regclassOfText, relationSlot, resolveRelationName } from './regclass.ts';
import { sizeFunction } from './relation-size.ts';
import { byteaLengthSql } from '../overflow.ts';

/** A version-4 UUID in canonical lower-case text (variant bits 10xx), from SQLite's randomblob. */
const RANDOM_UUID =
  "(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || " +
  "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))))";

/** Sizes, statistics and sequence functions PostgreSQL has and the engine does not (0A000). */
const knownUnsupported = new Set([
  'pg_database_size', 'pg_size_pretty',
  'nextval', 'currval', 'setval', 'lastval', 'pg_get_serial_sequence', 'json_agg', 'jsonb_agg',
  'regexp_replace', 'regexp_matches', 'to_char', 'date_trunc', 'extract', 'date_part', 'age',
]);

const aggregates = new Set(['count', 'sum', 'min', 'max', 'avg', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg']);

/** True when `node` calls an aggregate at this query level (subqueries are their own level). */
export function containsAggregate(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(containsAggregate);
  if (typeof node !== 'object' || node === null) return false;
  const o = node as Record<string, any>;
  if (o.SubLink) return false;
  if (o.FuncCall && !o.FuncCall.over) {
    const names = o.FuncCall.funcname;
    if (aggregates.has(String(names[names.length - 1].String.sval).toLowerCase())) return true;
  }
  return Object.values(o).some(containsAggregate);
}

export function funcCall(n: any, env: ExprEnv): Typed {
  const names: string[] = n.funcname.map((f: any) => f.String.sval);
  const name = names[names.length - 1].toLowerCase();
  if (names.length > 1 && names[0] !== 'pg_catalog') unsupported(`function ${names.join('.')}`);
  if (n.over) return windowCall(name, n, env);
  const args: any[] = n.args ?? [];
  if (aggregates.has(name)) {
    if (!env.aggregates) fail({ sqlstate: '42803', message: 'aggregate functions are not allowed in WHERE' });
    if (n.agg_filter) unsupported(`${name} with FILTER`);
    if (n.agg_order && name !== 'string_agg' && name !== 'array_agg') unsupported(`${name} with ORDER BY`);
    const distinct = n.agg_distinct ? 'DISTINCT ' : '';
    const inner = { ...env, aggregates: false, outputColumn: false, grouping: undefined };
    if (name === 'string_agg' || name === 'array_agg') return collect(name, n, args, inner, distinct);
    if (name === 'count') {
      if (n.agg_star) return { sql: 'count(*)', type: OID.int8 };
      return { sql: `count(${distinct}${translateExpr(args[0], inner).sql})`, type: OID.int8 };
    }
    const a = translateExpr(args[0], inner);
    switch (name) {
      case 'min':
      case 'max':
        if (a.type === OID.numeric) unsupported(`${name}(numeric)`);
        return { sql: `${name}(${distinct}${a.sql})`, type: a.type };
      case 'sum':
        if (a.type === OID.int2 || a.type === OID.int4) return { sql: `sum(${distinct}${a.sql})`, type: OID.int8 };
        // sum(int8) is numeric in PostgreSQL; SQLite sums int64 exactly (and fails on overflow).
        if (a.type === OID.int8) {
          // A whole output column is summed exactly past 2^63; elsewhere SQLite's overflow fails with 22003.
          const plain = `sum(${distinct}${a.sql})`;
          if (env.outputColumn && !distinct) return { sql: sumCountSql(a.sql, true), type: OID.numeric, finish: 'sum', plain };
          return { sql: `sum(${distinct}${a.sql})`, type: OID.numeric };
        }
        if (isFloatType(a.type)) return { sql: `sum(${distinct}${a.sql})`, type: a.type };
        unsupported(`sum(${typeName(a.type)})`);
      case 'avg':
        if (isFloatType(a.type)) return { sql: `avg(${distinct}${a.sql})`, type: OID.float8 };
        if (!isIntegerType(a.type)) unsupported(`avg(${typeName(a.type)})`);
        // Its numeric scale is computed in JS, so only a whole output column can hold it.
        if (!env.outputColumn) unsupported('avg(integer) inside an expression, subquery, ORDER BY or DISTINCT');
        if (distinct && a.type === OID.int8) unsupported('avg(DISTINCT bigint)');
        return { sql: sumCountSql(`${distinct}${a.sql}`, a.type === OID.int8), type: OID.numeric, finish: 'avg' };
      case 'bool_and':
      case 'every':
        return { sql: `min(${a.sql})`, type: OID.bool };
      case 'bool_or':
        return { sql: `max(${a.sql})`, type: OID.bool };
      default:
        unsupported(`${name}() (its numeric result scale is not reproduced yet)`);
    }
  }
  const one = (expected?: number) => translateExpr(args[0], env, expected);
  switch (name) {
    case 'lower':
    case 'upper':
      return { sql: `${name}(${one(OID.text).sql})`, type: OID.text };
    case 'length':
    case 'char_length': {
      const a = one(OID.text);
      // An out-of-line bytea's length is kept beside its chunks (overflow.ts).
      if (a.raw !== undefined) return { sql: byteaLengthSql(a.raw), type: OID.int4 };
      return { sql: `length(${a.sql})`, type: OID.int4 };
    }
    case 'octet_length': {
      const a = one(OID.text);
      if (a.raw !== undefined) return { sql: byteaLengthSql(a.raw), type: OID.int4 };
      return { sql: `length(CAST(${a.sql} AS BLOB))`, type: OID.int4 };
    }
    case 'abs': {
      const a = one();
      if (!isIntegerType(a.type) && !isFloatType(a.type)) unsupported(`abs(${typeName(a.type)})`);
      return { sql: `abs(${a.sql})`, type: a.type };
    }
    case 'nullif': {
      const [l, r] = operands(args[0], args[1], env);
      return { sql: `nullif(${l.sql}, ${r.sql})`, type: l.type };
    }
    case 'current_schema':
      return { sql: literal(OID.name, env.ctx.creationSchema() ?? null), type: OID.name };
    case 'substr':
    case 'substring': {
      if (n.funcformat === 'COERCE_SQL_SYNTAX' && args.length === 3 && nodeType(args[1]) === 'A_Const' && args[1].A_Const.isnull) unsupported('SUBSTRING … FOR without FROM');
      if (args.length < 2 || args.length > 3) noSuchFunction(name, args, env);
      const s = one(OID.text);
      if (!isTextType(s.type)) unsupported(`${name}(${typeName(s.type)})`);
      const rest = args.slice(1).map((a) => translateExpr(a, env, OID.int4));
      if (rest.some((r) => !isIntegerType(r.type))) unsupported(`${name} with a non-integer position (regular expressions)`);
      // A negative length is an error in PostgreSQL, a backwards count in SQLite.
      const len = rest[1] ? `(CASE WHEN ${rest[1].sql} < 0 THEN ${raiseSql('negative_substring_length')} ELSE ${rest[1].sql} END)` : undefined;
      return { sql: `substr(${s.sql}, ${rest[0].sql}${len ? `, ${len}` : ''})`, type: OID.text };
    }
    case 'replace':
      return { sql: `replace(${args.map((a) => translateExpr(a, env, OID.text).sql).join(', ')})`, type: OID.text };
    case 'btrim':
    case 'ltrim':
    case 'rtrim': {
      const parts = args.map((a) => translateExpr(a, env, OID.text));
      if (parts.some((p) => !isTextType(p.type))) unsupported(`${name}(${parts.map((p) => typeName(p.type)).join(', ')})`);
      return { sql: `${name === 'btrim' ? 'trim' : name}(${parts.map((p) => p.sql).join(', ')})`, type: OID.text };
    }
    case 'strpos':
    case 'position': {
      // POSITION(sub IN s) arrives as position(s, sub).
      const [s, sub] = args.map((a) => translateExpr(a, env, OID.text));
      return { sql: `instr(${s.sql}, ${sub.sql})`, type: OID.int4 };
    }
    case 'mod':
      return arithmetic('%', ...operands(args[0], args[1], env));
    case 'current_database':
      return { sql: literal(OID.name, env.ctx.who.database), type: OID.name };
    case 'now':
    case 'transaction_timestamp':
    case 'statement_timestamp':
      if (args.length) noSuchFunction(name, args, env);
      return { sql: NOW_MICROS, type: OID.timestamptz };
    case 'to_regclass':
      return toRegclass(args, env);
    case 'pg_table_size':
    case 'pg_relation_size':
    case 'pg_indexes_size':
    case 'pg_total_relation_size':
      return sizeFunction(name, args, env);
    case 'version':
      return { sql: literal(OID.text, 'PostgreSQL 15.8 (Durable Object SQLite engine)'), type: OID.text };
    case 'gen_random_uuid':
      if (args.length) noSuchFunction(name, args, env);
      return { sql: RANDOM_UUID, type: OID.uuid };
    case 'random':
      if (args.length) noSuchFunction(name, args, env);
      // SQLite's random() is a uniform int64; PostgreSQL's a float8 in [0, 1).
      return { sql: '((random() / 18446744073709551616.0) + 0.5)', type: OID.float8 };
    default:
      // PostgreSQL functions we know but do not provide: a feature gap, not a missing function.
      if (knownUnsupported.has(name)) unsupported(`function ${name}()`);
      noSuchFunction(name, args, env);
  }
}

/** 42883 "function f(text, unknown) does not exist", the argument types named as PostgreSQL names them. */
function noSuchFunction(name: string, args: any[], env: ExprEnv): never {
  fail(undefinedFunction(`${name}(${argTypeNames(args, env)})`));
}

function argTypeNames(args: any[], env: ExprEnv): string {
  return args
    .map((a) => {
      if (a.A_Const?.sval !== undefined || a.A_Const?.isnull) return 'unknown';
      try {
        const t = translateExpr(a, env).type;
        return t === 0 ? 'unknown' : typeName(t);
      } catch {
        return 'unknown';
      }
    })
    .join(', ');
}

export function sqlValueFunction(n: any, env: ExprEnv): Typed {
  switch (n.op) {
    case 'SVFOP_CURRENT_SCHEMA':
      return { sql: literal(OID.name, env.ctx.creationSchema() ?? null), type: OID.name };
    case 'SVFOP_CURRENT_USER':
    case 'SVFOP_SESSION_USER':
    case 'SVFOP_USER':
    case 'SVFOP_CURRENT_ROLE':
      return { sql: literal(OID.name, env.ctx.who.user), type: OID.name };
    case 'SVFOP_CURRENT_CATALOG':
      return { sql: literal(OID.name, env.ctx.who.database), type: OID.name };
    case 'SVFOP_CURRENT_TIMESTAMP':
      if (n.typmod !== undefined && n.typmod !== -1) unsupported('CURRENT_TIMESTAMP with a precision');
      return { sql: NOW_MICROS, type: OID.timestamptz };
    case 'SVFOP_CURRENT_DATE':
      return { sql: `date('now')`, type: OID.date };
    default:
      unsupported(`${n.op.replace('SVFOP_', '').toLowerCase()}`);
  }
}

const NOW_MICROS = `CAST(unixepoch('subsec') * 1000 AS INTEGER) * 1000`;

/**
 * to_regclass(text): the relation's regclass, or NULL. A constant resolves at plan time (plans
 * die with DDL), anything else when the statement runs (regclass.ts).
 */
function toRegclass(args: any[], env: ExprEnv): Typed {
  if (args.length !== 1) noSuchFunction('to_regclass', args, env);
  const arg = args[0];
  if (nodeType(arg) === 'A_Const' && 'sval' in arg.A_Const) {
    const found = resolveRelationName(arg.A_Const.sval.sval, env.ctx);
    return { sql: found ? literal(OID.text, found.printed) : 'NULL', type: OID.regclass };
  }
  const v = translateExpr(arg, env, OID.text);
  if (!isTextType(v.type)) fail(undefinedFunction(`to_regclass(${typeName(v.type)})`));
  return relationSlot(v, env.ctx, 'null') ?? { sql: regclassOfText(v.sql, env.ctx, 'null'), type: OID.regclass };
}

/**
 * string_agg / array_agg, with an optional ORDER BY inside the call (SQLite orders aggregate
 * arguments the same way). Over no rows both are NULL, as in PostgreSQL.
 */
function collect(name: string, n: any, args: any[], env: ExprEnv, distinct: string): Typed {
  const order = (n.agg_order ?? []).map((s: any) => {
    const sb = s.SortBy;
    if (sb.useOp) unsupported('ORDER BY … USING');
    const desc = sb.sortby_dir === 'SORTBY_DESC';
    const nulls = sb.sortby_nulls === 'SORTBY_NULLS_FIRST' ? 'FIRST' : sb.sortby_nulls === 'SORTBY_NULLS_LAST' ? 'LAST' : desc ? 'FIRST' : 'LAST';
    return `${translateExpr(sb.node, env).sql} ${desc ? 'DESC' : 'ASC'} NULLS ${nulls}`;
  });
  const orderBy = order.length ? ` ORDER BY ${order.join(', ')}` : '';
  if (name === 'string_agg') {
    if (args.length !== 2) noSuchFunction('string_agg', args, env);
    const value = translateExpr(args[0], env, OID.text);
    const sep = translateExpr(args[1], env, value.type === OID.bytea ? OID.bytea : OID.text);
    if (value.type === OID.bytea) unsupported('string_agg(bytea, bytea)');
    if (!isTextType(value.type) && value.type !== OID.unknownLiteral) fail(undefinedFunction(`string_agg(${typeName(value.type)}, ${typeName(sep.type)})`));
    if (distinct && order.length) unsupported('string_agg(DISTINCT … ORDER BY …)');
    return { sql: `group_concat(${distinct}${value.sql}, ${sep.sql}${orderBy})`, type: OID.text };
  }
  if (args.length !== 1) noSuchFunction('array_agg', args, env);
  if (distinct) unsupported('array_agg(DISTINCT …)');
  const value = translateExpr(args[0], env);
  const type = value.type === OID.unknownLiteral ? OID.text : value.type;
  const arrayType = arrayTypeOf(type);
  if (arrayType === undefined) unsupported(`array_agg(${typeName(type)})`);
  return { sql: `(CASE WHEN count(*) = 0 THEN NULL ELSE json_group_array(${arrayEntry({ ...value, type })}${orderBy}) END)`, type: arrayType };
}
