/**
 * @module The S3 subset Convex's storage calls (crates/aws_s3/src/storage.rs), served over an
 * R2 binding, path-style: `<basePath>/<bucket>/<key>`.
 *
 * Two kinds of caller, told apart by whoever mounts this handler:
 * - `container`: Convex itself. Its requests carry SigV4 headers made with dummy credentials,
 *   which we do not verify: they reach the Worker only through the container's outbound
 *   interception (the platform hands us the container's own HTTP requests), never from the
 *   internet, so there is no one to authenticate.
 * - `public`: anyone on the internet holding a presigned URL Convex handed out. Only a
 *   presigned GetObject/HeadObject/PutObject of one object is allowed, and its query signature
 *   is checked against the same access key and secret Convex is configured with.
 */
import type { S3Context } from './context.ts';
import { accessDenied, errorResponse, noSuchBucket, notImplemented, S3Error } from './errors.ts';
import { deleteObjects, listObjectsV2 } from './listing.ts';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, uploadPart } from './multipart.ts';
import { deleteObject, getObject, headObject, putObject } from './objects.ts';
import { verifyPresignedRequest, type S3Credentials } from './sigv4.ts';

export type { S3Credentials } from './sigv4.ts';

export interface S3Options {
  /** Who sent the request; see the module note. */
  source: 'container' | 'public';
  /** The access key id and secret Convex is configured with (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); required for `public`. */
  credentials?: S3Credentials;
  /** The path of S3_ENDPOINT_URL, if it has one (e.g. '/_s3'); bucket names follow it. */
  basePath?: string;
  /** The bucket names Convex is configured with (S3_STORAGE_*_BUCKET); others are NoSuchBucket. Any name when omitted. */
  buckets?: readonly string[];
  /** Prepended to every R2 key (e.g. `<deployment>/`), so deployments can share one R2 bucket. */
  keyPrefix?: string;
  /** Clock for presigned URL expiry (epoch ms). */
  now?: () => number;
}

/** Query parameters that select an operation we do not serve on an object. */
const UNSUPPORTED_OBJECT_SUBRESOURCES = ['acl', 'tagging', 'attributes', 'legal-hold', 'retention', 'restore', 'select', 'torrent', 'versionId'];

const CORS_EXPOSED = 'ETag, Content-Length, Content-Range, Content-Type, Last-Modified, x-amz-request-id, x-amz-checksum-crc32';

function corsPreflight(request: Request): Response {
  return new Response(null, {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, HEAD, PUT',
      'Access-Control-Allow-Headers': request.headers.get('access-control-request-headers') ?? '*',
      'Access-Control-Max-Age': '3000',
    },
  });
}

/** Splits `<basePath>/<bucket>/<key>`; null when the path is outside basePath. */
function parsePath(pathname: string, basePath: string): { bucketName: string; key: string } | null {
  const base = basePath.replace(/\/+$/, '');
  if (!pathname.startsWith(`${base}/`)) return null;
  const rest = pathname.slice(base.length + 1);
  const slash = rest.indexOf('/');
  try {
    return slash < 0
      ? { bucketName: decodeURIComponent(rest), key: '' }
      : { bucketName: decodeURIComponent(rest.slice(0, slash)), key: decodeURIComponent(rest.slice(slash + 1)) };
  } catch {
    throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

async function authorize(ctx: S3Context, options: S3Options): Promise<void> {
  if (options.source === 'container') return; // see the module note
  if (!options.credentials) throw new Error('S3 handler: public requests need options.credentials');
  const error = await verifyPresignedRequest(ctx.request, options.credentials, (options.now ?? Date.now)());
  if (error) throw error;
  const method = ctx.request.method;
  const params = ctx.url.searchParams;
  const subresource = ['uploads', 'uploadId', 'partNumber', 'delete', 'list-type', ...UNSUPPORTED_OBJECT_SUBRESOURCES].some((p) => params.has(p));
  if (ctx.key === '' || subresource || !['GET', 'HEAD', 'PUT'].includes(method) || ctx.request.headers.has('x-amz-copy-source')) {
    throw accessDenied('Presigned URLs here may only get or put one object');
  }
}

async function route(ctx: S3Context): Promise<Response> {
  const { method } = ctx.request;
  const params = ctx.url.searchParams;
  if (ctx.bucketName === '') throw notImplemented('ListBuckets');
  if (ctx.key === '') {
    if (method === 'GET' && params.get('list-type') === '2') return listObjectsV2(ctx);
    if (method === 'HEAD') return new Response(null, { status: 200 });
    if (method === 'POST' && params.has('delete')) return deleteObjects(ctx);
    throw notImplemented(`${method} on a bucket${params.size > 0 ? ` with ?${[...params.keys()].join('&')}` : ''} (only ListObjectsV2, HeadBucket and DeleteObjects are served)`);
  }
  const unsupported = UNSUPPORTED_OBJECT_SUBRESOURCES.find((p) => params.has(p));
  if (unsupported) throw notImplemented(`?${unsupported}`);
  if (ctx.request.headers.has('x-amz-copy-source')) throw notImplemented('CopyObject / UploadPartCopy');
  switch (method) {
    case 'GET':
      if (params.has('uploadId')) throw notImplemented('ListParts');
      if (params.has('partNumber')) throw notImplemented('GetObject by part number');
      return getObject(ctx);
    case 'HEAD':
      if (params.has('partNumber')) throw notImplemented('HeadObject by part number');
      return headObject(ctx);
    case 'PUT':
      return params.has('uploadId') || params.has('partNumber') ? uploadPart(ctx) : putObject(ctx);
    case 'POST':
      if (params.has('uploads')) return createMultipartUpload(ctx);
      if (params.has('uploadId')) return completeMultipartUpload(ctx);
      throw notImplemented('POST on an object without ?uploads or ?uploadId');
    case 'DELETE':
      return params.has('uploadId') ? abortMultipartUpload(ctx) : deleteObject(ctx);
    default:
      throw new S3Error(405, 'MethodNotAllowed', `The specified method is not allowed against this resource: ${method}`);
  }
}

/** Serves one S3 request. Never throws: every failure is an S3 error response. */
export async function handleS3Request(request: Request, bucket: R2Bucket, options: S3Options): Promise<Response> {
  const requestId = crypto.randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const url = new URL(request.url);
  let resource = url.pathname;
  let response: Response;
  try {
    if (request.method === 'OPTIONS') return corsPreflight(request);
    const parsed = parsePath(url.pathname, options.basePath ?? '');
    if (!parsed) throw noSuchBucket('');
    const { bucketName, key } = parsed;
    resource = `/${bucketName}${key === '' ? '' : `/${key}`}`;
    if (bucketName !== '' && options.buckets && !options.buckets.includes(bucketName)) throw noSuchBucket(bucketName);
    const ctx: S3Context = { request, url, bucket, bucketName, key, r2Prefix: `${options.keyPrefix ?? ''}${bucketName}/` };
    await authorize(ctx, options);
    response = await route(ctx);
  } catch (error) {
    if (!(error instanceof S3Error)) console.error('S3 handler:', error);
    const s3Error = error instanceof S3Error ? error : new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
    response = errorResponse(s3Error, resource, requestId, request.method);
  }
  const headers = new Headers(response.headers);
  headers.set('x-amz-request-id', requestId);
  if (options.source === 'public' && request.headers.has('origin')) {
    headers.set('Access-Control-Allow-Origin', '*');
    headers.set('Access-Control-Expose-Headers', CORS_EXPOSED);
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
