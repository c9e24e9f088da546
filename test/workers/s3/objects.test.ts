/**
 * Single-object operations through the real AWS SDK (as Convex's Rust SDK calls them: path
 * style, dummy credentials, CRC-32 checksums): PutObject, GetObject with ranges, HeadObject,
 * DeleteObject, and S3's error bodies.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { handleS3Request } from '../../../worker/s3/handler.ts';
import { bytes, ENDPOINT, s3Client, sha256, uniqueBucket, type Exchange } from './harness.ts';

async function sdkError(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('PutObject / GetObject / HeadObject / DeleteObject', () => {
  it('round-trips bytes, content type and user metadata; keys keep spaces, slashes and unicode', async () => {
    const s3 = s3Client();
    const Bucket = uniqueBucket();
    const Key = 'modules/a b+c/ü€ (1).js';
    const body = bytes(70_000);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentType: 'application/javascript', Metadata: { origin: 'test' } }));
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);

    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(got.ContentLength).toBe(70_000);
    expect(got.ContentType).toBe('application/javascript');
    expect(got.Metadata).toEqual({ origin: 'test' });
    expect(got.ETag).toBe(put.ETag);
    expect(await got.Body!.transformToByteArray()).toEqual(body);

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ContentLength).toBe(70_000);
    expect(head.ETag).toBe(put.ETag);
    expect(head.LastModified).toBeInstanceOf(Date);

    // Stored under <bucket>/<key> in R2, so buckets sharing the binding stay apart.
    expect((await env.BUCKET.head(`${Bucket}/${Key}`))?.size).toBe(70_000);

    await s3.send(new DeleteObjectCommand({ Bucket, Key }));
    expect((await sdkError(s3.send(new GetObjectCommand({ Bucket, Key })))).name).toBe('NoSuchKey');
    await s3.send(new DeleteObjectCommand({ Bucket, Key })); // deleting a missing key succeeds, as in S3
  });

  it('echoes the CRC-32 it verified, and keeps the key prefix it is given', async () => {
    const log: Exchange[] = [];
    const s3 = s3Client({ log, keyPrefix: 'deployment-7/' });
    const Bucket = uniqueBucket();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'x', Body: 'hello' }));
    expect(log[0]!.request.headers.get('x-amz-checksum-crc32')).toBe('NhCmhg==');
    expect(log[0]!.response.headers.get('x-amz-checksum-crc32')).toBe('NhCmhg==');
    expect(await (await env.BUCKET.get(`deployment-7/${Bucket}/x`))?.text()).toBe('hello');
  });

  it('streams a 12 MiB body in and out', async () => {
    const s3 = s3Client();
    const Bucket = uniqueBucket();
    const body = bytes(12 * 1024 * 1024, 7);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'big', Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'big' }));
    const read = await got.Body!.transformToByteArray();
    expect(read.length).toBe(body.length);
    expect(await sha256(read)).toBe(await sha256(body));
  });

  it('answers a missing key with 404 NoSuchKey and S3 XML; HEAD with a bare 404', async () => {
    const log: Exchange[] = [];
    const s3 = s3Client({ log });
    const error = await sdkError(s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'nope' })));
    expect(error.name).toBe('NoSuchKey');
    expect(error.$metadata.httpStatusCode).toBe(404);
    const xml = await log[0]!.response.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>nope<\/Key><Resource>\/b\/nope<\/Resource><RequestId>[0-9A-F]{16}<\/RequestId><\/Error>$/);
    expect(log[0]!.response.headers.get('content-type')).toBe('application/xml');

    const head = await sdkError(s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'nope' })));
    expect(head.name).toBe('NotFound');
    expect(head.$metadata.httpStatusCode).toBe(404);
    expect(log[1]!.response.body).toBeNull();
  });

  it('refuses buckets it was not configured with', async () => {
    const s3 = s3Client({ buckets: ['convex-files'] });
    const error = await sdkError(s3.send(new GetObjectCommand({ Bucket: 'other', Key: 'k' })));
    expect(error.name).toBe('NoSuchBucket');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('accepts container requests whatever their signature: they never come from the internet', async () => {
    const s3 = s3Client({ clientConfig: { credentials: { accessKeyId: 'anything', secretAccessKey: 'wrong' } } });
    const Bucket = uniqueBucket();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'k' }))).ContentLength).toBe(1);
  });
});

describe('GetObject with Range', () => {
  const Bucket = uniqueBucket();
  const body = bytes(1000, 3);
  const s3 = s3Client();
  const ready = s3.send(new PutObjectCommand({ Bucket, Key: 'obj', Body: body })).then(() => s3.send(new PutObjectCommand({ Bucket, Key: 'empty', Body: new Uint8Array(0) })));

  it.each([
    ['bytes=0-9', 0, 9],
    ['bytes=990-', 990, 999],
    ['bytes=995-2000', 995, 999],
    ['bytes=-10', 990, 999],
    ['bytes=-5000', 0, 999],
    ['bytes=999-999', 999, 999],
  ])('%s → 206, bytes %i-%i/1000', async (Range, first, last) => {
    await ready;
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'obj', Range }));
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect(got.ContentRange).toBe(`bytes ${first}-${last}/1000`);
    expect(got.ContentLength).toBe(last - first + 1);
    expect(await got.Body!.transformToByteArray()).toEqual(body.subarray(first, last + 1));
  });

  it.each(['bytes=1000-', 'bytes=1000-1001', 'bytes=5000-6000', 'bytes=-0'])('%s → 416 InvalidRange with the size', async (Range) => {
    await ready;
    const log: Exchange[] = [];
    const error = await sdkError(s3Client({ log }).send(new GetObjectCommand({ Bucket, Key: 'obj', Range })));
    expect(error.name).toBe('InvalidRange');
    expect(error.$metadata.httpStatusCode).toBe(416);
    expect(log[0]!.response.headers.get('content-range')).toBe('bytes */1000');
    expect(await log[0]!.response.text()).toContain('<ActualObjectSize>1000</ActualObjectSize>');
  });

  it.each(['bytes=0-0', 'bytes=0-', 'bytes=-1'])('an empty object: %s → 416', async (Range) => {
    await ready;
    const error = await sdkError(s3.send(new GetObjectCommand({ Bucket, Key: 'empty', Range })));
    expect(error.name).toBe('InvalidRange');
    expect(error.$metadata.httpStatusCode).toBe(416);
    const whole = await s3.send(new GetObjectCommand({ Bucket, Key: 'empty' }));
    expect(whole.ContentLength).toBe(0);
    expect((await whole.Body!.transformToByteArray()).length).toBe(0);
  });

  it('ignores a Range S3 would ignore (several ranges, other units) and sends everything', async () => {
    await ready;
    for (const Range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=9-3']) {
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'obj', Range }));
      expect(got.$metadata.httpStatusCode).toBe(200);
      expect(got.ContentLength).toBe(1000);
      await got.Body!.transformToByteArray();
    }
  });

  it('a missing key with a Range is still NoSuchKey', async () => {
    expect((await sdkError(s3.send(new GetObjectCommand({ Bucket, Key: 'absent', Range: 'bytes=0-9' })))).name).toBe('NoSuchKey');
  });

  it('HeadObject with Range reports the part, as S3', async () => {
    await ready;
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'obj', Range: 'bytes=10-19' }));
    expect(head.ContentRange).toBe('bytes 10-19/1000');
    expect(head.ContentLength).toBe(10);
  });

  it('conditional GETs: If-None-Match → 304, If-Match mismatch → 412', async () => {
    await ready;
    const { ETag } = await s3.send(new HeadObjectCommand({ Bucket, Key: 'obj' }));
    const url = `${ENDPOINT}/${Bucket}/obj`;
    const notModified = await handleS3Request(new Request(url, { headers: { 'If-None-Match': ETag! } }), env.BUCKET, { source: 'container', basePath: '/_s3' });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(ETag);
    const failed = await handleS3Request(new Request(url, { headers: { 'If-Match': '"0000"' } }), env.BUCKET, { source: 'container', basePath: '/_s3' });
    expect(failed.status).toBe(412);
    expect(await failed.text()).toContain('<Code>PreconditionFailed</Code>');
    const matched = await handleS3Request(new Request(url, { headers: { 'If-Match': ETag!, Range: 'bytes=0-1' } }), env.BUCKET, { source: 'container', basePath: '/_s3' });
    expect(matched.status).toBe(206);
    expect(new Uint8Array(await matched.arrayBuffer())).toEqual(body.subarray(0, 2));
  });
});

describe('upload integrity', () => {
  const put = (Bucket: string, init: RequestInit & { headers: Record<string, string> }) =>
    handleS3Request(new Request(`${ENDPOINT}/${Bucket}/k`, { method: 'PUT', ...init }), env.BUCKET, { source: 'container', basePath: '/_s3' });

  it('a CRC-32 that does not match the body → 400 BadDigest, nothing stored', async () => {
    const Bucket = uniqueBucket();
    const response = await put(Bucket, { body: 'hello', headers: { 'content-length': '5', 'x-amz-checksum-crc32': 'AAAAAA==' } });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>BadDigest</Code>');
    expect(await env.BUCKET.head(`${Bucket}/k`)).toBeNull();
  });

  it('a Content-MD5 that does not match → 400 BadDigest (checked by R2)', async () => {
    const Bucket = uniqueBucket();
    const response = await put(Bucket, { body: 'hello', headers: { 'content-length': '5', 'content-md5': btoa('0123456789abcdef') } });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>BadDigest</Code>');
    expect(await env.BUCKET.head(`${Bucket}/k`)).toBeNull();
  });

  it('a body shorter or longer than Content-Length → 400 IncompleteBody; none → 411', async () => {
    const Bucket = uniqueBucket();
    const short = await put(Bucket, { body: 'hello', headers: { 'content-length': '9' } });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('<Code>IncompleteBody</Code>');
    const long = await put(Bucket, { body: 'hello', headers: { 'content-length': '3' } });
    expect(long.status).toBe(400);
    expect(await env.BUCKET.head(`${Bucket}/k`)).toBeNull();
    const missing = await put(Bucket, { body: new Blob(['x']).stream(), headers: {} });
    expect(missing.status).toBe(411);
    expect(await missing.text()).toContain('<Code>MissingContentLength</Code>');
  });

  it('operations Convex never calls say NotImplemented rather than guess', async () => {
    const Bucket = uniqueBucket();
    const copy = await put(Bucket, { body: '', headers: { 'content-length': '0', 'x-amz-copy-source': '/b/other' } });
    expect(copy.status).toBe(501);
    expect(await copy.text()).toContain('<Code>NotImplemented</Code>');
    const acl = await handleS3Request(new Request(`${ENDPOINT}/${Bucket}/k?acl`), env.BUCKET, { source: 'container', basePath: '/_s3' });
    expect(acl.status).toBe(501);
  });
});
