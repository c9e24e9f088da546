/**
 * @module JOIN … USING (cols) and NATURAL JOIN: an equality ON condition, plus PostgreSQL's
 * merged columns. Each joined name becomes one column (the left side's value; the right
 * side's for RIGHT JOIN; COALESCE of both for FULL JOIN) that comes first in `SELECT *` and
 * answers the unqualified name, while `a.x` and `a.*` still reach the original columns.
 */
import { fail, type ScopeColumn, type ScopeEntry } from './context.ts';
import { checkComparable } from './expr.ts';
import { commonType } from './types.ts';
import { guardOverflow } from './overflow-refs.ts';

/** The alias of a merged-columns entry: no identifier can name it (PostgreSQL forbids ""). */
export const MERGED = '';

/** Columns an unqualified name can reach in these entries (merged originals are hidden). */
function visible(entries: ScopeEntry[]): ScopeColumn[] {
  return entries.flatMap((e) => e.columns.filter((c) => !c.hidden));
}

/**
 * Merge the USING (or NATURAL) columns of `left` and `right` (adjacent runs of `scope`,
 * starting at `start` and `split`); returns the ON condition's SQL.
 */
export function mergeUsing(n: any, scope: ScopeEntry[], start: number, split: number): string {
  const left = scope.slice(start, split);
  const right = scope.slice(split);
  const names: string[] = n.isNatural
    ? [...new Set(visible(left).map((c) => c.name))].filter((name) => visible(right).some((c) => c.name === name))
    : n.usingClause.map((u: any) => u.String.sval);
  if (new Set(names).size !== names.length) fail({ sqlstate: '42701', message: `column name "${names.find((x, i) => names.indexOf(x) !== i)}" appears more than once in USING clause` });
  const conditions: string[] = [];
  const merged: ScopeColumn[] = names.map((name) => {
    const l = one(visible(left), name, 'left');
    const r = one(visible(right), name, 'right');
    checkComparable(l, r, '=');
    const compared = (c: ScopeColumn) => (c.overflow ? guardOverflow(c.sql) : c.sql);
    conditions.push(`${compared(l)} = ${compared(r)}`);
    l.hidden = true;
    r.hidden = true;
    const type = commonType([l.type, r.type], 'JOIN/USING');
    const overflow = l.overflow || r.overflow ? { overflow: true } : {};
    if (n.jointype === 'JOIN_FULL') return { name, type, sql: `COALESCE(${l.sql}, ${r.sql})`, ...overflow };
    const from = n.jointype === 'JOIN_RIGHT' ? r : l;
    return { name, type, sql: from.sql, ...(from.source && type === from.type && { source: from.source }), ...overflow };
  });
  if (merged.length) scope.splice(start, 0, { alias: MERGED, columns: merged });
  // NATURAL JOIN with nothing in common is a cross join.
  return conditions.length ? conditions.join(' AND ') : 'true';
}

function one(columns: ScopeColumn[], name: string, side: 'left' | 'right'): ScopeColumn {
  const found = columns.filter((c) => c.name === name);
  if (found.length === 0) fail({ sqlstate: '42703', message: `column "${name}" specified in USING clause does not exist in ${side} table` });
  if (found.length > 1) fail({ sqlstate: '42702', message: `common column name "${name}" appears more than once in ${side} table` });
  return found[0];
}
