/** @module SELECT (and VALUES, set operations, CTEs) → SQLite, with PostgreSQL result types. */
import { OID } from '../../../tunnel/oids.ts';
import { quoteIdent, sqliteName } from '../catalog.ts';
import { undefinedTable } from '../errors.ts';
import { needsIntegerCast, typeName } from '../values/index.ts';
import { deeper, fail, unsupported, type ScopeColumn, type ScopeEntry, type TranslateContext, type Typed } from './context.ts';
import { containsAggregate, translateCondition, translateExpr, type ExprEnv } from './expr.ts';
import { virtualRelation } from './virtual-relations.ts';
import { commonType } from './types.ts';
import { mayExpand } from './unnest.ts';
import { functionFromItem } from './from-functions.ts';
import { isDistinctOn, rewriteDistinctOn } from './distinct-on.ts';
import { mergeUsing } from './join-using.ts';
import { guardOverflow, mayOverflow, passesThrough } from './overflow-refs.ts';

export interface OutputColumn extends Typed {
  name: string;
}

export interface TranslatedSelect {
  sql: string;
  columns: OutputColumn[];
}

/**
 * Translate a SelectStmt. `top` marks the statement's own result: there, int8 and timestamp
 * columns are read as TEXT so no value passes through a JS number (DESIGN §4).
 */
export function translateSelect(stmt: any, ctx: TranslateContext, outer: ScopeEntry[] = [], top = false): TranslatedSelect {
  // FOR UPDATE/SHARE: locks on the tables read, held to the end of the transaction (locks.ts).
  for (const l of stmt.lockingClause ?? []) ctx.lockFor(l.LockingClause);
  if (stmt.intoClause) unsupported('SELECT INTO');
  const withSql = stmt.withClause ? translateWith(stmt.withClause, ctx) : '';
  let result: TranslatedSelect;
  if (stmt.op && stmt.op !== 'SETOP_NONE') result = setOperation(stmt, ctx, outer, top);
  else if (stmt.valuesLists) result = values(stmt, ctx, outer, top);
  else result = simpleSelect(stmt, ctx, outer, top);
  return { sql: withSql + result.sql, columns: result.columns };
}

/** The read form of a top-level output column. */
export function readForm(sql: string, type: number): string {
  return needsIntegerCast(type) || type === OID.numeric ? `CAST(${sql} AS TEXT)` : sql;
}

function subqueryTranslator(stmt: any, ctx: TranslateContext, outerScope: ScopeEntry[]) {
  return translateSelect(stmt.SelectStmt, ctx, outerScope, false);
}

function env(ctx: TranslateContext, scope: ScopeEntry[], aggregates = false, grouping?: Set<string>): ExprEnv {
  return { ctx, scope, subquery: subqueryTranslator, aggregates, ...(grouping && { grouping }) };
}

/**
 * What a grouped query may use outside aggregates: the grouping keys, plus every column of a
 * table whose primary key is grouped (PostgreSQL's functional dependency rule).
 */
function groupingKeys(keys: string[], scope: ScopeEntry[], ctx: TranslateContext): Set<string> {
  const allowed = new Set(keys);
  for (const entry of scope) {
    const tableOid = entry.columns[0]?.source?.tableOid;
    const table = tableOid === undefined ? undefined : ctx.catalog.tableByOid(tableOid);
    const pk = table?.constraints.find((c) => c.kind === 'p');
    if (!pk) continue;
    const sqlOf = (name: string) => entry.columns.find((c) => c.source?.attnum === table!.columns.find((x) => x.name === name)?.attnum)?.sql;
    if (pk.columns.every((c) => allowed.has(sqlOf(c) ?? '\u0000'))) for (const c of entry.columns) allowed.add(c.overflow ? guardOverflow(c.sql) : c.sql);
  }
  return allowed;
}

function translateWith(withClause: any, ctx: TranslateContext): string {
  const parts = withClause.ctes.map((c: any) => {
    const cte = c.CommonTableExpr;
    if (cte.ctematerialized && cte.ctematerialized !== 'CTEMaterializeDefault') unsupported('MATERIALIZED hints on CTEs');
    const q = cte.ctequery;
    if (!q.SelectStmt) unsupported('data-modifying statements in WITH');
    if (withClause.recursive && q.SelectStmt.op === 'SETOP_UNION') return recursiveCte(cte, q.SelectStmt, ctx);
    ctx.passThrough.add(q.SelectStmt);
    const inner = translateSelect(q.SelectStmt, ctx);
    const names: string[] = cte.aliascolnames?.map((a: any) => a.String.sval) ?? inner.columns.map((c) => c.name);
    ctx.ctes.set(cte.ctename, {
      sql: quoteIdent(cte.ctename),
      columns: inner.columns.map((c, i) => ({ name: names[i], type: c.type, sql: '', ...(c.overflow && { overflow: true }) })),
    });
    return `${quoteIdent(cte.ctename)}(${names.map(quoteIdent).join(', ')}) AS (${inner.sql})`;
  });
  return `WITH ${withClause.recursive ? 'RECURSIVE ' : ''}${parts.join(', ')} `;
}

/**
 * `name AS (non-recursive term UNION [ALL] recursive term)`: the CTE's columns take the
 * non-recursive term's types, then the recursive term is translated against them. The two
 * terms stay a direct compound, as SQLite requires of a recursive CTE.
 */
function recursiveCte(cte: any, q: any, ctx: TranslateContext): string {
  if (q.sortClause || q.limitCount || q.limitOffset) unsupported('ORDER BY/LIMIT in a recursive query');
  const seed = translateSelect(q.larg, ctx);
  const names: string[] = cte.aliascolnames?.map((a: any) => a.String.sval) ?? seed.columns.map((c) => c.name);
  if (names.length !== seed.columns.length) fail({ sqlstate: '42P10', message: `WITH query "${cte.ctename}" has ${seed.columns.length} columns available but ${names.length} columns specified` });
  ctx.ctes.set(cte.ctename, { sql: quoteIdent(cte.ctename), columns: seed.columns.map((c, i) => ({ name: names[i], type: c.type, sql: '' })) });
  const step = translateSelect(q.rarg, ctx);
  if (step.columns.length !== seed.columns.length) fail({ sqlstate: '42601', message: 'each UNION query must have the same number of columns' });
  seed.columns.forEach((c, i) => {
    const overall = commonType([c.type, step.columns[i].type], 'UNION');
    if (overall !== c.type) {
      fail({
        sqlstate: '42804',
        message: `recursive query "${cte.ctename}" column ${i + 1} has type ${typeName(c.type)} in non-recursive term but type ${typeName(overall)} overall`,
        hint: 'Cast the output of the non-recursive term to the correct type.',
      });
    }
  });
  return `${quoteIdent(cte.ctename)}(${names.map(quoteIdent).join(', ')}) AS (${seed.sql} UNION${q.all ? ' ALL' : ''} ${step.sql})`;
}

/** The name PostgreSQL gives an unnamed output column. */
function defaultName(node: any): string {
  const k = Object.keys(node)[0];
  const n = node[k];
  switch (k) {
    case 'ColumnRef': {
      const last = n.fields[n.fields.length - 1];
      return last.String?.sval ?? '?column?';
    }
    case 'FuncCall':
      return n.funcname[n.funcname.length - 1].String.sval;
    case 'TypeCast': {
      const inner = defaultName(n.arg);
      if (inner !== '?column?') return inner;
      const names = n.typeName.names.map((x: any) => x.String.sval);
      return names[names.length - 1];
    }
    case 'CaseExpr':
      return 'case';
    case 'A_Expr':
      return n.kind === 'AEXPR_NULLIF' ? 'nullif' : '?column?';
    case 'CoalesceExpr':
      return 'coalesce';
    case 'MinMaxExpr':
      return n.op === 'IS_GREATEST' ? 'greatest' : 'least';
    case 'SubLink':
      return n.subLinkType === 'EXISTS_SUBLINK' ? 'exists' : n.subLinkType === 'EXPR_SUBLINK' ? defaultSubqueryName(n.subselect) : '?column?';
    case 'SQLValueFunction':
      return n.op.replace('SVFOP_', '').toLowerCase();
    default:
      return '?column?';
  }
}

function defaultSubqueryName(sub: any): string {
  const t = sub.SelectStmt?.targetList?.[0]?.ResTarget;
  if (!t) return '?column?';
  return t.name ?? defaultName(t.val);
}

export function fromItem(node: any, ctx: TranslateContext, scope: ScopeEntry[], outer: ScopeEntry[], expand = false): string {
  const k = Object.keys(node)[0];
  const n = node[k];
  if (k === 'RangeVar') {
    const alias: string = n.alias?.aliasname ?? n.relname;
    const colAliases: string[] | undefined = n.alias?.colnames?.map((c: any) => c.String.sval);
    const cte = !n.schemaname ? ctx.ctes.get(n.relname) : undefined;
    if (cte) {
      scope.push({ alias, columns: cte.columns.map((c, i) => ({ name: colAliases?.[i] ?? c.name, type: c.type, sql: `${quoteIdent(alias)}.${quoteIdent(c.name)}`, ...(c.overflow && { overflow: true }) })) });
      return `${cte.sql} AS ${quoteIdent(alias)}`;
    }
    // pg_catalog is searched before search_path, as in PostgreSQL.
    const virtual = virtualRelation(n.schemaname ?? 'pg_catalog', n.relname, ctx.catalog, ctx.who);
    if (virtual) {
      scope.push({ alias, columns: virtual.columns.map((c, i) => ({ name: colAliases?.[i] ?? c.name, type: c.type, sql: `${quoteIdent(alias)}.${quoteIdent(c.name)}` })) });
      return `(${virtual.sql}) AS ${quoteIdent(alias)}`;
    }
    const table = ctx.resolveTable(n.schemaname, n.relname);
    if (!table) {
      const name = n.schemaname ? `${n.schemaname}.${n.relname}` : n.relname;
      if (n.schemaname === 'pg_catalog' || n.schemaname === 'information_schema') unsupported(`catalog relation ${name}`);
      if (!n.schemaname && /^pg_/.test(n.relname)) unsupported(`catalog relation ${name}`);
      fail(undefinedTable(name, n.location + 1));
    }
    ctx.reads.add(table);
    scope.push({
      alias,
      columns: table.columns.map((c, i) => ({
        name: colAliases?.[i] ?? c.name,
        type: c.typeOid,
        sql: `${quoteIdent(alias)}.${quoteIdent(c.name)}`,
        source: { tableOid: table.oid, attnum: c.attnum },
        ...(c.notNull && { notNull: true }),
        ...(mayOverflow(table, c.name, ctx.catalog) && { overflow: true }),
      })),
    });
    return `${sqliteName(table.schema, table.name)} AS ${quoteIdent(alias)}`;
  }
  if (k === 'RangeSubselect') {
    if (n.lateral) unsupported('LATERAL');
    const alias: string | undefined = n.alias?.aliasname;
    if (!alias) fail({ sqlstate: '42601', message: 'subquery in FROM must have an alias' });
    ctx.passThrough.add(n.subquery.SelectStmt);
    const inner = translateSelect(n.subquery.SelectStmt, ctx, outer);
    const colAliases: string[] | undefined = n.alias.colnames?.map((c: any) => c.String.sval);
    const names = inner.columns.map((c, i) => colAliases?.[i] ?? c.name);
    scope.push({ alias, columns: inner.columns.map((c, i) => ({ name: names[i], type: c.type, sql: `${quoteIdent(alias)}.${quoteIdent(names[i])}`, ...(c.overflow && { overflow: true }) })) });
    // Name the subquery's columns explicitly so outer references are stable.
    return `(SELECT * FROM (${inner.sql})) AS ${quoteIdent(alias)}`;
  }
  if (k === 'JoinExpr') {
    if (n.alias) unsupported('an alias on a JOIN');
    const start = scope.length;
    const left = fromItem(n.larg, ctx, scope, outer);
    const split = scope.length;
    const right = fromItem(n.rarg, ctx, scope, outer);
    const using = n.usingClause || n.isNatural ? mergeUsing(n, scope, start, split) : undefined;
    const kinds: Record<string, string> = { JOIN_INNER: n.quals || using ? 'JOIN' : 'CROSS JOIN', JOIN_LEFT: 'LEFT JOIN', JOIN_RIGHT: 'RIGHT JOIN', JOIN_FULL: 'FULL JOIN' };
    const kind = kinds[n.jointype];
    if (!kind) unsupported(`join type ${n.jointype}`);
    const on = using !== undefined ? ` ON ${using}` : n.quals ? ` ON ${translateExpr(n.quals, env(ctx, [...scope, ...deeper(outer)]), OID.bool).sql}` : '';
    // The NULL-extended side(s) of an outer join.
    const nulled = n.jointype === 'JOIN_LEFT' ? [split, scope.length] : n.jointype === 'JOIN_RIGHT' ? [start, split] : n.jointype === 'JOIN_FULL' ? [start, scope.length] : undefined;
    if (nulled) for (let i = nulled[0]; i < nulled[1]; i++) scope[i] = { ...scope[i], columns: scope[i].columns.map(({ notNull: _, ...c }) => c) };
    return `${left} ${kind} ${right}${on}`;
  }
  if (k === 'RangeFunction') return functionFromItem(n, ctx, scope, expand, env(ctx, deeper(outer)));
  unsupported(`FROM item ${k}`);
}

function simpleSelect(stmt: any, ctx: TranslateContext, outer: ScopeEntry[], top: boolean): TranslatedSelect {
  const scope: ScopeEntry[] = [];
  const expand = mayExpand(stmt, ctx);
  const from = (stmt.fromClause ?? []).map((f: any) => fromItem(f, ctx, scope, outer, expand)).filter((f: string) => f !== '');
  const visible = [...scope, ...deeper(outer)];
  const targets: OutputColumn[] = [];
  // Bare columns may carry out-of-line references out of this SELECT unguarded (overflow-refs.ts).
  const pass = passesThrough(stmt, ctx, top);
  for (const t of stmt.targetList ?? []) {
    const rt = t.ResTarget;
    const val = rt.val;
    if (val.ColumnRef && val.ColumnRef.fields.some((f: any) => 'A_Star' in f)) {
      const fields = val.ColumnRef.fields;
      const qualifier = fields.length > 1 ? fields[fields.length - 2].String.sval : undefined;
      const entries = qualifier ? scope.filter((e) => e.alias === qualifier) : scope;
      if (qualifier && entries.length === 0) fail({ sqlstate: '42P01', message: `missing FROM-clause entry for table "${qualifier}"` });
      if (!qualifier && scope.length === 0) fail({ sqlstate: '42601', message: 'SELECT * with no tables specified is not valid' });
      for (const e of entries) {
        for (const c of e.columns) {
          if (!qualifier && c.hidden) continue;
          const sql = c.overflow && !pass ? guardOverflow(c.sql) : c.sql;
          targets.push({ name: c.name, sql, type: c.type, ...(c.source && { source: c.source }), ...(c.overflow && pass && { overflow: true }) });
        }
      }
      continue;
    }
    const whole = top && !stmt.distinctClause ? { ...env(ctx, visible, true), outputColumn: true } : env(ctx, visible, true);
    // A bare unknown parameter as an output column resolves to text, as in PostgreSQL, or to
    // its INSERT target's or UNION partner's type (outputHints). A bare string or NULL literal
    // in an INSERT's row source takes the target column's type too (PostgreSQL leaves it
    // unknown there and coerces it on assignment: `INSERT INTO t SELECT 1, '\x00'` into bytea).
    const hint = outputHints(stmt, ctx);
    const target = hint ? hint[targets.length] ?? 0 : undefined;
    const literal = stmt === ctx.insertRowSource && target && (val.A_Const?.sval !== undefined || val.A_Const?.isnull);
    let typed = translateExpr(val, whole, val.ParamRef ? target ?? OID.text : literal ? target : undefined);
    if (pass && val.ColumnRef && typed.raw !== undefined) typed = { ...typed, sql: typed.raw, overflow: true };
    targets.push({ ...typed, type: typed.type === OID.unknownLiteral ? OID.text : typed.type, name: rt.name ?? defaultName(val) });
  }
  let body = '';
  if (from.length) body += ` FROM ${from.join(', ')}`;
  if (stmt.whereClause) body += ` WHERE ${translateCondition(stmt.whereClause, env(ctx, visible), 'WHERE')}`;
  const keys: string[] = (stmt.groupClause ?? []).map((g: any) => groupOrSortExpr(g, ctx, visible, targets));
  if (keys.length) body += ` GROUP BY ${keys.join(', ')}`;
  // A grouped query: outside aggregates, only grouping keys (42803). The select list was
  // translated before the keys were known (GROUP BY 1 refers to it), so it is checked again.
  const grouped = keys.length > 0 || containsAggregate(stmt.targetList) || containsAggregate(stmt.havingClause) || containsAggregate(stmt.sortClause);
  const grouping = grouped ? groupingKeys(keys, scope, ctx) : undefined;
  if (grouping) checkGrouped(stmt.targetList ?? [], targets, visible, ctx, grouping);
  if (stmt.havingClause) body += ` HAVING ${translateCondition(stmt.havingClause, env(ctx, visible, true, grouping), 'HAVING')}`;
  if (isDistinctOn(stmt)) return rewriteDistinctOn(stmt, ctx, visible, targets, body, top, grouping);
  const distinct = stmt.distinctClause ? 'DISTINCT ' : '';
  const list = targets.map((c, i) => `${top ? readForm(c.sql, c.type) : c.sql} AS ${quoteIdent(top ? `c${i}` : c.name)}`).join(', ');
  const sql = `SELECT ${distinct}${list || 'NULL'}${body}${orderAndLimit(stmt, ctx, visible, targets, false, grouping)}`;
  return { sql, columns: targets };
}

function checkGrouped(targetList: any[], targets: OutputColumn[], visible: ScopeEntry[], ctx: TranslateContext, grouping: Set<string>): void {
  for (const t of targetList) {
    const val = t.ResTarget.val;
    if (val.ColumnRef?.fields.some((f: any) => 'A_Star' in f)) continue; // checked below through `targets`
    translateExpr(val, { ...env(ctx, visible, true, grouping), outputColumn: true }, val.ParamRef ? OID.text : undefined);
  }
  for (const c of targets) {
    if (c.source && !grouping.has(c.sql)) fail({ sqlstate: '42803', message: `column "${c.sql.replaceAll('"', '')}" must appear in the GROUP BY clause or be used in an aggregate function` });
  }
}

/** GROUP BY / ORDER BY item: an output position, an output name, or an expression. */
export function groupOrSortExpr(node: any, ctx: TranslateContext, scope: ScopeEntry[], targets: OutputColumn[], grouping?: Set<string>): string {
  return groupOrSortTyped(node, ctx, scope, targets, grouping).sql;
}

/** groupOrSortExpr, also saying whether the value can never be NULL (a NOT NULL column in scope). */
function groupOrSortTyped(node: any, ctx: TranslateContext, scope: ScopeEntry[], targets: OutputColumn[], grouping?: Set<string>): { sql: string; notNull?: boolean } {
  if (node.A_Const && 'ival' in node.A_Const) {
    const pos = Number(node.A_Const.ival.ival ?? 0);
    if (pos < 1 || pos > targets.length) fail({ sqlstate: '42P10', message: `ORDER BY position ${pos} is not in select list` });
    return { sql: plainSql(targets[pos - 1]) };
  }
  if (node.ColumnRef && node.ColumnRef.fields.length === 1 && node.ColumnRef.fields[0].String) {
    const name = node.ColumnRef.fields[0].String.sval;
    const inScope = scope.some((e) => e.columns.some((c) => c.name === name));
    const out = targets.filter((t) => t.name === name);
    if (!inScope && out.length === 1) return { sql: plainSql(out[0]) };
  }
  return translateExpr(node, env(ctx, scope, true, grouping));
}

/** An output column's SQL where a real value is needed (GROUP BY, ORDER BY). */
function plainSql(t: OutputColumn): string {
  if (t.overflow) return guardOverflow(t.sql);
  if (!t.finish) return t.sql;
  if (t.plain === undefined) unsupported('ORDER BY or GROUP BY an avg(integer) output column');
  return t.plain;
}

/** One ORDER BY item: its expression, direction and PostgreSQL's NULL placement made explicit. */
export interface SortItem {
  expr: string;
  /** "ASC NULLS LAST" and the like. */
  direction: string;
}

export function sortItems(stmt: any, ctx: TranslateContext, scope: ScopeEntry[], targets: OutputColumn[], byName = false, grouping?: Set<string>): SortItem[] {
  return (stmt.sortClause ?? []).map((s: any) => {
    const sb = s.SortBy;
    if (sb.useOp) unsupported('ORDER BY … USING');
    const sorted = byName ? { sql: sortByOutput(sb.node, targets) } : groupOrSortTyped(sb.node, ctx, scope, targets, grouping);
    const desc = sb.sortby_dir === 'SORTBY_DESC';
    // PostgreSQL: NULLs sort as larger than any value (last ascending, first descending).
    const nulls = sb.sortby_nulls === 'SORTBY_NULLS_FIRST' ? 'FIRST' : sb.sortby_nulls === 'SORTBY_NULLS_LAST' ? 'LAST' : desc ? 'FIRST' : 'LAST';
    // A column that cannot be NULL needs no NULLS clause, and without one SQLite can walk an
    // index in order instead of sorting (Convex's paging orders by NOT NULL key columns).
    const placement = sorted.notNull ? '' : ` NULLS ${nulls}`;
    return { expr: sorted.sql, direction: `${desc ? 'DESC' : 'ASC'}${placement}` };
  });
}

export function limitClause(stmt: any, ctx: TranslateContext, scope: ScopeEntry[]): string {
  const e = env(ctx, scope);
  const limit = stmt.limitCount && !(stmt.limitCount.A_Const?.isnull) ? translateExpr(stmt.limitCount, e, OID.int8) : undefined;
  const offset = stmt.limitOffset ? translateExpr(stmt.limitOffset, e, OID.int8) : undefined;
  if (stmt.limitOption === 'LIMIT_OPTION_WITH_TIES') unsupported('FETCH … WITH TIES');
  return limit || offset ? ` LIMIT ${limit ? limit.sql : '-1'}${offset ? ` OFFSET ${offset.sql}` : ''}` : '';
}

function orderAndLimit(stmt: any, ctx: TranslateContext, scope: ScopeEntry[], targets: OutputColumn[], byName = false, grouping?: Set<string>): string {
  const items = sortItems(stmt, ctx, scope, targets, byName, grouping);
  const order = items.length ? ` ORDER BY ${items.map((i) => `${i.expr} ${i.direction}`).join(', ')}` : '';
  return order + limitClause(stmt, ctx, scope);
}

/** ORDER BY of a set operation: only output columns (by name or position) are visible. */
function sortByOutput(node: any, targets: OutputColumn[]): string {
  if (node.A_Const && 'ival' in node.A_Const) {
    const pos = Number(node.A_Const.ival.ival ?? 0);
    if (pos < 1 || pos > targets.length) fail({ sqlstate: '42P10', message: `ORDER BY position ${pos} is not in select list` });
    return outputSql(targets, pos - 1);
  }
  if (node.ColumnRef?.fields.length === 1 && node.ColumnRef.fields[0].String) {
    const i = targets.findIndex((t) => t.name === node.ColumnRef.fields[0].String.sval);
    if (i >= 0) return outputSql(targets, i);
  }
  unsupported('ORDER BY expressions over UNION/INTERSECT/EXCEPT');
}

/** Output column i of a set operation, as ORDER BY compares it. */
function outputSql(targets: OutputColumn[], i: number): string {
  return targets[i].overflow ? guardOverflow(quoteIdent(`c${i}`)) : quoteIdent(`c${i}`);
}

/** Types that unknown parameters in this SELECT's output take, position by position. */
function outputHints(stmt: any, ctx: TranslateContext): number[] | undefined {
  return ctx.outputHints.get(stmt) ?? (stmt === ctx.insertRowSource ? ctx.insertTargetTypes : undefined);
}

/** A side's still-unknown output parameters take the set operation's column types. */
function resolveOutputParams(side: any, types: number[], ctx: TranslateContext): void {
  const list: any[] = side.targetList ?? [];
  if (list.some((t) => t.ResTarget.val.ColumnRef?.fields.some((f: any) => 'A_Star' in f))) return;
  list.forEach((t, i) => {
    const p = t.ResTarget.val.ParamRef;
    if (p && ctx.paramType(p.number) === 0) ctx.setParamType(p.number, types[i] || OID.text);
  });
}

function setOperation(stmt: any, ctx: TranslateContext, outer: ScopeEntry[], top: boolean): TranslatedSelect {
  const ops: Record<string, string> = { SETOP_UNION: 'UNION', SETOP_INTERSECT: 'INTERSECT', SETOP_EXCEPT: 'EXCEPT' };
  // An unknown parameter output by either side stays unknown here (hint 0) and then takes the
  // column's common type (text when every side is unknown), as PostgreSQL resolves a UNION;
  // under an INSERT the target types come down instead.
  const hints = outputHints(stmt, ctx) ?? [];
  ctx.outputHints.set(stmt.larg, hints);
  ctx.outputHints.set(stmt.rarg, hints);
  // UNION ALL only concatenates: its branches may carry references (UNION/INTERSECT/EXCEPT compare rows).
  if ((top || ctx.passThrough.has(stmt)) && stmt.op === 'SETOP_UNION' && stmt.all) {
    ctx.passThrough.add(stmt.larg);
    ctx.passThrough.add(stmt.rarg);
  }
  const left = translateSelect(stmt.larg, ctx, outer);
  const right = translateSelect(stmt.rarg, ctx, outer);
  if (left.columns.length !== right.columns.length) fail({ sqlstate: '42601', message: `each ${ops[stmt.op]} query must have the same number of columns` });
  const columns: OutputColumn[] = left.columns.map((c, i) => ({
    name: c.name,
    sql: quoteIdent(`c${i}`),
    type: commonType([c.type, right.columns[i].type], ops[stmt.op]),
    ...((c.overflow || right.columns[i].overflow) && { overflow: true }),
  }));
  for (const side of [stmt.larg, stmt.rarg]) resolveOutputParams(side, columns.map((c) => c.type), ctx);
  const all = stmt.all ? ' ALL' : '';
  // Each side's columns are renamed c0…cn so the outer level can refer to them.
  const side = (s: TranslatedSelect) => `SELECT ${s.columns.map((c, i) => `${quoteIdent(c.name)} AS ${quoteIdent(`c${i}`)}`).join(', ')} FROM (${s.sql})`;
  const inner = `${side(left)} ${ops[stmt.op]}${all} ${side(right)}`;
  const list = columns.map((c, i) => `${top ? readForm(c.sql, c.type) : c.sql} AS ${quoteIdent(top ? `c${i}` : c.name)}`).join(', ');
  const sql = `SELECT ${list} FROM (${inner})${orderAndLimit(stmt, ctx, [], columns, true)}`;
  return { sql, columns };
}

function values(stmt: any, ctx: TranslateContext, outer: ScopeEntry[], top: boolean): TranslatedSelect {
  const rows: any[][] = stmt.valuesLists.map((l: any) => l.List.items);
  const e = env(ctx, outer);
  const types: number[] = rows[0].map((_, i) => {
    for (const r of rows) {
      const t = translateExpr(r[i], e).type;
      if (t !== OID.unknownLiteral) return t;
    }
    return OID.text;
  });
  // SQLite's multi-row VALUES names its columns column1…n, as PostgreSQL does, and is not
  // subject to the compound-SELECT term limit.
  const body = `VALUES ${rows.map((r) => `(${r.map((v, i) => translateExpr(v, e, types[i]).sql).join(', ')})`).join(', ')}`;
  const columns: OutputColumn[] = types.map((t, i) => ({ name: `column${i + 1}`, sql: quoteIdent(`column${i + 1}`), type: t }));
  const list = columns.map((c, i) => `${top ? readForm(c.sql, c.type) : c.sql} AS ${quoteIdent(top ? `c${i}` : c.name)}`).join(', ');
  return { sql: `SELECT ${list} FROM (${body})${orderAndLimit(stmt, ctx, [], columns, true)}`, columns };
}

export type { ScopeColumn };
