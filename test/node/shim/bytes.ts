/**
 * Test-only byte builder for protocol fixtures, independent of the shim's writer:
 * `bytes().int32(8).int32(80877103).build()`, or `msg('Q', bytes().cstring('select 1'))`.
 */
export class Bytes {
  readonly parts: number[] = [];

  byte(...v: number[]): this {
    this.parts.push(...v);
    return this;
  }
  int16(v: number): this {
    return this.byte((v >> 8) & 0xff, v & 0xff);
  }
  int32(v: number): this {
    return this.byte((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  cstring(s: string): this {
    return this.byte(...Buffer.from(s, 'utf8'), 0);
  }
  raw(b: Uint8Array | number[]): this {
    return this.byte(...b);
  }
  build(): Buffer {
    return Buffer.from(this.parts);
  }
}

export const bytes = (): Bytes => new Bytes();

/** A typed message: code, int32 length including itself, body. */
export function msg(code: string, body: Bytes = bytes()): Buffer {
  const b = body.build();
  return Buffer.concat([bytes().byte(code.charCodeAt(0)).int32(b.length + 4).build(), b]);
}

/** An untyped startup-phase packet. */
export function packet(body: Bytes): Buffer {
  const b = body.build();
  return Buffer.concat([bytes().int32(b.length + 4).build(), b]);
}

export function startupPacket(params: Record<string, string>, minor = 0): Buffer {
  const body = bytes().int32((3 << 16) | minor);
  for (const [k, v] of Object.entries(params)) body.cstring(k).cstring(v);
  return packet(body.byte(0));
}

export const query = (sql: string) => msg('Q', bytes().cstring(sql));
export const parse = (name: string, sql: string, oids: number[] = []) => {
  const b = bytes().cstring(name).cstring(sql).int16(oids.length);
  for (const o of oids) b.int32(o);
  return msg('P', b);
};
export function bind(portal: string, statement: string, paramFormats: number[], params: (Buffer | null)[], resultFormats: number[]): Buffer {
  const b = bytes().cstring(portal).cstring(statement).int16(paramFormats.length);
  for (const f of paramFormats) b.int16(f);
  b.int16(params.length);
  for (const p of params) {
    if (p === null) b.int32(-1);
    else b.int32(p.length).raw(p);
  }
  b.int16(resultFormats.length);
  for (const f of resultFormats) b.int16(f);
  return msg('B', b);
}
export const describe = (kind: 'S' | 'P', name: string) => msg('D', bytes().byte(kind.charCodeAt(0)).cstring(name));
export const execute = (portal: string, maxRows = 0) => msg('E', bytes().cstring(portal).int32(maxRows));
export const close = (kind: 'S' | 'P', name: string) => msg('C', bytes().byte(kind.charCodeAt(0)).cstring(name));
export const sync = () => msg('S');
export const flush = () => msg('H');
export const terminate = () => msg('X');
