/**
 * @module Set-returning functions in FROM: UNNEST (expanded per row over parameters in an
 * INSERT's row source, unnest.ts; otherwise read with json_each in array order) and
 * generate_series over integers (a recursive CTE). Others fail with 0A000.
 */
import { OID, elementTypeOf } from '../../../tunnel/oids.ts';
import { quoteIdent } from '../catalog.ts';
import { typeName } from '../values/index.ts';
import { fail, unsupported, type ScopeEntry, type TranslateContext } from './context.ts';
import { elementSql } from './arrays.ts';
import { translateExpr, type ExprEnv } from './expr.ts';
import { arithmeticType, isIntegerType } from './types.ts';
import { overParameters, unnestFromItem } from './unnest.ts';

export function functionFromItem(n: any, ctx: TranslateContext, scope: ScopeEntry[], expand: boolean, env: ExprEnv): string {
  if (n.lateral) unsupported('LATERAL');
  if (n.ordinality) unsupported('WITH ORDINALITY');
  if (n.is_rowsfrom || n.functions.length !== 1) unsupported('ROWS FROM');
  const call = n.functions[0].List.items[0].FuncCall;
  const names: string[] = call?.funcname?.map((x: any) => x.String.sval) ?? [];
  if (names.length > 1 && names[0] !== 'pg_catalog') unsupported(`function ${names.join('.')} in FROM`);
  const name = names[names.length - 1];
  const alias: string = n.alias?.aliasname ?? name;
  const colnames: string[] | undefined = n.alias?.colnames?.map((c: any) => c.String.sval);
  // A one-column function aliased without column names names its column after the alias.
  const column = colnames?.[0] ?? (n.alias ? alias : name);
  const single = (type: number, sql: string): string => {
    scope.push({ alias, columns: [{ name: column, type, sql: `${quoteIdent(alias)}.${quoteIdent(column)}` }] });
    return `(${sql}) AS ${quoteIdent(alias)}`;
  };
  switch (name) {
    case 'unnest': {
      if (expand && overParameters(call)) return unnestFromItem(n, call, ctx, scope);
      const args: any[] = call.args ?? [];
      if (args.length !== 1) unsupported('UNNEST of several arrays outside INSERT … SELECT over parameters');
      const array = translateExpr(args[0], env);
      const element = elementTypeOf(array.type);
      if (element === undefined) fail({ sqlstate: '42883', message: `function unnest(${typeName(array.type)}) does not exist` });
      return single(element, `SELECT ${elementSql('u', element)} AS ${quoteIdent(column)} FROM json_each(${array.sql}) AS u ORDER BY u.key`);
    }
    case 'generate_series':
      return single(...generateSeries(call.args ?? [], env, column));
    default:
      unsupported(`function ${name} in FROM`);
  }
}

/** generate_series(start, stop[, step]) over integers; the step must be a constant (its sign picks the test). */
function generateSeries(args: any[], env: ExprEnv, column: string): [number, string] {
  if (args.length < 2 || args.length > 3) unsupported(`generate_series with ${args.length} arguments`);
  const [start, stop] = args.slice(0, 2).map((a) => translateExpr(a, env, OID.int4));
  if (!isIntegerType(start.type) || !isIntegerType(stop.type)) unsupported(`generate_series(${typeName(start.type)}, ${typeName(stop.type)})`);
  let step = 1n;
  if (args[2]) {
    const c = args[2].A_Const;
    const neg = args[2].A_Expr?.kind === 'AEXPR_OP' && !args[2].A_Expr.lexpr ? args[2].A_Expr.rexpr.A_Const : undefined;
    const v = c?.ival ?? neg?.ival;
    if (!v) unsupported('generate_series with a non-constant step');
    step = BigInt(v.ival ?? 0) * (neg ? -1n : 1n);
    if (step === 0n) fail({ sqlstate: '22023', message: 'step size cannot equal zero' });
  }
  const type = arithmeticType(start.type, stop.type)!;
  const cmp = step > 0n ? '<=' : '>=';
  const q = quoteIdent(column);
  return [type, `WITH RECURSIVE series(v) AS (SELECT ${start.sql} WHERE ${start.sql} ${cmp} ${stop.sql} UNION ALL SELECT v + ${step} FROM series WHERE v + ${step} ${cmp} ${stop.sql}) SELECT v AS ${q} FROM series`];
}
