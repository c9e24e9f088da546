/**
 * @module regclass: a relation named by text, PostgreSQL's `'s.t'::regclass`. A regclass value
 * is its output text (the name, schema-qualified unless search_path finds it first), as in the
 * tunnel. A constant resolves at plan time. A text parameter (Convex's `$1::text::regclass`) is
 * a relation slot: the SQL holds marks (`\u0003kind:slot\u0004$n\u0003`) that execute replaces, once it
 * has resolved the parameter as regclassin does (42P01 for an unknown name), by the name, the
 * OID or the size SQL of that one relation (relation-size.ts), so the statement stays small
 * whatever the number of tables. Any other runtime text resolves in SQL against every relation
 * the catalog had when the plan was made (plans die with DDL). Compared with an oid
 * (`pg_class.oid = $1::text::regclass`) a regclass becomes the table's OID.
 */
import { OID } from '../../../tunnel/oids.ts';
import type { Catalog, IndexDef, TableDef } from '../catalog.ts';
import { typeName } from '../values/index.ts';
import { fail, paramMark, unsupported, type TranslateContext, type Typed } from './context.ts';
import { literal } from './expr.ts';
import { isIntegerType, isTextType } from './types.ts';

export interface Relation {
  schema: string;
  name: string;
  /** The regclass output text. */
  printed: string;
  table?: TableDef;
  index?: IndexDef;
  /** An index's table. */
  owner?: TableDef;
}

/** quote_ident: identifiers that would not survive case folding or parsing are quoted. */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** What resolving a name needs: the catalog and the session's search_path. */
export interface NameScope {
  catalog: Catalog;
  searchPath: string[];
}

/** Every table and index, with the text that prints it under this search_path. */
export function relations(ctx: NameScope): Relation[] {
  const catalog = ctx.catalog;
  const out: Relation[] = [];
  const printed = (schema: string, name: string) => {
    const visible = ctx.searchPath.find((s) => catalog.relationExists(s, name)) === schema;
    return visible ? quoteIdentifier(name) : `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
  };
  for (const schema of catalog.schemas()) {
    for (const table of catalog.tablesIn(schema)) {
      out.push({ schema, name: table.name, printed: printed(schema, table.name), table });
      for (const index of catalog.indexesOf(table.oid)) out.push({ schema: index.schema, name: index.name, printed: printed(index.schema, index.name), index, owner: table });
    }
  }
  return out;
}

/** The relation a regclass input text names, resolved as regclassin does; undefined if none. */
export function resolveRelationName(text: string, ctx: NameScope): Relation | undefined {
  const parts = splitQualifiedName(text);
  if (!parts || parts.length > 2) return undefined;
  const [schema, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  const all = relations(ctx);
  if (schema !== undefined) return all.find((r) => r.schema === schema && r.name === name);
  const home = ctx.searchPath.find((s) => ctx.catalog.relationExists(s, name));
  return home === undefined ? undefined : all.find((r) => r.schema === home && r.name === name);
}

/** `a.b` / `"A"."b.c"` → identifiers (unquoted ones folded to lower case); undefined if malformed. */
export function splitQualifiedName(text: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  for (;;) {
    if (s[i] === '"') {
      let name = '';
      i++;
      for (;;) {
        if (i >= s.length) return undefined;
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += s[i++];
      }
      if (name === '') return undefined;
      parts.push(name);
    } else {
      const m = /^[^".\s]+/.exec(s.slice(i));
      if (!m) return undefined;
      parts.push(m[0].toLowerCase());
      i += m[0].length;
    }
    if (i === s.length) return parts;
    if (s[i] !== '.') return undefined;
    i++;
  }
}

/** Spellings of a relation's name an input text may use, after `normalised` (below). */
function spellings(r: Relation, visible: boolean): string[] {
  const plain = (x: string) => /^[a-z_][a-z0-9_$]*$/.test(x);
  const quoted = (x: string) => `"${x.replaceAll('"', '""')}"`;
  const out: string[] = [];
  // Without double quotes the input is folded to lower case: only plain names can match.
  if (plain(r.schema) && plain(r.name)) out.push(`${r.schema}.${r.name}`);
  if (visible && plain(r.name)) out.push(r.name);
  out.push(`${quoted(r.schema)}.${quoted(r.name)}`);
  if (plain(r.name)) out.push(`${quoted(r.schema)}.${r.name}`);
  if (plain(r.schema)) out.push(`${r.schema}.${quoted(r.name)}`);
  if (visible) out.push(quoted(r.name));
  return out;
}

/** An input text as `spellings` lists it: folded to lower case unless it quotes. */
const normalised = (x: string) => `(CASE WHEN instr(${x}, '"') > 0 THEN trim(${x}) ELSE lower(trim(${x})) END)`;

/**
 * SQL turning a runtime text into the regclass it names. Unknown names fail with 42P01, or
 * give NULL when `missing` is 'null' (to_regclass).
 */
export function regclassOfText(textSql: string, ctx: TranslateContext, missing: 'error' | 'null'): string {
  const whens: string[] = [];
  for (const r of relations(ctx)) {
    const home = ctx.searchPath.find((s) => ctx.catalog.relationExists(s, r.name));
    for (const s of spellings(r, home === r.schema)) whens.push(`WHEN ${literal(OID.text, s)} THEN ${literal(OID.text, r.printed)}`);
  }
  const otherwise = missing === 'null' ? 'NULL' : undefinedRelationSql(textSql);
  if (!whens.length) return `(CASE WHEN ${textSql} IS NULL THEN NULL ELSE ${otherwise} END)`;
  return `(CASE WHEN ${textSql} IS NULL THEN NULL ELSE (CASE ${normalised(textSql)} ${whens.join(' ')} ELSE ${otherwise} END) END)`;
}

/** SQL failing with `relation "<text>" does not exist` (runtime-errors.ts reads the name back). */
export function undefinedRelationSql(textSql: string): string {
  return `json_extract('[]', 'pg:undefined_relation:' || ${textSql})`;
}

/** SQL giving a regclass value's table OID (NULL for an index: indexes have no OID here). */
export function oidOfRegclass(regclassSql: string, ctx: TranslateContext): string {
  const whens = relations(ctx)
    .filter((r) => r.table)
    .map((r) => `WHEN ${literal(OID.text, r.printed)} THEN ${r.table!.oid}`);
  return whens.length ? `(CASE ${regclassSql} ${whens.join(' ')} END)` : 'NULL';
}

/** SQL giving the regclass of a table OID (NULL when no table has it). */
export function regclassOfOid(oidSql: string, ctx: TranslateContext): string {
  const whens = relations(ctx)
    .filter((r) => r.table)
    .map((r) => `WHEN ${r.table!.oid} THEN ${literal(OID.text, r.printed)}`);
  return whens.length ? `(CASE ${oidSql} ${whens.join(' ')} END)` : 'NULL';
}

/** A constant regclass input, resolved now (PostgreSQL resolves it at parse time: 42P01). */
export function regclassConstant(text: string, ctx: TranslateContext): Typed {
  const r = resolveRelationName(text, ctx);
  if (!r) fail({ sqlstate: '42P01', message: `relation "${text}" does not exist` });
  return { sql: literal(OID.text, r.printed), type: OID.regclass };
}

/**
 * The mark execute replaces for a relation slot (kind: r name, o OID, or a size function). It
 * carries the parameter, so the SQL still binds it (SQLite counts the parameters it mentions).
 */
export function relationMark(kind: string, slot: number, ctx: TranslateContext): string {
  return `\u0003${kind}:${slot}\u0004${paramMark(ctx.relationSlots[slot].param)}\u0003`;
}

/** A text parameter as a relation slot; undefined when `v` is not a bare parameter. */
export function relationSlot(v: Typed, ctx: TranslateContext, missing: 'error' | 'null'): Typed | undefined {
  const m = /^\u0001(\d+)\u0001$/.exec(v.sql);
  if (!m) return undefined;
  ctx.relationSlots.push({ param: Number(m[1]), missing });
  const slot = ctx.relationSlots.length - 1;
  return { sql: relationMark('r', slot, ctx), type: OID.regclass, relationSlot: slot };
}

/** The relation a regclass constant (its printed name as a literal) names, if it is one. */
export function constantRelation(v: Typed, ctx: TranslateContext): Relation | undefined {
  return relations(ctx).find((r) => literal(OID.text, r.printed) === v.sql);
}

/** `expr::regclass` for a typed expression: text resolves at run time, an OID maps to its table. */
export function castToRegclass(v: Typed, ctx: TranslateContext): Typed {
  if (v.type === OID.regclass) return v;
  if (isTextType(v.type)) return relationSlot(v, ctx, 'error') ?? { sql: regclassOfText(v.sql, ctx, 'error'), type: OID.regclass };
  if (v.type === OID.oid || isIntegerType(v.type)) return { sql: regclassOfOid(v.sql, ctx), type: OID.regclass };
  unsupported(`cast from ${typeName(v.type)} to regclass`);
}

/** `oid = regclass` (either side): PostgreSQL compares them as OIDs. */
export function regclassAsOid(l: Typed, r: Typed, ctx: TranslateContext): [Typed, Typed] {
  if (l.type === OID.oid && r.type === OID.regclass) return [l, asOid(r, ctx)];
  if (l.type === OID.regclass && r.type === OID.oid) return [asOid(l, ctx), r];
  return [l, r];
}

/** A regclass as its table's OID; a table named here has its rows counted by pg_class. */
function asOid(v: Typed, ctx: TranslateContext): Typed {
  if (v.relationSlot !== undefined) return { sql: relationMark('o', v.relationSlot, ctx), type: OID.oid };
  const constant = constantRelation(v, ctx);
  if (constant) {
    if (!constant.table) return { sql: 'NULL', type: OID.oid };
    ctx.measured.add(constant.table.oid);
    return { sql: String(constant.table.oid), type: OID.oid };
  }
  return { sql: oidOfRegclass(v.sql, ctx), type: OID.oid };
}
