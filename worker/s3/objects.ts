/**
 * @module Single-object operations: GetObject (ranges, conditionals, streamed), HeadObject,
 * PutObject (streamed into R2), DeleteObject.
 */
import { customMetadataOf, httpMetadataOf, uploadBody } from './body.ts';
import { r2KeyOf, type S3Context } from './context.ts';
import { badDigest, invalidRange, noSuchKey, R2_CODE, r2ErrorCode, S3Error } from './errors.ts';
import { parseRange, resolveRange, type ByteRange } from './range.ts';

/** Query parameters a presigned GET may use to override response headers (S3 `response-*`). */
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-disposition': 'Content-Disposition',
  'response-content-language': 'Content-Language',
  'response-content-encoding': 'Content-Encoding',
  'response-cache-control': 'Cache-Control',
  'response-expires': 'Expires',
};

function objectHeaders(ctx: S3Context, object: R2Object): Headers {
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  if (!headers.has('content-type')) headers.set('Content-Type', 'application/octet-stream');
  headers.set('ETag', object.httpEtag);
  headers.set('Last-Modified', object.uploaded.toUTCString());
  headers.set('Accept-Ranges', 'bytes');
  for (const [name, value] of Object.entries(object.customMetadata ?? {})) headers.set(`x-amz-meta-${name}`, value);
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = ctx.url.searchParams.get(param);
    if (value !== null) headers.set(header, value);
  }
  return headers;
}

function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return tag === '*' || tag === etag;
  });
}

/** RFC 7232 order: If-Match / If-Unmodified-Since fail with 412; If-None-Match / If-Modified-Since with 304. */
function preconditionOutcome(headers: Headers, object: R2Object, method: string): 304 | 412 | null {
  const uploadedS = Math.floor(object.uploaded.getTime() / 1000);
  const ifMatch = headers.get('if-match');
  if (ifMatch !== null && !etagMatches(ifMatch, object.etag)) return 412;
  const ifUnmodified = headers.get('if-unmodified-since');
  if (ifMatch === null && ifUnmodified !== null && uploadedS > Date.parse(ifUnmodified) / 1000) return 412;
  const ifNoneMatch = headers.get('if-none-match');
  if (ifNoneMatch !== null && etagMatches(ifNoneMatch, object.etag)) return method === 'GET' || method === 'HEAD' ? 304 : 412;
  const ifModified = headers.get('if-modified-since');
  if (ifNoneMatch === null && ifModified !== null && uploadedS <= Date.parse(ifModified) / 1000) return 304;
  return null;
}

const CONDITIONAL_HEADERS = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'];
const hasConditions = (headers: Headers) => CONDITIONAL_HEADERS.some((h) => headers.has(h));

function preconditionResponse(ctx: S3Context, object: R2Object, outcome: 304 | 412): Response {
  if (outcome === 412) throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
  const headers = objectHeaders(ctx, object);
  headers.delete('Content-Type');
  return new Response(null, { status: 304, headers });
}

function toR2Range(range: ByteRange): R2Range {
  if ('suffix' in range) return { suffix: range.suffix };
  return range.end === undefined ? { offset: range.start } : { offset: range.start, length: range.end - range.start + 1 };
}

export async function getObject(ctx: S3Context): Promise<Response> {
  const range = parseRange(ctx.request.headers.get('range'));
  let object: R2ObjectBody | R2Object | null;
  try {
    object = await ctx.bucket.get(r2KeyOf(ctx), {
      range: range ? toR2Range(range) : undefined,
      onlyIf: hasConditions(ctx.request.headers) ? ctx.request.headers : undefined,
    });
  } catch (error) {
    // R2 fails some unsatisfiable ranges itself (past the end, any range of an empty object:
    // code 10039, or in local dev an unspecified error); the 416 needs the size. Satisfiable
    // ranges never take this path, so it costs nothing on the common one.
    if (!range) throw error;
    const head = await ctx.bucket.head(r2KeyOf(ctx));
    if (!head) throw noSuchKey(ctx.key);
    if (resolveRange(range, head.size) === null) throw invalidRange(head.size);
    throw error;
  }
  if (!object) throw noSuchKey(ctx.key);
  if (!('body' in object)) return preconditionResponse(ctx, object, preconditionOutcome(ctx.request.headers, object, 'GET') ?? 412);

  const headers = objectHeaders(ctx, object);
  if (!range) {
    headers.set('Content-Length', String(object.size));
    return new Response(object.body, { status: 200, headers });
  }
  // R2 clamps rather than refuses a range that starts at the end (and any range of an empty
  // object); S3 answers those with 416.
  const resolved = resolveRange(range, object.size);
  if (!resolved) {
    await object.body.cancel();
    throw invalidRange(object.size);
  }
  headers.set('Content-Length', String(resolved.length));
  headers.set('Content-Range', `bytes ${resolved.offset}-${resolved.offset + resolved.length - 1}/${object.size}`);
  return new Response(object.body, { status: 206, headers });
}

export async function headObject(ctx: S3Context): Promise<Response> {
  const object = await ctx.bucket.head(r2KeyOf(ctx));
  if (!object) throw noSuchKey(ctx.key);
  const outcome = preconditionOutcome(ctx.request.headers, object, 'HEAD');
  if (outcome) return preconditionResponse(ctx, object, outcome);
  const headers = objectHeaders(ctx, object);
  const range = parseRange(ctx.request.headers.get('range'));
  if (!range) {
    headers.set('Content-Length', String(object.size));
    return new Response(null, { status: 200, headers });
  }
  const resolved = resolveRange(range, object.size);
  if (!resolved) throw invalidRange(object.size);
  headers.set('Content-Length', String(resolved.length));
  headers.set('Content-Range', `bytes ${resolved.offset}-${resolved.offset + resolved.length - 1}/${object.size}`);
  return new Response(null, { status: 206, headers });
}

function base64ToBytes(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The one digest R2 should verify on PutObject, if the client sent one R2 knows. */
function digestOption(headers: Headers): Pick<R2PutOptions, 'md5' | 'sha256' | 'sha1'> {
  const md5 = headers.get('content-md5');
  if (md5) {
    const bytes = base64ToBytes(md5);
    if (!bytes || bytes.length !== 16) throw new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
    return { md5: bytes };
  }
  const sha256 = headers.get('x-amz-checksum-sha256');
  if (sha256) return { sha256: base64ToBytes(sha256) ?? new Uint8Array(0) };
  const payloadSha = headers.get('x-amz-content-sha256');
  if (payloadSha && /^[0-9a-f]{64}$/.test(payloadSha)) return { sha256: payloadSha };
  const sha1 = headers.get('x-amz-checksum-sha1');
  if (sha1) return { sha1: base64ToBytes(sha1) ?? new Uint8Array(0) };
  return {};
}

export async function putObject(ctx: S3Context): Promise<Response> {
  const body = uploadBody(ctx.request);
  const digest = digestOption(ctx.request.headers);
  let object: R2Object | null;
  try {
    object = await ctx.bucket.put(r2KeyOf(ctx), body.stream, {
      httpMetadata: httpMetadataOf(ctx.request.headers),
      customMetadata: customMetadataOf(ctx.request.headers),
      onlyIf: ctx.request.headers.has('if-match') || ctx.request.headers.has('if-none-match') ? ctx.request.headers : undefined,
      ...digest,
    });
  } catch (error) {
    const { error: bodyError } = body.outcome();
    if (bodyError) throw bodyError;
    if (r2ErrorCode(error) === R2_CODE.badDigest) throw badDigest(Object.keys(digest)[0] ?? 'digest');
    throw error;
  }
  if (!object) throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  const { error, headers } = body.outcome();
  if (error) throw error;
  return new Response(null, { status: 200, headers: { ETag: object.httpEtag, ...headers } });
}

export async function deleteObject(ctx: S3Context): Promise<Response> {
  await ctx.bucket.delete(r2KeyOf(ctx));
  return new Response(null, { status: 204 });
}
