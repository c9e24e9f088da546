/**
 * @module The real PostgreSQL parser (libpg-query, compiled to WASM) loaded for workerd: the
 * `.wasm` is imported as a compiled module (wrangler's CompiledWasm rule) and handed to the
 * emscripten factory through `instantiateWasm`, so nothing is fetched or read from disk.
 */
// @ts-expect-error: emscripten factory without types
import PgQueryModule from 'libpg-query/wasm/libpg-query.js';
import wasm from '../../node_modules/libpg-query/wasm/libpg-query.wasm';

interface Emscripten {
  _malloc(n: number): number;
  _free(p: number): void;
  _wasm_parse_query_raw(p: number): number;
  _wasm_free_parse_result(p: number): void;
  _wasm_parse_plpgsql(p: number): number;
  _wasm_free_string(p: number): void;
  lengthBytesUTF8(s: string): number;
  stringToUTF8(s: string, p: number, n: number): void;
  UTF8ToString(p: number): string;
  getValue(p: number, type: 'i32'): number;
}

let module: Emscripten | undefined;
let loading: Promise<Emscripten> | undefined;

/** Instantiate the parser once per isolate (~1.7 MB of WASM). */
export function loadParser(): Promise<Emscripten> {
  if (loading) return loading;
  // The emscripten preamble sniffs its environment synchronously at the start of the call:
  // with nodejs_compat it would take workerd for Node (and reach for __dirname and require),
  // and as a worker it reads `self.location.href`, which workerd lacks. For exactly that
  // span it sees a plain web worker: no `process`, a placeholder `location`.
  const g = globalThis as { location?: unknown; process?: unknown };
  const hadLocation = 'location' in g;
  const proc = g.process;
  if (!hadLocation) g.location = { href: 'file:///libpg-query.js' };
  g.process = undefined;
  try {
    loading = (PgQueryModule as (arg: object) => Promise<Emscripten>)({
      instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
        WebAssembly.instantiate(wasm as WebAssembly.Module, imports).then(done);
        return {};
      },
    }).then((m) => (module = m));
  } finally {
    if (!hadLocation) delete g.location;
    g.process = proc;
  }
  return loading;
}

export interface ParseFailure {
  message: string;
  /** 1-based character position, as PostgreSQL reports it; 0 when unknown. */
  position: number;
}

function withString<T>(m: Emscripten, s: string, fn: (ptr: number) => T): T {
  const len = m.lengthBytesUTF8(s) + 1;
  const ptr = m._malloc(len);
  try {
    m.stringToUTF8(s, ptr, len);
    return fn(ptr);
  } finally {
    m._free(ptr);
  }
}

/** Parse SQL into libpg-query's JSON AST (`{ version, stmts: [{ stmt, stmt_location, stmt_len }] }`). */
export function parseSql(sql: string): { stmts: RawStmt[] } | ParseFailure {
  const m = module;
  if (!m) throw new Error('parser not loaded: await loadParser() first');
  return withString(m, sql, (ptr) => {
    const result = m._wasm_parse_query_raw(ptr);
    try {
      const tree = m.getValue(result, 'i32');
      const error = m.getValue(result + 8, 'i32');
      if (error) {
        const message = m.UTF8ToString(m.getValue(error, 'i32'));
        const cursor = m.getValue(error + 16, 'i32');
        // libpg-query's cursor is a byte offset+1; PostgreSQL reports characters.
        return { message, position: cursor > 0 ? byteToCharPosition(sql, cursor) : 0 };
      }
      const parsed = JSON.parse(m.UTF8ToString(tree)) as { stmts?: RawStmt[] };
      return { stmts: parsed.stmts ?? [] };
    } finally {
      m._wasm_free_parse_result(result);
    }
  });
}

/** Parse a PL/pgSQL function body (used for DO blocks). */
export function parsePlpgsql(source: string): unknown | ParseFailure {
  const m = module;
  if (!m) throw new Error('parser not loaded: await loadParser() first');
  return withString(m, source, (ptr) => {
    const result = m._wasm_parse_plpgsql(ptr);
    try {
      const text = m.UTF8ToString(result);
      return text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : { message: text, position: 0 };
    } finally {
      m._wasm_free_string(result);
    }
  });
}

export interface RawStmt {
  stmt: Record<string, any>;
  stmt_location?: number;
  stmt_len?: number;
}

function byteToCharPosition(sql: string, bytePos: number): number {
  const bytes = new TextEncoder().encode(sql).subarray(0, bytePos - 1);
  return new TextDecoder().decode(bytes).length + 1;
}
