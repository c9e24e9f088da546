/**
 * @module Checking presigned S3 URLs (AWS Signature Version 4, query-string form), the way
 * browsers and other outside clients reach Convex's files: Convex signs GetObject/PutObject
 * URLs with its configured access key and secret, and we recompute the signature with the same
 * pair. Only the query form exists here: header-signed requests come from the container alone.
 */
import { accessDenied, S3Error, signatureDoesNotMatch } from './errors.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** S3 refuses presigned URLs valid for longer than seven days. */
const MAX_EXPIRES_SECONDS = 604_800;
/** How far ahead of our clock a URL's date may be (clock skew), as S3 allows. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const encoder = new TextEncoder();

/** RFC 3986 encoding as SigV4 defines it: everything but A–Z a–z 0–9 - _ . ~ as %XX. */
export function uriEncode(text: string): string {
  let out = '';
  for (const byte of encoder.encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(data));
}

function authorizationQueryError(message: string): S3Error {
  return new S3Error(400, 'AuthorizationQueryParametersError', message);
}

/** Raw query pairs, percent-decoded ('+' stays '+': SigV4 clients encode a space as %20). */
function queryPairs(search: string): [string, string][] | null {
  const pairs: [string, string][] = [];
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    try {
      pairs.push([decodeURIComponent(eq < 0 ? part : part.slice(0, eq)), eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1))]);
    } catch {
      return null;
    }
  }
  return pairs;
}

function parseAmzDate(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : null;
}

/** True when the URL carries a query signature at all (otherwise it is anonymous). */
export function isPresigned(url: URL): boolean {
  return url.searchParams.has('X-Amz-Signature');
}

/**
 * Verifies a presigned request; returns the S3 error to answer with, or null when it is
 * genuine and current. The signature is checked before the expiry, so "Request has expired"
 * is only ever said about URLs we did sign.
 */
export async function verifyPresignedRequest(request: Request, credentials: S3Credentials, nowMs: number): Promise<S3Error | null> {
  const url = new URL(request.url);
  const pairs = queryPairs(url.search);
  if (!pairs) return signatureDoesNotMatch();
  const param = (name: string) => pairs.find(([k]) => k === name)?.[1];
  const signature = param('X-Amz-Signature');
  if (signature === undefined) return accessDenied();

  const algorithm = param('X-Amz-Algorithm');
  const credential = param('X-Amz-Credential');
  const amzDate = param('X-Amz-Date');
  const expires = param('X-Amz-Expires');
  const signedHeaders = param('X-Amz-SignedHeaders');
  if (algorithm !== 'AWS4-HMAC-SHA256') return authorizationQueryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  if (!credential || !amzDate || !expires || !signedHeaders) {
    return authorizationQueryError('Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || scope[3] !== 's3') return authorizationQueryError('Error parsing the X-Amz-Credential parameter');
  const [accessKeyId, scopeDate, region] = scope as [string, string, string];
  if (accessKeyId !== credentials.accessKeyId) {
    return new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  }
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === null || scopeDate !== amzDate.slice(0, 8)) return authorizationQueryError('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'" and match the credential date');
  if (!/^\d+$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_EXPIRES_SECONDS) {
    return authorizationQueryError('X-Amz-Expires must be between 1 and 604800 seconds');
  }
  const headerNames = signedHeaders.split(';');
  if (!headerNames.includes('host')) return authorizationQueryError('X-Amz-SignedHeaders must include host');

  // Canonical request (SigV4): method, path, query without the signature, signed headers.
  const path = url.pathname.split('/').map((segment) => {
    try {
      return uriEncode(decodeURIComponent(segment));
    } catch {
      return segment;
    }
  });
  const query = pairs
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = headerNames.map((name) => {
    const value = name === 'host' ? (request.headers.get('host') ?? url.host) : (request.headers.get(name) ?? '');
    return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonicalRequest = [request.method, path.join('/'), query, headers.join(''), signedHeaders, param('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD'].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${scopeDate}/${region}/s3/aws4_request`, toHex(await crypto.subtle.digest('SHA-256', encoder.encode(canonicalRequest)))].join('\n');

  let key: ArrayBuffer = encoder.encode(`AWS4${credentials.secretAccessKey}`).buffer as ArrayBuffer;
  for (const part of [scopeDate, region, 's3', 'aws4_request']) key = await hmac(key, part);
  const expected = toHex(await hmac(key, stringToSign));

  let diff = expected.length ^ signature.length;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (signature.charCodeAt(i) || 0);
  if (diff !== 0) return signatureDoesNotMatch();

  if (nowMs > signedAt + Number(expires) * 1000) return accessDenied('Request has expired');
  if (signedAt > nowMs + MAX_SKEW_MS) return accessDenied('Request is not valid yet');
  return null;
}
