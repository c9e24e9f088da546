/**
 * @module Window functions: `f(…) OVER (PARTITION BY … ORDER BY …)` with the default frame,
 * which SQLite shares with PostgreSQL (RANGE UNBOUNDED PRECEDING to the current row and its
 * peers). Result types are PostgreSQL's: ranking functions are bigint, lag/lead/first_value
 * keep their argument's type. Named windows and explicit frames fail with 0A000.
 */
import { OID } from '../../../tunnel/oids.ts';
import { typeName } from '../values/index.ts';
import { fail, unsupported, type Typed } from './context.ts';
import { translateExpr, type ExprEnv } from './expr.ts';
import { isFloatType, isIntegerType } from './types.ts';

/** PostgreSQL's FRAMEOPTION_DEFAULTS as libpg-query 18 reports it. */
const DEFAULT_FRAME = 1058;

export function windowCall(name: string, n: any, env: ExprEnv): Typed {
  const over = n.over;
  if (!env.aggregates) fail({ sqlstate: '42P20', message: 'window functions are not allowed in WHERE' });
  if (over.name || over.refname) unsupported('named windows (WINDOW clause)');
  if (over.frameOptions !== DEFAULT_FRAME) unsupported('window frame clauses');
  if (n.agg_filter || n.agg_order || n.agg_distinct) unsupported(`${name} with FILTER, ORDER BY or DISTINCT in a window`);
  // Arguments, partitions and orderings are evaluated per row: no aggregates or windows inside.
  const inner: ExprEnv = { ...env, aggregates: false, outputColumn: false, grouping: undefined };
  const args: Typed[] = (n.args ?? []).map((a: any) => translateExpr(a, inner));
  const call = windowFunction(name, args, n.agg_star);
  const partition = (over.partitionClause ?? []).map((p: any) => translateExpr(p, inner).sql);
  const order = (over.orderClause ?? []).map((s: any) => {
    const sb = s.SortBy;
    if (sb.useOp) unsupported('ORDER BY … USING');
    const desc = sb.sortby_dir === 'SORTBY_DESC';
    const nulls = sb.sortby_nulls === 'SORTBY_NULLS_FIRST' ? 'FIRST' : sb.sortby_nulls === 'SORTBY_NULLS_LAST' ? 'LAST' : desc ? 'FIRST' : 'LAST';
    return `${translateExpr(sb.node, inner).sql} ${desc ? 'DESC' : 'ASC'} NULLS ${nulls}`;
  });
  const spec = [partition.length ? `PARTITION BY ${partition.join(', ')}` : '', order.length ? `ORDER BY ${order.join(', ')}` : ''].filter(Boolean).join(' ');
  return { sql: `${call.sql} OVER (${spec})`, type: call.type };
}

function windowFunction(name: string, args: Typed[], star: boolean): Typed {
  const list = args.map((a) => a.sql).join(', ');
  const arity = (...allowed: number[]) => {
    if (!allowed.includes(args.length)) fail({ sqlstate: '42883', message: `function ${name}(${args.map((a) => typeName(a.type)).join(', ')}) does not exist` });
  };
  switch (name) {
    case 'row_number':
    case 'rank':
    case 'dense_rank':
      arity(0);
      return { sql: `${name}()`, type: OID.int8 };
    case 'percent_rank':
    case 'cume_dist':
      arity(0);
      return { sql: `${name}()`, type: OID.float8 };
    case 'ntile':
      arity(1);
      if (!isIntegerType(args[0].type)) unsupported(`ntile(${typeName(args[0].type)})`);
      return { sql: `ntile(${list})`, type: OID.int4 };
    case 'lag':
    case 'lead':
      arity(1, 2, 3);
      if (args[1] && !isIntegerType(args[1].type)) unsupported(`${name} with a ${typeName(args[1].type)} offset`);
      if (args[2] && args[2].type !== args[0].type && args[2].type !== OID.unknownLiteral && args[2].sql !== 'NULL') unsupported(`${name} with a default of another type`);
      return { sql: `${name}(${list})`, type: args[0].type };
    case 'first_value':
    case 'last_value':
      arity(1);
      return { sql: `${name}(${list})`, type: args[0].type };
    case 'nth_value':
      arity(2);
      return { sql: `nth_value(${list})`, type: args[0].type };
    case 'count':
      return { sql: star ? 'count(*)' : `count(${list})`, type: OID.int8 };
    case 'min':
    case 'max':
      arity(1);
      if (args[0].type === OID.numeric) unsupported(`${name}(numeric) in a window`);
      return { sql: `${name}(${list})`, type: args[0].type };
    case 'sum':
      arity(1);
      if (args[0].type === OID.int2 || args[0].type === OID.int4) return { sql: `sum(${list})`, type: OID.int8 };
      if (args[0].type === OID.int8) return { sql: `sum(${list})`, type: OID.numeric };
      if (isFloatType(args[0].type)) return { sql: `sum(${list})`, type: args[0].type };
      break;
    case 'avg':
      arity(1);
      if (isFloatType(args[0].type)) return { sql: `avg(${list})`, type: OID.float8 };
      break;
  }
  unsupported(`window function ${name}(${args.map((a) => typeName(a.type)).join(', ')})`);
}
