/**
 * @module The `Range` header as S3 reads it: one byte range (`bytes=a-b`, `bytes=a-`,
 * `bytes=-n`); anything else, several ranges included, is ignored and the whole object sent.
 */

export type ByteRange = { start: number; end?: number } | { suffix: number };

export function parseRange(header: string | null): ByteRange | null {
  const match = header === null ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') return { suffix: Number(last) };
  const start = Number(first);
  if (last === '') return { start };
  const end = Number(last);
  return end < start ? null : { start, end };
}

/** The satisfiable part of `range` in an object of `size` bytes, or null (416). */
export function resolveRange(range: ByteRange, size: number): { offset: number; length: number } | null {
  if ('suffix' in range) {
    if (range.suffix === 0 || size === 0) return null;
    const length = Math.min(range.suffix, size);
    return { offset: size - length, length };
  }
  if (range.start >= size) return null;
  const last = Math.min(range.end ?? size - 1, size - 1);
  return { offset: range.start, length: last - range.start + 1 };
}
