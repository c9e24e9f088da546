/** @module INSERT / UPDATE / DELETE → SQLite, with RETURNING and ON CONFLICT. */
import { OID } from '../../../tunnel/oids.ts';
import { quoteIdent, sqliteName, type ColumnDef, type TableDef } from '../catalog.ts';
import { typeName } from '../values/index.ts';
import { checkedInteger, checkedVarchar } from './runtime-errors.ts';
import { duplicateColumn, undefinedColumn, undefinedTable } from '../errors.ts';
import { fail, sequenceMark, unsupported, type ScopeEntry, type TranslateContext, type Typed } from './context.ts';
import type { PgError } from '../../../tunnel/types.ts';
import { translateCondition, translateExpr, type ExprEnv } from './expr.ts';
import { fromItem, translateSelect, type OutputColumn, type TranslatedSelect } from './select.ts';
import type { InsertSource } from '../unique-violation.ts';
import type { RowBatch } from '../plan.ts';
import { isExcludedSelf, mayOverflow, noteAssignment } from './overflow-refs.ts';

function targetTable(relation: any, ctx: TranslateContext): { table: TableDef; alias: string; scope: ScopeEntry } {
  const table = ctx.resolveTable(relation.schemaname, relation.relname);
  if (!table) fail(undefinedTable(relation.schemaname ? `${relation.schemaname}.${relation.relname}` : relation.relname, relation.location + 1));
  ctx.target = table;
  const alias: string = relation.alias?.aliasname ?? table.name;
  return {
    table,
    alias,
    scope: {
      alias,
      columns: table.columns.map((c) => ({
        name: c.name,
        type: c.typeOid,
        sql: `${quoteIdent(alias)}.${quoteIdent(c.name)}`,
        source: { tableOid: table.oid, attnum: c.attnum },
        ...(mayOverflow(table, c.name, ctx.catalog) && { overflow: true }),
      })),
    },
  };
}

function env(ctx: TranslateContext, scope: ScopeEntry[]): ExprEnv {
  return { ctx, scope, subquery: (stmt, c, outer) => translateSelect(stmt.SelectStmt, c, outer) };
}

/** RETURNING list, translated like a top-level select list. */
function returning(list: any[] | undefined, ctx: TranslateContext, scope: ScopeEntry[]): { sql: string; columns: OutputColumn[] } | undefined {
  if (!list) return undefined;
  // RETURNING * names the target's columns; then the SELECT translator does naming and read forms.
  const expanded = list.flatMap((t: any) => {
    const fields = t.ResTarget.val.ColumnRef?.fields;
    if (!fields?.some((f: any) => 'A_Star' in f)) return [t];
    return scope[0].columns.map((c) => ({ ResTarget: { val: { ColumnRef: { fields: [{ String: { sval: c.name } }], location: 0 } } } }));
  });
  // SQLite's RETURNING sees the target's columns unqualified (an alias there is an error).
  const plain = scope.map((e) => ({ ...e, columns: e.columns.map((c) => ({ ...c, sql: quoteIdent(c.name) })) }));
  const fake = translateSelect({ targetList: expanded }, ctx, plain, true);
  const selectList = fake.sql.replace(/^SELECT /, '');
  return { sql: ` RETURNING ${selectList}`, columns: fake.columns };
}

export interface TranslatedDml {
  sql: string;
  /** INSERT … VALUES: the inserted rows as a SELECT, to name the key of a unique violation. */
  insertSource?: InsertSource;
  /** RETURNING columns, or null. */
  columns: OutputColumn[] | null;
  /** INSERT … SELECT … FROM UNNEST($n…): `sql` as the text around its row source, to repeat that per row (plan.ts). */
  rowBatch?: RowBatch;
}

export function translateInsert(stmt: any, ctx: TranslateContext): TranslatedDml {
  if (stmt.withClause) unsupported('WITH … INSERT');
  const override: string | undefined = stmt.override && stmt.override !== 'OVERRIDING_NOT_SET' ? stmt.override : undefined;
  const { table, alias, scope } = targetTable(stmt.relation, ctx);
  // DEFAULT VALUES (no row source) names no columns: every column takes its default.
  const names: string[] = stmt.cols ? stmt.cols.map((c: any) => c.ResTarget.name) : stmt.selectStmt ? table.columns.map((c) => c.name) : [];
  const seen = new Set<string>();
  const cols = names.map((n) => {
    if (seen.has(n)) fail(duplicateColumn(n));
    seen.add(n);
    const c = table.columns.find((x) => x.name === n);
    if (!c) fail(undefinedColumn(n, table.name));
    return c;
  });
  const e = env(ctx, []);
  let source: string;
  let rowSource: string | undefined;
  let insertSource: InsertSource | undefined;
  const select = stmt.selectStmt?.SelectStmt;
  // serial and identity columns not listed take their sequence's next value (one per row).
  const unlisted = table.columns.filter((c) => c.sequence && !cols.includes(c));
  const explicit = (c: ColumnDef): boolean => {
    if (c.sequence?.kind === 'a' && override !== 'OVERRIDING_SYSTEM_VALUE') fail(identityAlways(c.name));
    return !(c.sequence && c.sequence.kind !== 's' && override === 'OVERRIDING_USER_VALUE');
  };
  if (!select && unlisted.length === 0) source = 'DEFAULT VALUES';
  else if (!select || (select.valuesLists && !select.sortClause && !select.limitCount)) {
    const lists: any[][] = select ? select.valuesLists.map((l: any) => l.List.items) : [[]];
    const rows = lists.map((items) => {
      if (items.length > cols.length) fail({ sqlstate: '42601', message: 'INSERT has more expressions than target columns' });
      if (items.length < cols.length && stmt.cols) fail({ sqlstate: '42601', message: 'INSERT has more target columns than expressions' });
      const listed = cols.map((c, i) => {
        const item = items[i];
        if (item === undefined || item.SetToDefault) return c.sequence ? sequenceMark(ctx, c.sequence) : c.defaultSql ?? 'NULL';
        if (c.sequence && !explicit(c)) return sequenceMark(ctx, c.sequence);
        const value = assign(translateExpr(item, e, c.typeOid), c);
        noteAssignment(ctx, table, c.name, value);
        return value;
      });
      return `(${[...listed, ...unlisted.map((c) => sequenceMark(ctx, c.sequence!))].join(', ')})`;
    });
    cols.push(...unlisted);
    source = `VALUES ${rows.join(', ')}`;
    insertSource = {
      sql: `SELECT ${cols.map((c, i) => `column${i + 1} AS ${quoteIdent(c.name)}`).join(', ')} FROM (${source})`,
      columns: cols.map((c) => ({ name: c.name, typeOid: c.typeOid })),
    };
  } else {
    if (unlisted.length) unsupported(`INSERT … SELECT that leaves serial or identity column "${unlisted[0].name}" to its sequence`);
    for (const c of cols) if (c.sequence) explicit(c);
    ctx.insertRowSource = select;
    ctx.insertTargetTypes = cols.map((c) => c.typeOid);
    const sub: TranslatedSelect = translateSelect(select, ctx);
    if (sub.columns.length > cols.length) fail({ sqlstate: '42601', message: 'INSERT has more expressions than target columns' });
    sub.columns.forEach((c, i) => {
      assignable(c.type, cols[i].typeOid, cols[i].name);
      if (i < cols.length) noteAssignment(ctx, table, cols[i].name, c.sql);
      // Range and length checks need the value in SQL; INSERT … SELECT has no place for them yet.
      if (needsAssignmentCheck(c.type, cols[i])) unsupported(`INSERT … SELECT into ${typeName(cols[i].typeOid)}${cols[i].typmod > 0 ? `(${cols[i].typmod})` : ''} from ${typeName(c.type)}`);
    });
    // `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint.
    source = `SELECT * FROM (${sub.sql}) WHERE true`;
    // Each row of an expanded UNNEST is one tuple of values: rows can then go several to a VALUES list.
    if (ctx.expanded.size && !select.whereClause) rowSource = `(${sub.columns.map((c) => c.sql).join(', ')})`;
    cols.length = sub.columns.length;
    // The rows under the target's column names (a CTE column list: the SELECT's own names may repeat).
    insertSource = {
      sql: `WITH insert_source(${cols.map((c) => quoteIdent(c.name)).join(', ')}) AS (${sub.sql}) SELECT * FROM insert_source`,
      columns: cols.map((c) => ({ name: c.name, typeOid: c.typeOid })),
    };
  }
  const head = `INSERT INTO ${sqliteName(table.schema, table.name)} AS ${quoteIdent(alias)} (${cols.map((c) => quoteIdent(c.name)).join(', ')}) `;
  let tail = '';
  if (stmt.onConflictClause) tail += onConflict(stmt.onConflictClause, table, scope, ctx);
  const ret = returning(stmt.returningClause?.exprs ?? stmt.returningList, ctx, [scope]);
  tail += ret?.sql ?? '';
  const sql = head + source + tail;
  const rowBatch = rowSource !== undefined ? { before: `${head}SELECT * FROM (VALUES `, row: rowSource, after: `) WHERE true${tail}` } : undefined;
  return { sql, columns: ret?.columns ?? null, ...(insertSource && { insertSource }), ...(rowBatch && { rowBatch }) };
}

/** 428C9: an explicit value for a GENERATED ALWAYS identity column. */
function identityAlways(column: string): PgError {
  return {
    sqlstate: '428C9',
    message: `cannot insert a non-DEFAULT value into column "${column}"`,
    detail: `Column "${column}" is an identity column defined as GENERATED ALWAYS.`,
    hint: 'Use OVERRIDING SYSTEM VALUE to override.',
  };
}

/** Integers narrowed into a smaller column, and text into varchar(n), are checked at run time. */
function needsAssignmentCheck(from: number, col: ColumnDef): boolean {
  const width = (t: number) => (t === OID.int2 ? 2 : t === OID.int4 ? 4 : t === OID.int8 ? 8 : 0);
  if (width(from) && width(col.typeOid) && width(from) > width(col.typeOid)) return true;
  return col.typmod > 0;
}

/** A value assigned to a column, with PostgreSQL's assignment checks (22003, 22001). */
function assign(v: Typed, col: ColumnDef): string {
  assignable(v.type, col.typeOid, col.name);
  if (!needsAssignmentCheck(v.type, col)) return v.sql;
  if (col.typmod > 0) return checkedVarchar(v.sql, col.typmod);
  return checkedInteger(v.sql, col.typeOid);
}

/** Assignment compatibility (PostgreSQL's assignment casts, the subset we store exactly). */
function assignable(from: number, to: number, column: string): void {
  if (from === to || from === OID.unknownLiteral || from === 0) return;
  const ints: number[] = [OID.int2, OID.int4, OID.int8];
  const floats: number[] = [OID.float4, OID.float8];
  const texts: number[] = [OID.text, OID.varchar, OID.bpchar, OID.name];
  // Integers into numeric: SQLite's TEXT affinity stores an INTEGER as its decimal text, numeric's canonical form.
  if (ints.includes(from) && (ints.includes(to) || floats.includes(to) || to === OID.numeric)) return;
  if (floats.includes(from) && floats.includes(to)) return;
  if (texts.includes(from) && texts.includes(to)) return;
  if ((from === OID.json && to === OID.jsonb) || (from === OID.jsonb && to === OID.json)) unsupported('json/jsonb assignment conversion');
  fail({
    sqlstate: '42804',
    message: `column "${column}" is of type ${typeNameOf(to)} but expression is of type ${typeNameOf(from)}`,
    hint: 'You will need to rewrite or cast the expression.',
  });
}

function typeNameOf(oid: number): string {
  return ({ [OID.int2]: 'smallint', [OID.int4]: 'integer', [OID.int8]: 'bigint', [OID.text]: 'text', [OID.bool]: 'boolean', [OID.bytea]: 'bytea' } as Record<number, string>)[oid] ?? `type ${oid}`;
}

function onConflict(clause: any, table: TableDef, scope: ScopeEntry, ctx: TranslateContext): string {
  let target = '';
  if (clause.infer?.conname) {
    const c = table.constraints.find((x) => x.name === clause.infer.conname);
    if (!c) fail({ sqlstate: '42704', message: `constraint "${clause.infer.conname}" for table "${table.name}" does not exist` });
    target = `(${c.columns.map(quoteIdent).join(', ')})`;
  } else if (clause.infer?.indexElems) {
    const cols: string[] = clause.infer.indexElems.map((i: any) => {
      if (!i.IndexElem.name) unsupported('ON CONFLICT on an expression');
      return i.IndexElem.name;
    });
    const matches = table.constraints.some((c) => c.columns.length === cols.length && c.columns.every((x) => cols.includes(x)));
    if (!matches) fail({ sqlstate: '42P10', message: 'there is no unique or exclusion constraint matching the ON CONFLICT specification' });
    if (clause.infer.whereClause) unsupported('ON CONFLICT … WHERE (partial index inference)');
    target = `(${cols.map(quoteIdent).join(', ')})`;
  }
  if (clause.action === 'ONCONFLICT_NOTHING') return ` ON CONFLICT${target ? ` ${target}` : ''} DO NOTHING`;
  if (!target) fail({ sqlstate: '42601', message: 'ON CONFLICT DO UPDATE requires inference specification or constraint name', hint: 'For example, ON CONFLICT (column_name).' });
  const excluded: ScopeEntry = {
    alias: 'excluded',
    columns: table.columns.map((c) => ({ name: c.name, type: c.typeOid, sql: `excluded.${quoteIdent(c.name)}`, ...(mayOverflow(table, c.name, ctx.catalog) && { overflow: true }) })),
  };
  const e = env(ctx, [scope, excluded]);
  const sets = clause.targetList.map((t: any) => {
    const rt = t.ResTarget;
    if (rt.indirection) unsupported('SET of a subfield');
    const col = table.columns.find((c) => c.name === rt.name);
    if (!col) fail(undefinedColumn(rt.name, table.name));
    const v = translateExpr(rt.val, e, col.typeOid);
    // The proposed row's own out-of-line value moves into the row it updates (overflow-refs.ts).
    if (v.raw !== undefined && isExcludedSelf(rt.val, col.name)) return `${quoteIdent(col.name)} = ${v.raw}`;
    const value = assign(v, col);
    noteAssignment(ctx, table, col.name, value);
    return `${quoteIdent(col.name)} = ${value}`;
  });
  const where = clause.whereClause ? ` WHERE ${translateExpr(clause.whereClause, e, OID.bool).sql}` : '';
  ctx.updatesRows = true;
  return ` ON CONFLICT ${target} DO UPDATE SET ${sets.join(', ')}${where}`;
}

export function translateUpdate(stmt: any, ctx: TranslateContext): TranslatedDml {
  if (stmt.withClause) unsupported('WITH … UPDATE');
  const { table, alias, scope } = targetTable(stmt.relation, ctx);
  // UPDATE … FROM: SQLite's own UPDATE … FROM joins the same way (one arbitrary match per row).
  const others: ScopeEntry[] = [];
  const from = (stmt.fromClause ?? []).map((f: any) => fromItem(f, ctx, others, []));
  const e = env(ctx, [scope, ...others]);
  const sets = stmt.targetList.map((t: any) => {
    const rt = t.ResTarget;
    if (rt.indirection) unsupported('SET of a subfield');
    const col = table.columns.find((c) => c.name === rt.name);
    if (!col) fail(undefinedColumn(rt.name, table.name));
    if (rt.val.SetToDefault) {
      if (col.sequence) unsupported(`SET ${col.name} = DEFAULT on a serial or identity column`);
      return `${quoteIdent(col.name)} = ${col.defaultSql ?? 'NULL'}`;
    }
    if (col.sequence?.kind === 'a') fail({ sqlstate: '428C9', message: `column "${col.name}" can only be updated to DEFAULT`, detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.` });
    const value = assign(translateExpr(rt.val, e, col.typeOid), col);
    noteAssignment(ctx, table, col.name, value);
    return `${quoteIdent(col.name)} = ${value}`;
  });
  ctx.updatesRows = true;
  let sql = `UPDATE ${sqliteName(table.schema, table.name)} AS ${quoteIdent(alias)} SET ${sets.join(', ')}`;
  if (from.length) sql += ` FROM ${from.join(', ')}`;
  if (stmt.whereClause) sql += ` WHERE ${translateCondition(stmt.whereClause, e, 'WHERE')}`;
  if (from.length && (stmt.returningClause?.exprs ?? stmt.returningList)) unsupported('UPDATE … FROM … RETURNING');
  const ret = returning(stmt.returningClause?.exprs ?? stmt.returningList, ctx, [scope]);
  return { sql: sql + (ret?.sql ?? ''), columns: ret?.columns ?? null };
}

export function translateDelete(stmt: any, ctx: TranslateContext): TranslatedDml {
  if (stmt.withClause) unsupported('WITH … DELETE');
  const { table, alias, scope } = targetTable(stmt.relation, ctx);
  ctx.updatesRows = true;
  let sql = `DELETE FROM ${sqliteName(table.schema, table.name)} AS ${quoteIdent(alias)}`;
  if (stmt.usingClause?.length) {
    // SQLite has no DELETE … USING: a row goes when some combination of the USING rows meets the condition.
    if (stmt.returningClause?.exprs ?? stmt.returningList) unsupported('DELETE … USING … RETURNING');
    const others: ScopeEntry[] = [];
    const using = stmt.usingClause.map((f: any) => fromItem(f, ctx, others, []));
    const where = stmt.whereClause ? ` WHERE ${translateCondition(stmt.whereClause, env(ctx, [scope, ...others]), 'WHERE')}` : '';
    sql += ` WHERE EXISTS (SELECT 1 FROM ${using.join(', ')}${where})`;
  } else if (stmt.whereClause) sql += ` WHERE ${translateCondition(stmt.whereClause, env(ctx, [scope]), 'WHERE')}`;
  const ret = returning(stmt.returningClause?.exprs ?? stmt.returningList, ctx, [scope]);
  return { sql: sql + (ret?.sql ?? ''), columns: ret?.columns ?? null };
}
