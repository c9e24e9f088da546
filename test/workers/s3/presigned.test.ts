/**
 * Presigned URLs as browsers use them: Convex signs GetObject/PutObject URLs with its
 * configured (dummy) key pair, and the Worker checks them with the same pair. Signed here with
 * the real `@aws-sdk/s3-request-presigner`.
 */
import { CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { handleS3Request, type S3Options } from '../../../worker/s3/handler.ts';
import { CREDENTIALS, ENDPOINT, s3Client, uniqueBucket } from './harness.ts';

const PUBLIC: S3Options = { source: 'public', basePath: '/_s3', credentials: CREDENTIALS };
const publicFetch = (url: string, init: RequestInit = {}, options: Partial<S3Options> = {}) =>
  handleS3Request(new Request(url, init), env.BUCKET, { ...PUBLIC, ...options });

function signer(credentials = CREDENTIALS, region = 'auto') {
  return new S3Client({ region, endpoint: ENDPOINT, forcePathStyle: true, credentials });
}

async function xmlCode(response: Response): Promise<string | undefined> {
  return /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1];
}

describe('presigned GET and PUT', () => {
  it('a browser uploads with a presigned PUT and downloads with a presigned GET (CORS included)', async () => {
    const Bucket = uniqueBucket();
    const Key = 'uploads/notes of me +1 ü.txt';
    const putUrl = await getSignedUrl(signer(), new PutObjectCommand({ Bucket, Key }), { expiresIn: 300 });
    expect(new URL(putUrl).pathname.startsWith(`/_s3/${Bucket}/`)).toBe(true);
    const body = new TextEncoder().encode('the notes themselves');
    const put = await publicFetch(putUrl, { method: 'PUT', body, headers: { 'content-type': 'text/plain', 'content-length': String(body.length), origin: 'https://app.example' } });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(put.headers.get('access-control-allow-origin')).toBe('*');
    expect(put.headers.get('access-control-expose-headers')).toContain('ETag');

    const getUrl = await getSignedUrl(signer(), new GetObjectCommand({ Bucket, Key }), { expiresIn: 60 });
    const got = await publicFetch(getUrl);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('text/plain');
    expect(await got.text()).toBe('the notes themselves');

    const ranged = await publicFetch(getUrl, { headers: { range: 'bytes=4-9' } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('notes ');
  });

  it('verifies signatures made for any region and honours response-* overrides that were signed', async () => {
    const Bucket = uniqueBucket();
    await s3Client().send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    const url = await getSignedUrl(signer(CREDENTIALS, 'us-east-1'), new GetObjectCommand({ Bucket, Key: 'k', ResponseContentDisposition: 'attachment; filename="k.txt"' }), { expiresIn: 60 });
    const response = await publicFetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="k.txt"');
  });

  it('a changed signature, key, query or secret → 403 SignatureDoesNotMatch; nothing is written', async () => {
    const Bucket = uniqueBucket();
    const url = new URL(await getSignedUrl(signer(), new PutObjectCommand({ Bucket, Key: 'k' }), { expiresIn: 60 }));
    const put = (target: string) => publicFetch(target, { method: 'PUT', body: 'evil', headers: { 'content-length': '4' } });

    const badSignature = new URL(url);
    const sig = badSignature.searchParams.get('X-Amz-Signature')!;
    badSignature.searchParams.set('X-Amz-Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace(/\/k$/, '/other');
    const extraQuery = new URL(url);
    extraQuery.searchParams.set('response-content-type', 'text/html');
    const otherSecret = await getSignedUrl(signer({ ...CREDENTIALS, secretAccessKey: 'guessed' }), new PutObjectCommand({ Bucket, Key: 'k' }), { expiresIn: 60 });

    for (const target of [badSignature.href, otherKey.href, extraQuery.href, otherSecret]) {
      const response = await put(target);
      expect(response.status).toBe(403);
      expect(await xmlCode(response)).toBe('SignatureDoesNotMatch');
    }
    const asGet = await publicFetch(url.href); // signed for PUT, used for GET
    expect(asGet.status).toBe(403);
    expect(await xmlCode(asGet)).toBe('SignatureDoesNotMatch');
    expect(await env.BUCKET.head(`${Bucket}/k`)).toBeNull();
  });

  it('an expired URL → 403 AccessDenied "Request has expired"; one from the future is not valid yet', async () => {
    const Bucket = uniqueBucket();
    const signedAt = new Date('2026-03-01T12:00:00Z');
    const url = await getSignedUrl(signer(), new GetObjectCommand({ Bucket, Key: 'k' }), { expiresIn: 60, signingDate: signedAt });
    const at = (ms: number) => publicFetch(url, {}, { now: () => ms });

    const expired = await at(signedAt.getTime() + 61_000);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    // Within its 60 s the URL is good (and the object simply does not exist).
    expect(await xmlCode(await at(signedAt.getTime() + 59_000))).toBe('NoSuchKey');
    const early = await at(signedAt.getTime() - 3_600_000);
    expect(early.status).toBe(403);
    expect(await early.text()).toContain('Request is not valid yet');
  });

  it('another access key → 403 InvalidAccessKeyId; expiry beyond 7 days → 400', async () => {
    const Bucket = uniqueBucket();
    const url = await getSignedUrl(signer({ accessKeyId: 'someone-else', secretAccessKey: CREDENTIALS.secretAccessKey }), new GetObjectCommand({ Bucket, Key: 'k' }), { expiresIn: 60 });
    const response = await publicFetch(url);
    expect(response.status).toBe(403);
    expect(await xmlCode(response)).toBe('InvalidAccessKeyId');
    const long = new URL(await getSignedUrl(signer(), new GetObjectCommand({ Bucket, Key: 'k' }), { expiresIn: 60 }));
    long.searchParams.set('X-Amz-Expires', '604801');
    const tooLong = await publicFetch(long.href);
    expect(tooLong.status).toBe(400);
    expect(await xmlCode(tooLong)).toBe('AuthorizationQueryParametersError');
  });
});

describe('what the public may not do', () => {
  it('anonymous and header-signed requests → 403 AccessDenied', async () => {
    const Bucket = uniqueBucket();
    await s3Client().send(new PutObjectCommand({ Bucket, Key: 'secret', Body: 'x' }));
    const anonymous = await publicFetch(`${ENDPOINT}/${Bucket}/secret`);
    expect(anonymous.status).toBe(403);
    expect(await xmlCode(anonymous)).toBe('AccessDenied');
    // The SDK with the right key pair, but header-signed: only presigned URLs are public.
    const sdk = s3Client({ ...PUBLIC });
    await expect(sdk.send(new GetObjectCommand({ Bucket, Key: 'secret' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('presigned URLs for anything but one GET/HEAD/PUT of an object → 403 AccessDenied', async () => {
    const Bucket = uniqueBucket();
    await s3Client().send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    const del = await getSignedUrl(signer(), new DeleteObjectCommand({ Bucket, Key: 'k' }), { expiresIn: 60 });
    const denied = await publicFetch(del, { method: 'DELETE' });
    expect(denied.status).toBe(403);
    expect(await xmlCode(denied)).toBe('AccessDenied');
    const multipart = await getSignedUrl(signer(), new CreateMultipartUploadCommand({ Bucket, Key: 'k' }), { expiresIn: 60 });
    expect((await publicFetch(multipart, { method: 'POST' })).status).toBe(403);
    expect(await env.BUCKET.head(`${Bucket}/k`)).not.toBeNull();
  });

  it('answers CORS preflights for browser uploads', async () => {
    const response = await publicFetch(`${ENDPOINT}/b/k?X-Amz-Signature=x`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type');
  });
});
