/**
 * @module json and jsonb text input following PostgreSQL's JSON lexer (its error details
 * included), and jsonb's normalised output: `{"a": 1, "b": [1, 2]}`, keys ordered by byte
 * length then bytes, duplicate keys last-wins, numbers as numeric prints them, strings
 * re-escaped as escape_json does. json keeps its input text verbatim.
 * The parser keeps numbers as text, so it also decodes the array storage encoding exactly.
 */
import type { PgError } from '../../../tunnel/types.ts';
import { invalidSyntax, untranslatableCharacter } from '../errors.ts';
import { parseNumeric } from './numeric.ts';
import { checkEncodable } from './text.ts';

export type JsonNode =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'object'; entries: [string, JsonNode][] };

const WS = new Set([' ', '\t', '\n', '\r']);
const ALNUM = /[A-Za-z0-9_\u0080-\uffff]/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class JsonSyntax {
  readonly error: PgError;
  constructor(error: PgError) {
    this.error = error;
  }
}

function syntax(detail: string, sqlstate = '22P02'): never {
  throw new JsonSyntax(
    sqlstate === '22P02' ? invalidSyntax('invalid input syntax for type json', detail) : untranslatableCharacter('unsupported Unicode escape sequence', detail),
  );
}

/** A recursive-descent parser; `decode` false skips surrogate checks as json_in does. */
class Parser {
  pos = 0;
  readonly src: string;
  readonly decode: boolean;
  constructor(src: string, decode: boolean) {
    this.src = src;
    this.decode = decode;
  }

  skipSpace(): void {
    while (this.pos < this.src.length && WS.has(this.src[this.pos]!)) this.pos++;
  }

  /** The token PostgreSQL would quote: an alphanumeric run starting here (at least one char). */
  badToken(): never {
    let end = this.pos + 1;
    while (end < this.src.length && ALNUM.test(this.src[end]!)) end++;
    syntax(`Token "${this.src.slice(this.pos, end)}" is invalid.`);
  }

  /**
   * The next token, for "but found" messages. The lexer runs before the parser in
   * PostgreSQL, so a token that is not a JSON lexeme at all (`+`, `x`, an unterminated
   * string) is reported as invalid instead.
   */
  found(): string {
    if (this.pos >= this.src.length) syntax('The input string ended unexpectedly.');
    const c = this.src[this.pos]!;
    if ('{}[],:'.includes(c)) return c;
    if (c === '"') {
      const str = this.peekString();
      if (str.length < 2 || !str.endsWith('"') || str.endsWith('\\"')) syntax(`Token "${str}" is invalid.`);
      return str;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const start = this.pos;
      this.number();
      return this.src.slice(start, this.pos);
    }
    let end = this.pos;
    while (end < this.src.length && ALNUM.test(this.src[end]!)) end++;
    const word = this.src.slice(this.pos, Math.max(end, this.pos + 1));
    if (!['true', 'false', 'null'].includes(word)) syntax(`Token "${word}" is invalid.`);
    return word;
  }

  /** A string token as PostgreSQL quotes it in "found": raw, up to its closing quote. */
  peekString(): string {
    const m = /^"(?:[^"\\]|\\.)*"?/s.exec(this.src.slice(this.pos));
    return m![0];
  }

  expect(what: string, c: string): void {
    this.skipSpace();
    if (this.src[this.pos] !== c) syntax(`Expected ${what}, but found "${this.found()}".`);
    this.pos++;
  }

  value(): JsonNode {
    this.skipSpace();
    if (this.pos >= this.src.length) syntax('The input string ended unexpectedly.');
    const c = this.src[this.pos]!;
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'string', value: this.string() };
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    const word = /^[A-Za-z0-9_\u0080-\uffff]+/.exec(this.src.slice(this.pos))?.[0];
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos += word.length;
      return word === 'null' ? { kind: 'null' } : { kind: 'bool', value: word === 'true' };
    }
    if (word === undefined) syntax(`Expected JSON value, but found "${this.found()}".`);
    return this.badToken();
  }

  number(): JsonNode {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.src);
    const end = this.pos + (m?.[0].length ?? 0);
    if (m === null || (end < this.src.length && (ALNUM.test(this.src[end]!) || this.src[end] === '.'))) {
      let e = end;
      while (e < this.src.length && (ALNUM.test(this.src[e]!) || this.src[e] === '.')) e++;
      syntax(`Token "${this.src.slice(this.pos, Math.max(e, this.pos + 1))}" is invalid.`);
    }
    this.pos = end;
    return { kind: 'number', text: m[0] };
  }

  string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      // An unterminated string is an invalid token to PostgreSQL's lexer.
      if (this.pos >= this.src.length) syntax(`Token "${this.src.slice(start)}" is invalid.`);
      const c = this.src[this.pos]!;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c < ' ') syntax(`Character with value 0x${c.charCodeAt(0).toString(16).padStart(2, '0')} must be escaped.`);
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = this.src[this.pos + 1];
      if (e === undefined) syntax('The input string ended unexpectedly.');
      this.pos += 2;
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e in simple) {
        out += simple[e];
        continue;
      }
      if (e !== 'u') syntax(`Escape sequence "\\${e}" is invalid.`);
      out += this.unicodeEscape();
    }
  }

  unicodeEscape(): string {
    const hex = this.src.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) syntax('"\\u" must be followed by four hexadecimal digits.');
    this.pos += 4;
    const code = parseInt(hex, 16);
    if (!this.decode) return String.fromCharCode(code);
    if (code === 0) syntax('\\u0000 cannot be converted to text.', '22P05');
    if (code >= 0xdc00 && code <= 0xdfff) syntax('Unicode low surrogate must follow a high surrogate.');
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = /^\\u([0-9a-fA-F]{4})/.exec(this.src.slice(this.pos));
      const low = next === null ? -1 : parseInt(next[1]!, 16);
      if (low < 0xdc00 || low > 0xdfff) syntax('Unicode low surrogate must follow a high surrogate.');
      this.pos += 6;
      return String.fromCharCode(code, low);
    }
    return String.fromCharCode(code);
  }

  array(): JsonNode {
    this.pos++;
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.src[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      const c = this.src[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return { kind: 'array', items };
      }
      syntax(`Expected "," or "]", but found "${this.found()}".`);
    }
  }

  object(): JsonNode {
    this.pos++;
    const entries: [string, JsonNode][] = [];
    this.skipSpace();
    if (this.src[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (let first = true; ; first = false) {
      this.skipSpace();
      if (this.src[this.pos] !== '"') syntax(`Expected string${first ? ' or "}"' : ''}, but found "${this.found()}".`);
      const key = this.string();
      this.expect('":"', ':');
      entries.push([key, this.value()]);
      this.skipSpace();
      const c = this.src[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return { kind: 'object', entries };
      }
      syntax(`Expected "," or "}", but found "${this.found()}".`);
    }
  }
}

/** Parses a whole JSON text; `decode` applies jsonb's escape rules (surrogates, no \u0000). */
export function parseJsonTree(text: string, decode: boolean): JsonNode | PgError {
  const bad = checkEncodable(text);
  if (bad !== undefined) return bad;
  const p = new Parser(text, decode);
  try {
    const v = p.value();
    p.skipSpace();
    if (p.pos < text.length) syntax(`Expected end of input, but found "${p.found()}".`);
    return v;
  } catch (e) {
    if (e instanceof JsonSyntax) return e.error;
    throw e;
  }
}

/** json text input: validated, kept verbatim. */
export function parseJson(text: string): string | PgError {
  const tree = parseJsonTree(text, false);
  return 'sqlstate' in tree ? tree : text;
}

/** jsonb text input: validated and normalised to PostgreSQL's jsonb output text. */
export function parseJsonb(text: string): string | PgError {
  const tree = parseJsonTree(text, true);
  return 'sqlstate' in tree ? tree : formatJsonb(tree);
}

const utf8 = new TextEncoder();

function compareKeys(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** escape_json: the short escapes, \u00XX for other control characters, all else literal. */
export function quoteJsonString(s: string): string {
  let out = '"';
  for (const c of s) {
    const short: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    if (c in short) out += short[c];
    else if (c < ' ') out += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out + '"';
}

export function formatJsonb(node: JsonNode): string {
  switch (node.kind) {
    case 'null':
      return 'null';
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'number':
      return parseNumeric(node.text) as string;
    case 'string':
      return quoteJsonString(node.value);
    case 'array':
      return `[${node.items.map(formatJsonb).join(', ')}]`;
    case 'object': {
      const last = new Map<string, JsonNode>();
      for (const [k, v] of node.entries) last.set(k, v);
      const keys = [...last.keys()].sort(compareKeys);
      return `{${keys.map((k) => `${quoteJsonString(k)}: ${formatJsonb(last.get(k)!)}`).join(', ')}}`;
    }
  }
}
