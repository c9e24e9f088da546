/**
 * @module Expressions: a PostgreSQL expression node → SQLite SQL with its PostgreSQL type.
 * Untyped inputs (string literals, parameters without a declared type) take the type their
 * context expects, as PostgreSQL's `unknown` resolution does.
 */
import { OID } from '../../../tunnel/oids.ts';
import type { SqlValue } from '../../../tunnel/types.ts';
import { undefinedColumn, ambiguousColumn } from '../errors.ts';
import { castValue, isPgError, parseText, toStorage, typeName } from '../values/index.ts';
import { fail, paramMark, unsupported, type ScopeEntry, type TranslateContext, type Typed } from './context.ts';
import { checkedFloat, checkedInteger, raiseSql } from './runtime-errors.ts';
import { anyOrAll } from './any-all.ts';
import { arrayConstructor } from './arrays.ts';
import { containsAggregate, funcCall, sqlValueFunction } from './functions.ts';
import { floatToInteger } from './float-to-integer.ts';
import { castToRegclass, regclassAsOid, regclassConstant } from './regclass.ts';
import { guardOverflow } from './overflow-refs.ts';

export { containsAggregate };
import { arithmeticType, commonType, isFloatType, isIntegerType, isTextType, typeModOf, typeOidOf } from './types.ts';

/** Translates a sub-SELECT; injected by select.ts to break the module cycle. */
export type SubqueryTranslator = (stmt: any, ctx: TranslateContext, outer: ScopeEntry[]) => { sql: string; columns: Typed[] };

export interface ExprEnv {
  ctx: TranslateContext;
  scope: ScopeEntry[];
  subquery: SubqueryTranslator;
  /** Aggregates are allowed here (select list, HAVING, ORDER BY). */
  aggregates?: boolean;
  /** This is a whole top-level output column: avg(int) may yield its sum/count pair. */
  outputColumn?: boolean;
  /**
   * In a grouped query's select list, HAVING and ORDER BY: the SQL of the grouping keys (and of
   * columns functionally dependent on them). Other columns of this level fail with 42803.
   */
  grouping?: Set<string>;
}

/** SQL text of a constant in its storage form. */
export function literal(oid: number, value: SqlValue): string {
  const b = toStorage(oid, value);
  if (isPgError(b)) fail(b);
  const v = b.bind;
  if (v === null) return 'NULL';
  if (b.castInteger) return String(v);
  // SQLite reads a literal beyond the double range as an infinity.
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '9e999' : '-9e999';
  // char(1) keeps a literal from ever looking like a parameter mark (context.ts).
  if (typeof v === 'string') return `'${v.replaceAll("'", "''").replaceAll('\u0001', "' || char(1) || '")}'`;
  return `X'${[...v].map((x) => x.toString(16).padStart(2, '0')).join('')}'`;
}

export function nodeType(node: any): string {
  return Object.keys(node)[0];
}

/** True for inputs whose type comes from context. */
export function isUntyped(node: any, env: ExprEnv): boolean {
  const k = nodeType(node);
  if (k === 'A_Const') return 'sval' in node.A_Const || !!node.A_Const.isnull;
  if (k === 'ParamRef') return env.ctx.paramType(node.ParamRef.number) === 0;
  return false;
}

/** A WHERE / HAVING / ON condition: must be boolean (42804 otherwise, as PostgreSQL says it). */
export function translateCondition(node: any, env: ExprEnv, clause: string): string {
  const t = translateExpr(node, env, OID.bool);
  if (t.type !== OID.bool && t.type !== OID.unknownLiteral && t.sql !== 'NULL') {
    fail({ sqlstate: '42804', message: `argument of ${clause} must be type boolean, not type ${typeName(t.type)}` });
  }
  return t.sql;
}

export function translateExpr(node: any, env: ExprEnv, expected?: number): Typed {
  const k = nodeType(node);
  // An expression that is itself a grouping key (GROUP BY a + b … SELECT a + b) is allowed whole.
  if (env.grouping && k !== 'A_Const' && k !== 'ParamRef' && k !== 'ColumnRef') {
    const whole = translateNode(node, { ...env, grouping: undefined }, expected);
    if (env.grouping.has(whole.sql)) return whole;
  }
  return translateNode(node, env, expected);
}

function translateNode(node: any, env: ExprEnv, expected?: number): Typed {
  const k = nodeType(node);
  const n = node[k];
  switch (k) {
    case 'A_Const':
      return constant(n, expected);
    case 'ParamRef': {
      env.ctx.scalarParams.add(n.number);
      if (expected && env.ctx.paramType(n.number) === 0) env.ctx.setParamType(n.number, expected);
      else if (env.ctx.paramOids.length < n.number) env.ctx.setParamType(n.number, 0);
      return { sql: paramMark(n.number), type: env.ctx.paramType(n.number) };
    }
    case 'ColumnRef':
      return columnRef(n, env);
    case 'TypeCast':
      return typeCast(n, env);
    case 'A_Expr':
      return aExpr(n, env);
    case 'BoolExpr': {
      const args = n.args.map((a: any) => `(${translateExpr(a, env, OID.bool).sql})`);
      if (n.boolop === 'NOT_EXPR') return { sql: `NOT ${args[0]}`, type: OID.bool };
      return { sql: args.join(n.boolop === 'AND_EXPR' ? ' AND ' : ' OR '), type: OID.bool };
    }
    case 'NullTest': {
      const arg = translateExpr(n.arg, env);
      // A reference is not NULL, exactly like the value it stands for.
      return { sql: `(${arg.raw ?? arg.sql}) IS ${n.nulltesttype === 'IS_NULL' ? '' : 'NOT '}NULL`, type: OID.bool };
    }
    case 'BooleanTest': {
      const arg = translateExpr(n.arg, env, OID.bool).sql;
      const tests: Record<string, string> = {
        IS_TRUE: `(${arg}) IS 1`,
        IS_NOT_TRUE: `(${arg}) IS NOT 1`,
        IS_FALSE: `(${arg}) IS 0`,
        IS_NOT_FALSE: `(${arg}) IS NOT 0`,
        IS_UNKNOWN: `(${arg}) IS NULL`,
        IS_NOT_UNKNOWN: `(${arg}) IS NOT NULL`,
      };
      return { sql: tests[n.booltesttype], type: OID.bool };
    }
    case 'CoalesceExpr':
      return variadic('coalesce', n.args, env, expected);
    case 'MinMaxExpr':
      return variadic(n.op === 'IS_GREATEST' ? 'max' : 'min', n.args, env, expected);
    case 'CaseExpr':
      return caseExpr(n, env, expected);
    case 'FuncCall':
      return funcCall(n, env);
    case 'SubLink':
      return subLink(n, env);
    case 'A_ArrayExpr':
      return arrayConstructor(n, env, expected);
    case 'SQLValueFunction':
      return sqlValueFunction(n, env);
    default:
      unsupported(`expression ${k}`);
  }
}

function constant(n: any, expected?: number): Typed {
  if (n.isnull) return { sql: 'NULL', type: expected ?? OID.unknownLiteral };
  if ('ival' in n) {
    const v = BigInt(n.ival.ival ?? 0);
    if (expected && expected !== OID.int4 && !isFloatType(expected) && expected !== OID.numeric) return { sql: literal(expected, v), type: expected };
    return { sql: v.toString(), type: OID.int4 };
  }
  if ('fval' in n) {
    const text: string = n.fval.fval;
    // Integer literals beyond int4 arrive as fval: PostgreSQL types them int8, else numeric.
    if (/^-?\d+$/.test(text)) {
      const v = BigInt(text);
      if (expected && isIntegerType(expected)) return { sql: literal(expected, v), type: expected };
      if (v >= -(2n ** 63n) && v < 2n ** 63n) return { sql: v.toString(), type: OID.int8 };
    }
    if (expected && isFloatType(expected)) return { sql: literal(expected, text), type: expected };
    return { sql: literal(OID.numeric, text), type: OID.numeric };
  }
  if ('boolval' in n) return { sql: n.boolval.boolval ? '1' : '0', type: OID.bool };
  if ('sval' in n) {
    const type = expected && expected !== OID.unknownLiteral ? expected : OID.text;
    const parsed = parseText(type, n.sval.sval);
    if (isPgError(parsed)) fail(parsed);
    return { sql: literal(type, parsed), type };
  }
  if ('bsval' in n) unsupported('bit string constants');
  unsupported('this constant');
}

function columnRef(n: any, env: ExprEnv): Typed {
  const fields: any[] = n.fields;
  if (fields.some((f) => 'A_Star' in f)) unsupported('* in this position');
  const names: string[] = fields.map((f) => f.String.sval);
  const col = names[names.length - 1];
  const qualifier = names.length >= 2 ? names[names.length - 2] : undefined;
  // A column merged by JOIN … USING answers only to its qualified name.
  const reachable = (c: { name: string; hidden?: boolean }) => c.name === col && (qualifier !== undefined || !c.hidden);
  const candidates = env.scope.filter((e) => (!qualifier || e.alias === qualifier) && e.columns.some(reachable));
  // The nearest query level that has the name wins, as in PostgreSQL.
  const depth = Math.min(...candidates.map((e) => e.depth ?? 0));
  const nearest = candidates.filter((e) => (e.depth ?? 0) === depth);
  const matches = nearest.flatMap((e) => e.columns.filter(reachable));
  if (matches.length === 1 && env.grouping && depth === 0 && !env.grouping.has(matches[0].sql) && !env.grouping.has(guardOverflow(matches[0].sql))) {
    fail({ sqlstate: '42803', message: `column "${nearest[0].alias}.${col}" must appear in the GROUP BY clause or be used in an aggregate function`, position: n.location + 1 });
  }
  if (matches.length === 0) {
    if (qualifier && !env.scope.some((e) => e.alias === qualifier)) {
      fail({ sqlstate: '42P01', message: `missing FROM-clause entry for table "${qualifier}"`, position: n.location + 1 });
    }
    fail({ ...undefinedColumn(names.join('.')), position: n.location + 1 });
  }
  if (matches.length > 1) fail({ ...ambiguousColumn(col), position: n.location + 1 });
  const m = matches[0];
  // A column that may hold an out-of-line reference is guarded wherever its value is used.
  if (m.overflow) return { sql: guardOverflow(m.sql), raw: m.sql, type: m.type, ...(m.source && { source: m.source }), ...(m.notNull && { notNull: true }) };
  return { sql: m.sql, type: m.type, ...(m.source && { source: m.source }), ...(m.notNull && { notNull: true }) };
}

function typeCast(n: any, env: ExprEnv): Typed {
  const target = typeOidOf(n.typeName);
  const typmod = n.typeName.typmods?.length || target === OID.bpchar ? typeModOf(n.typeName, target) : -1;
  const v = typeCastUnmodified(n, env, target);
  // An explicit cast to varchar(n) truncates, where an assignment would fail.
  return typmod > 0 ? { sql: `substr(${v.sql}, 1, ${typmod})`, type: target } : v;
}

function typeCastUnmodified(n: any, env: ExprEnv, target: number): Typed {
  const arg = n.arg;
  // ARRAY[…]::t[] builds its elements as t (an empty constructor needs exactly this).
  if (nodeType(arg) === 'A_ArrayExpr') {
    const built = translateExpr(arg, env, target);
    if (built.type !== target) unsupported(`cast from ${typeName(built.type)} to ${typeName(target)}`);
    return built;
  }
  // A relation name resolves now; a runtime text when the statement runs (regclass.ts).
  if (target === OID.regclass && nodeType(arg) === 'A_Const' && 'sval' in arg.A_Const) return regclassConstant(arg.A_Const.sval.sval, env.ctx);
  // A literal or an untyped parameter simply takes the target type.
  if (isUntyped(arg, env)) return { ...translateExpr(arg, env, target), type: target };
  if (target === OID.regclass) return castToRegclass(translateExpr(arg, env), env.ctx);
  if (nodeType(arg) === 'A_Const') {
    // A typed constant (1, 3.7, true) is cast now, with PostgreSQL's cast rules (3.7::int4 = 4).
    const natural = translateExpr(arg, env);
    const c = arg.A_Const;
    const value: SqlValue = 'ival' in c ? BigInt(c.ival.ival ?? 0) : 'fval' in c ? (natural.type === OID.numeric ? c.fval.fval : BigInt(c.fval.fval)) : !!c.boolval?.boolval;
    const cast = castValue(natural.type, target, value);
    if (isPgError(cast)) fail(cast);
    return { sql: literal(target, cast), type: target };
  }
  const inner = translateExpr(arg, env);
  return convert(inner, target);
}

/** Explicit conversion of a runtime value between types SQLite can express exactly. */
function convert(v: Typed, target: number): Typed {
  if (v.type === target) return v;
  if (isIntegerType(v.type) && isIntegerType(target)) {
    if (target === OID.int8 || v.type === OID.int2) return { sql: v.sql, type: target };
    // Narrowing: out of range raises 22003 at run time, as PostgreSQL does.
    return { sql: checkedInteger(v.sql, target), type: target };
  }
  if (isTextType(v.type) && isTextType(target)) return { sql: v.sql, type: target };
  if (isIntegerType(v.type) && isTextType(target)) return { sql: `CAST(${v.sql} AS TEXT)`, type: target };
  if (isIntegerType(v.type) && isFloatType(target)) return { sql: `CAST(${v.sql} AS REAL)`, type: target };
  if (isFloatType(v.type) && isIntegerType(target)) return { sql: floatToInteger(v.sql, target), type: target };
  if ((v.type === OID.json || v.type === OID.jsonb || v.type === OID.uuid || v.type === OID.date) && isTextType(target)) return { sql: v.sql, type: target };
  if (v.type === OID.bool && isTextType(target)) return { sql: `CASE ${v.sql} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END`, type: target };
  if (v.type === OID.unknownLiteral) return { sql: v.sql, type: target };
  unsupported(`cast from ${typeName(v.type)} to ${typeName(target)}`);
}

const comparison = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

/** Translate two operands so that an untyped one takes the other's type. */
/** A numeric literal such as 1.5 (numeric in PostgreSQL, but it meets a float as float8). */
function isNumericLiteral(node: any): boolean {
  return nodeType(node) === 'A_Const' && 'fval' in node.A_Const;
}

/**
 * The type an unknown operand takes opposite a typed one: its own, except varchar, whose
 * comparison operators are text's (so PostgreSQL infers text for `v = $1`).
 */
function comparedAs(type: number): number {
  return type === OID.varchar ? OID.text : type;
}

export function operands(l: any, r: any, env: ExprEnv): [Typed, Typed] {
  if (isNumericLiteral(r) && !isUntyped(l, env)) {
    const left = translateExpr(l, env);
    return [left, translateExpr(r, env, isFloatType(left.type) ? OID.float8 : undefined)];
  }
  if (isNumericLiteral(l) && !isUntyped(r, env)) {
    const right = translateExpr(r, env);
    return [translateExpr(l, env, isFloatType(right.type) ? OID.float8 : undefined), right];
  }
  if (isUntyped(l, env) && !isUntyped(r, env)) {
    const right = translateExpr(r, env);
    return [translateExpr(l, env, comparedAs(right.type)), right];
  }
  // Both unknown: PostgreSQL picks text for both.
  const left = translateExpr(l, env, isUntyped(l, env) && isUntyped(r, env) ? OID.text : undefined);
  const hint = left.type === OID.unknownLiteral || left.type === 0 ? undefined : comparedAs(left.type);
  return [left, translateExpr(r, env, isUntyped(r, env) ? hint ?? OID.text : undefined)];
}

export function checkComparable(a: Typed, b: Typed, op: string): void {
  const family = (t: number) => (isIntegerType(t) || isFloatType(t) ? 'num' : isTextType(t) || t === OID.unknownLiteral ? 'text' : t === OID.numeric ? 'numeric' : String(t));
  const fa = family(a.type);
  const fb = family(b.type);
  if (fa === 'numeric' || fb === 'numeric') unsupported('comparison of numeric values');
  if (fa !== fb && a.sql !== 'NULL' && b.sql !== 'NULL') {
    fail({ sqlstate: '42883', message: `operator does not exist: ${typeName(a.type)} ${op} ${typeName(b.type)}` });
  }
}

function aExpr(n: any, env: ExprEnv): Typed {
  const op: string = n.name?.[0]?.String?.sval ?? '';
  switch (n.kind) {
    case 'AEXPR_OP': {
      if (!n.lexpr) {
        if (op === '-') {
          const v = translateExpr(n.rexpr, env);
          if (!isIntegerType(v.type) && !isFloatType(v.type)) unsupported(`unary minus on ${typeName(v.type)}`);
          return { sql: `(-${v.sql})`, type: v.type };
        }
        unsupported(`prefix operator ${op}`);
      }
      if (op === '||') return concat(n, env);
      // Unknown operators fail before their operands are typed (`j -> 'a'` must not parse 'a' as json).
      if (!comparison.has(op) && !['+', '-', '*', '/', '%'].includes(op)) unsupported(`operator ${op}`);
      if (comparison.has(op) && nodeType(n.lexpr) === 'RowExpr' && nodeType(n.rexpr) === 'RowExpr') return rowComparison(op, n.lexpr.RowExpr.args, n.rexpr.RowExpr.args, env);
      const [l, r] = regclassAsOid(...operands(n.lexpr, n.rexpr, env), env.ctx);
      if (comparison.has(op)) {
        checkComparable(l, r, op);
        return { sql: `(${l.sql} ${op === '!=' ? '<>' : op} ${r.sql})`, type: OID.bool };
      }
      if (['+', '-', '*', '/', '%'].includes(op)) return arithmetic(op, l, r);
      unsupported(`operator ${op}`);
    }
    case 'AEXPR_IN': {
      const items: any[] = n.rexpr.List.items;
      // An unknown left side takes the type of the first typed list item.
      const typedItem = isUntyped(n.lexpr, env) ? items.find((i) => !isUntyped(i, env)) : undefined;
      const left = translateExpr(n.lexpr, env, typedItem ? translateExpr(typedItem, env).type : isUntyped(n.lexpr, env) ? OID.text : undefined);
      const list = items.map((i) => translateExpr(i, env, comparedAs(left.type)).sql);
      return { sql: `(${left.sql} ${op === '<>' ? 'NOT IN' : 'IN'} (${list.join(', ')}))`, type: OID.bool };
    }
    case 'AEXPR_LIKE': {
      // SQLite's LIKE folds ASCII case; PostgreSQL's LIKE does not. A constant pattern becomes
      // an equivalent GLOB, which is case-sensitive.
      if (nodeType(n.rexpr) !== 'A_Const' || !('sval' in n.rexpr.A_Const)) unsupported('LIKE with a non-constant pattern');
      const value = translateExpr(n.lexpr, env, OID.text);
      const glob = likeToGlob(n.rexpr.A_Const.sval.sval);
      return { sql: `(${op === '!~~' ? 'NOT ' : ''}${value.sql} GLOB ${literal(OID.text, glob)})`, type: OID.bool };
    }
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN': {
      const [lo, hi] = n.rexpr.List.items;
      const typedBound = isUntyped(n.lexpr, env) ? [lo, hi].find((b) => !isUntyped(b, env)) : undefined;
      const v = translateExpr(n.lexpr, env, typedBound ? translateExpr(typedBound, env).type : undefined);
      const a = translateExpr(lo, env, comparedAs(v.type));
      const b = translateExpr(hi, env, comparedAs(v.type));
      return { sql: `(${v.sql} ${n.kind === 'AEXPR_NOT_BETWEEN' ? 'NOT ' : ''}BETWEEN ${a.sql} AND ${b.sql})`, type: OID.bool };
    }
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL':
      return anyOrAll(n, env);
    case 'AEXPR_NULLIF': {
      const [l, r] = operands(n.lexpr, n.rexpr, env);
      checkComparable(l, r, '=');
      return { sql: `nullif(${l.sql}, ${r.sql})`, type: l.type };
    }
    case 'AEXPR_ILIKE': {
      // Case folding as lower() does it on both sides (SQLite folds ASCII only; see docs/compatibility.md).
      if (nodeType(n.rexpr) !== 'A_Const' || !('sval' in n.rexpr.A_Const)) unsupported('ILIKE with a non-constant pattern');
      const value = translateExpr(n.lexpr, env, OID.text);
      const glob = likeToGlob(n.rexpr.A_Const.sval.sval.toLowerCase());
      return { sql: `(${op === '!~~*' ? 'NOT ' : ''}lower(${value.sql}) GLOB ${literal(OID.text, glob)})`, type: OID.bool };
    }
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT': {
      const [l, r] = operands(n.lexpr, n.rexpr, env);
      return { sql: `(${l.sql} IS ${n.kind === 'AEXPR_DISTINCT' ? 'NOT ' : ''}${r.sql})`, type: OID.bool };
    }
    default:
      unsupported(`expression kind ${n.kind}`);
  }
}

/** `(a, b) > ($1, $2)`: SQLite's row values compare lexicographically, as PostgreSQL's do. */
function rowComparison(op: string, left: any[], right: any[], env: ExprEnv): Typed {
  if (left.length !== right.length) fail({ sqlstate: '42601', message: 'unequal number of entries in row expressions' });
  const pairs = left.map((l, i) => {
    const [a, b] = operands(l, right[i], env);
    checkComparable(a, b, op);
    return [a.sql, b.sql];
  });
  const sqlOp = op === '!=' ? '<>' : op;
  return { sql: `((${pairs.map((p) => p[0]).join(', ')}) ${sqlOp} (${pairs.map((p) => p[1]).join(', ')}))`, type: OID.bool };
}

/** Integer and float arithmetic with PostgreSQL's errors: 22012 on division by zero, 22003 on overflow. */
export function arithmetic(op: string, l: Typed, r: Typed): Typed {
  const t = arithmeticType(l.type, r.type);
  if (t === undefined) unsupported(`operator ${op} on ${typeName(l.type)} and ${typeName(r.type)}`);
  if (op === '%' && !isIntegerType(t)) unsupported(`operator % on ${typeName(t)}`);
  // Float division by an integer-valued REAL must not become integer division in SQLite.
  const left = op === '/' && isFloatType(t) ? `CAST(${l.sql} AS REAL)` : l.sql;
  let sql = `(${left} ${op} ${r.sql})`;
  // SQLite yields NULL for x/0 where PostgreSQL raises 22012 (NULL divisors stay NULL).
  if (op === '/' || op === '%') sql = `(CASE WHEN ${r.sql} = 0 THEN ${raiseSql('division_by_zero')} ELSE ${sql} END)`;
  if (isIntegerType(t)) sql = checkedInteger(sql, t);
  else sql = checkedFloat(sql, [l.sql, r.sql]);
  return { sql, type: t };
}

/** `||`: text concatenation; a non-text operand is output as text, as anynonarray || text. */
function concat(n: any, env: ExprEnv): Typed {
  const side = (node: any) => {
    const v = translateExpr(node, env, isUntyped(node, env) ? OID.text : undefined);
    if (isTextType(v.type) || v.type === OID.unknownLiteral) return v.sql;
    return convert(v, OID.text).sql;
  };
  const l = side(n.lexpr);
  const r = side(n.rexpr);
  return { sql: `(${l} || ${r})`, type: OID.text };
}

/** A LIKE pattern (with PostgreSQL's default backslash escape) as a GLOB pattern. */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[++i];
      out += '*?['.includes(next) ? `[${next}]` : next;
    } else if (c === '%') out += '*';
    else if (c === '_') out += '?';
    else if ('*?['.includes(c)) out += `[${c}]`;
    else out += c;
  }
  return out;
}

function variadic(fn: string, args: any[], env: ExprEnv, expected?: number): Typed {
  const typed = args.filter((a) => !isUntyped(a, env));
  const type = typed.length ? commonType(typed.map((a) => translateExpr(a, env).type), fn.toUpperCase()) : expected ?? OID.text;
  const parts = args.map((a) => translateExpr(a, env, type));
  if (fn !== 'coalesce') {
    if (type === OID.numeric || type === OID.bytea) unsupported(`${fn === 'max' ? 'GREATEST' : 'LEAST'} of ${typeName(type)}`);
    // GREATEST/LEAST skip NULLs in PostgreSQL; SQLite's max()/min() return NULL if any is NULL,
    // so each argument falls back to the first non-NULL one.
    const all = parts.map((p) => p.sql).join(', ');
    return { sql: parts.length === 1 ? parts[0].sql : `${fn}(${parts.map((p) => `coalesce(${p.sql}, ${all})`).join(', ')})`, type };
  }
  return { sql: parts.length === 1 ? parts[0].sql : `coalesce(${parts.map((p) => p.sql).join(', ')})`, type };
}

function caseExpr(n: any, env: ExprEnv, expected?: number): Typed {
  const subject = n.arg ? translateExpr(n.arg, env) : undefined;
  const results: any[] = [...n.args.map((w: any) => w.CaseWhen.result), ...(n.defresult ? [n.defresult] : [])];
  const typedResults = results.filter((r) => !isUntyped(r, env));
  const type = typedResults.length ? commonType(typedResults.map((r) => translateExpr(r, env).type), 'CASE') : expected ?? OID.text;
  const whens = n.args.map((w: any) => {
    const cond = translateExpr(w.CaseWhen.expr, env, subject?.type ?? OID.bool).sql;
    return `WHEN ${cond} THEN ${translateExpr(w.CaseWhen.result, env, type).sql}`;
  });
  const def = n.defresult ? ` ELSE ${translateExpr(n.defresult, env, type).sql}` : '';
  return { sql: `(CASE${subject ? ` ${subject.sql}` : ''} ${whens.join(' ')}${def} END)`, type };
}

function subLink(n: any, env: ExprEnv): Typed {
  const sub = env.subquery(n.subselect, env.ctx, env.scope);
  switch (n.subLinkType) {
    case 'EXISTS_SUBLINK':
      return { sql: `EXISTS (${sub.sql})`, type: OID.bool };
    case 'EXPR_SUBLINK':
      if (sub.columns.length !== 1) fail({ sqlstate: '42601', message: 'subquery must return only one column' });
      return { sql: `(${sub.sql})`, type: sub.columns[0].type };
    case 'ANY_SUBLINK': {
      const op = n.operName?.[0]?.String?.sval ?? '=';
      if (op !== '=') unsupported(`${op} ANY (subquery)`);
      const left = translateExpr(n.testexpr, env, sub.columns[0]?.type);
      return { sql: `(${left.sql} IN (${sub.sql}))`, type: OID.bool };
    }
    default:
      unsupported(`subquery kind ${n.subLinkType}`);
  }
}

/** now() as timestamptz storage (µs since 1970 UTC; SQLite's clock has millisecond precision). */
