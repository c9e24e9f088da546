/**
 * @module SELECT DISTINCT ON (keys) … ORDER BY …: the first row of each group of equal keys, in
 * ORDER BY order. SQLite has no DISTINCT ON, so the rows are numbered within each group by the
 * query's own ORDER BY and only the first is kept:
 *
 *   SELECT d0 … FROM (SELECT <targets> AS d0 …, <sort keys> AS s0 …,
 *                            row_number() OVER (PARTITION BY <keys> ORDER BY <sort>) AS rn
 *                     FROM … WHERE … GROUP BY … HAVING …)
 *   WHERE rn = 1 ORDER BY s0 … LIMIT …
 *
 * PARTITION BY groups NULLs together, as DISTINCT ON does; the explicit NULLS FIRST/LAST of
 * each sort item (select.ts) holds in the window and in the outer ORDER BY alike.
 *
 * The common shape, DISTINCT ON (keys) ORDER BY keys…, x [DESC], is instead one GROUP BY with
 * max(x)/min(x) (groupedPick), which SQLite can answer from an index without numbering rows.
 */
import { quoteIdent } from '../catalog.ts';
import { fail, type ScopeEntry, type TranslateContext } from './context.ts';
import { groupOrSortExpr, limitClause, readForm, sortItems, type OutputColumn, type TranslatedSelect } from './select.ts';

/** DISTINCT ON (…), as opposed to plain DISTINCT (a list holding one empty node). */
export function isDistinctOn(stmt: any): boolean {
  const first = stmt.distinctClause?.[0];
  return first !== undefined && first !== null && Object.keys(first).length > 0;
}

export function rewriteDistinctOn(
  stmt: any,
  ctx: TranslateContext,
  scope: ScopeEntry[],
  targets: OutputColumn[],
  body: string,
  top: boolean,
  grouping: Set<string> | undefined,
): TranslatedSelect {
  const keys: string[] = stmt.distinctClause.map((d: any) => groupOrSortExpr(d, ctx, scope, targets, grouping));
  const sorts = sortItems(stmt, ctx, scope, targets, false, grouping);
  // PostgreSQL: the DISTINCT ON keys must be the leftmost ORDER BY items (in any order).
  const leading = new Set(sorts.slice(0, keys.length).map((s) => s.expr));
  if (sorts.length > 0 && (sorts.length < new Set(keys).size || keys.some((k) => !leading.has(k)))) {
    fail({ sqlstate: '42P10', message: 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions' });
  }
  // Inner columns: the targets as d0…, the sort keys as s0…; the outer query reads them back.
  const columns = (sortKeys: typeof sorts, extra: string) =>
    [...targets.map((c, i) => `${c.sql} AS ${quoteIdent(`d${i}`)}`), ...sortKeys.map((s, j) => `${s.expr} AS ${quoteIdent(`s${j}`)}`), extra].join(', ');
  const list = targets.map((c, i) => `${top ? readForm(quoteIdent(`d${i}`), c.type) : quoteIdent(`d${i}`)} AS ${quoteIdent(top ? `c${i}` : c.name)}`).join(', ');
  const ordered = (sortKeys: typeof sorts) => sortKeys.map((s, j) => `${quoteIdent(`s${j}`)} ${s.direction}`).join(', ');
  const picked = groupedPick(stmt, keys, sorts, grouping);
  let sql: string;
  if (picked) {
    // The row holding the group's max/min of the one remaining sort item: SQLite gives bare
    // columns that row's values, and GROUP BY over the keys can walk an index in order and stop
    // at the LIMIT instead of numbering every row in range (Convex's index pages: ~300× faster).
    const keySorts = sorts.slice(0, keys.length);
    const inner = columns(keySorts, `${picked}(${sorts[keys.length].expr}) AS distinct_on_pick`);
    const keyOrder = keySorts.map((s) => `${s.expr} ${s.direction}`).join(', ');
    sql = `SELECT ${list} FROM (SELECT ${inner}${body} GROUP BY ${keys.join(', ')} ORDER BY ${keyOrder}${limitClause(stmt, ctx, scope)}) ORDER BY ${ordered(keySorts)}`;
  } else {
    const window = `row_number() OVER (PARTITION BY ${keys.join(', ')}${sorts.length ? ` ORDER BY ${sorts.map((s) => `${s.expr} ${s.direction}`).join(', ')}` : ''})`;
    const order = sorts.length ? ` ORDER BY ${ordered(sorts)}` : '';
    sql = `SELECT ${list} FROM (SELECT ${columns(sorts, `${window} AS distinct_on_row`)}${body}) WHERE distinct_on_row = 1${order}${limitClause(stmt, ctx, scope)}`;
  }
  return { sql, columns: targets };
}

/**
 * When DISTINCT ON (keys) ORDER BY keys…, x picks per group the row with the largest (DESC) or
 * smallest (ASC) x, SQLite's min()/max() bare-column rule computes it as one GROUP BY: 'max' or
 * 'min', or undefined when the shape does not allow it (more or other sort items, a grouped or
 * windowed query, or NULLs of x sorting first, which min()/max() would skip).
 */
function groupedPick(stmt: any, keys: string[], sorts: { expr: string; direction: string }[], grouping: Set<string> | undefined): 'max' | 'min' | undefined {
  if (grouping || sorts.length !== keys.length + 1 || new Set(keys).size !== keys.length) return undefined;
  if (JSON.stringify(stmt.targetList ?? []).includes('"over"')) return undefined;
  const direction = sorts[keys.length].direction;
  if (direction === 'DESC' || direction === 'DESC NULLS LAST') return 'max';
  if (direction === 'ASC' || direction === 'ASC NULLS LAST') return 'min';
  return undefined;
}
