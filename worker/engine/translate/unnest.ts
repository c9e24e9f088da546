/**
 * @module `INSERT … SELECT … FROM UNNEST($1::T[], $2::U[], …)`: the batch insert Convex sends
 * (up to 1024 rows). SQLite has no arrays, and a whole batch of documents could pass the 2 MB
 * value limit as one parameter, so the plan expands instead (DESIGN §4): the SELECT reads one
 * element of each array parameter as a scalar parameter, and execute runs the prepared
 * statement once per row inside the statement's transaction. Row i binds element i of every
 * array (NULL past a shorter array's end, as PostgreSQL's multi-argument UNNEST pads).
 */
import { elementTypeOf } from '../../../tunnel/oids.ts';
import { typeName } from '../values/index.ts';
import { fail, paramMark, unsupported, type ScopeEntry, type TranslateContext } from './context.ts';
import { containsAggregate } from './expr.ts';
import { typeOidOf } from './types.ts';

/** Whether this SELECT may read UNNEST of array parameters: an INSERT's row source, one row per element. */
export function mayExpand(stmt: any, ctx: TranslateContext): boolean {
  return (
    stmt === ctx.insertRowSource &&
    stmt.fromClause?.length === 1 &&
    !stmt.groupClause &&
    !stmt.havingClause &&
    !stmt.sortClause &&
    !stmt.limitCount &&
    !stmt.limitOffset &&
    !stmt.distinctClause &&
    !stmt.windowClause &&
    !containsAggregate(stmt.targetList)
  );
}

/** Whether every argument of this UNNEST is a parameter (possibly cast), as expansion needs. */
export function overParameters(call: any): boolean {
  return (call.args ?? []).every((a: any) => a.ParamRef || a.TypeCast?.arg?.ParamRef);
}

/**
 * UNNEST over parameters in an INSERT's row source (from-functions.ts decides): its columns
 * join the scope as scalar parameters and it adds nothing to FROM.
 */
export function unnestFromItem(n: any, call: any, ctx: TranslateContext, scope: ScopeEntry[]): string {
  const args: any[] = call.args ?? [];
  const columns = args.map((arg) => {
    const cast = arg.TypeCast;
    const ref = cast ? cast.arg.ParamRef : arg.ParamRef;
    if (!ref) unsupported('UNNEST of an array other than a parameter');
    const p: number = ref.number;
    const declared = ctx.paramType(p);
    const arrayType = cast ? typeOidOf(cast.typeName) : declared;
    const element = elementTypeOf(arrayType);
    if (element === undefined) {
      if (arrayType === 0) fail({ sqlstate: '42P18', message: `could not determine data type of parameter $${p}` });
      fail({ sqlstate: '42883', message: `function unnest(${typeName(arrayType)}) does not exist`, hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
    }
    if (declared !== 0 && declared !== arrayType) unsupported(`UNNEST of parameter $${p} declared as ${typeName(declared)}`);
    ctx.setParamType(p, arrayType);
    ctx.expandParam(p, element);
    return { name: 'unnest', type: element, sql: paramMark(p) };
  });
  const alias: string = n.alias?.aliasname ?? 'unnest';
  const names: string[] | undefined = n.alias?.colnames?.map((c: any) => c.String.sval);
  // A single-argument UNNEST with only a table alias names its column after the alias.
  const named = columns.map((c, i) => ({ ...c, name: names?.[i] ?? (args.length === 1 && n.alias ? alias : c.name) }));
  scope.push({ alias, columns: named });
  return '';
}
