/**
 * Multipart uploads as Convex drives them (storage.rs): CreateMultipartUpload with SSE and a
 * CRC-32 checksum algorithm, parts uploaded in parallel (so out of order), CompleteMultipartUpload
 * with the parts sorted, AbortMultipartUpload that must be idempotent, and the client-driven
 * upload that completes with one empty part.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { handleS3Request } from '../../../worker/s3/handler.ts';
import { bytes, ENDPOINT, s3Client, sha256, uniqueBucket } from './harness.ts';

const MiB = 1024 * 1024;

async function sdkError(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

async function start(Bucket: string, Key: string) {
  const s3 = s3Client();
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ServerSideEncryption: 'AES256', ChecksumAlgorithm: 'CRC32', ContentType: 'application/zip' }));
  expect(UploadId).toBeTruthy();
  const upload = (PartNumber: number, Body: Uint8Array) => s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body, ChecksumAlgorithm: 'CRC32' }));
  return { s3, UploadId: UploadId!, upload };
}

describe('multipart uploads', () => {
  it('parts uploaded out of order in parallel, completed sorted, read back whole', async () => {
    const Bucket = uniqueBucket();
    const { s3, UploadId, upload } = await start(Bucket, 'search/segment.tar');
    const parts = [bytes(5 * MiB, 1), bytes(5 * MiB, 2), bytes(1234, 3)];
    const [second, first, third] = await Promise.all([upload(2, parts[1]!), upload(1, parts[0]!), upload(3, parts[2]!)]);
    for (const part of [first, second, third]) {
      expect(part!.ETag).toMatch(/^".+"$/);
      expect(part!.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket, Key: 'search/segment.tar', UploadId,
        MultipartUpload: { Parts: [first, second, third].map((p, i) => ({ PartNumber: i + 1, ETag: p!.ETag, ChecksumCRC32: p!.ChecksumCRC32 })) },
      }),
    );
    expect(done.Key).toBe('search/segment.tar');
    expect(done.Bucket).toBe(Bucket);
    expect(done.ETag).toMatch(/^"[0-9a-f]+-3"$/);

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'search/segment.tar' }));
    expect(head.ContentLength).toBe(10 * MiB + 1234);
    expect(head.ContentType).toBe('application/zip');
    const whole = new Uint8Array(10 * MiB + 1234);
    whole.set(parts[0]!, 0);
    whole.set(parts[1]!, 5 * MiB);
    whole.set(parts[2]!, 10 * MiB);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'search/segment.tar' }));
    expect(await sha256(await got.Body!.transformToByteArray())).toBe(await sha256(whole));
    // A range across the part boundary, as Convex's ranged reads of search segments do.
    const across = await s3.send(new GetObjectCommand({ Bucket, Key: 'search/segment.tar', Range: `bytes=${5 * MiB - 3}-${5 * MiB + 2}` }));
    expect(across.ContentRange).toBe(`bytes ${5 * MiB - 3}-${5 * MiB + 2}/${10 * MiB + 1234}`);
    expect(Array.from(await across.Body!.transformToByteArray())).toEqual(Array.from(whole.subarray(5 * MiB - 3, 5 * MiB + 3)));
  });

  it("Convex's client-driven upload with no parts: one empty part, an empty object", async () => {
    const Bucket = uniqueBucket();
    const { s3, UploadId, upload } = await start(Bucket, 'empty');
    const part = await upload(1, new Uint8Array(0));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'empty', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'empty' }));
    expect(got.ContentLength).toBe(0);
    expect((await got.Body!.transformToByteArray()).length).toBe(0);
  });

  it('abort is idempotent (after abort, after complete); the upload is gone', async () => {
    const Bucket = uniqueBucket();
    const { s3, UploadId, upload } = await start(Bucket, 'k');
    await upload(1, bytes(100));
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'k', UploadId }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'k', UploadId }));
    const late = await sdkError(upload(2, bytes(100)));
    expect(late.name).toBe('NoSuchUpload');
    expect(late.$metadata.httpStatusCode).toBe(404);
    const complete = await sdkError(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'k', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"x"' }] } })));
    expect(complete.name).toBe('NoSuchUpload');

    const second = await start(Bucket, 'k2');
    const part = await second.upload(1, bytes(10));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'k2', UploadId: second.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'k2', UploadId: second.UploadId }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: 'k2' }))).ContentLength).toBe(10);
  });

  it('an unknown upload id → 404 NoSuchUpload', async () => {
    const s3 = s3Client();
    const error = await sdkError(s3.send(new UploadPartCommand({ Bucket: 'b', Key: 'k', UploadId: 'not-an-upload', PartNumber: 1, Body: bytes(10) })));
    expect(error.name).toBe('NoSuchUpload');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('a wrong ETag → InvalidPart; parts out of order → InvalidPartOrder; too small a part → EntityTooSmall', async () => {
    const Bucket = uniqueBucket();
    const { s3, UploadId, upload } = await start(Bucket, 'k');
    const one = await upload(1, bytes(5 * MiB, 4));
    const two = await upload(2, bytes(10, 5));
    const complete = (Parts: { PartNumber: number; ETag?: string }[]) => sdkError(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'k', UploadId, MultipartUpload: { Parts } })));
    expect((await complete([{ PartNumber: 1, ETag: '"0123"' }, { PartNumber: 2, ETag: two.ETag }])).name).toBe('InvalidPart');
    const order = await complete([{ PartNumber: 2, ETag: two.ETag }, { PartNumber: 1, ETag: one.ETag }]);
    expect(order.name).toBe('InvalidPartOrder');
    expect(order.$metadata.httpStatusCode).toBe(400);

    const small = await start(Bucket, 'small');
    const a = await small.upload(1, bytes(1000));
    const b = await small.upload(2, bytes(1000));
    const tooSmall = await sdkError(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'small', UploadId: small.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: a.ETag }, { PartNumber: 2, ETag: b.ETag }] } })));
    expect(tooSmall.name).toBe('EntityTooSmall');
  });

  it("R2's equal-part rule is reported, not hidden", async () => {
    const Bucket = uniqueBucket();
    const { s3, UploadId, upload } = await start(Bucket, 'k');
    const parts = [await upload(1, bytes(5 * MiB)), await upload(2, bytes(5 * MiB + 1)), await upload(3, bytes(10))];
    const error = await sdkError(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'k', UploadId, MultipartUpload: { Parts: parts.map((p, i) => ({ PartNumber: i + 1, ETag: p.ETag })) } })));
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain('STORAGE_MAX_INTERMEDIATE_PART_SIZE');
  });

  it('part numbers outside 1..10000 and empty part lists are refused', async () => {
    const Bucket = uniqueBucket();
    const { UploadId } = await start(Bucket, 'k');
    for (const n of ['0', '10001', 'x']) {
      const response = await handleS3Request(
        new Request(`${ENDPOINT}/${Bucket}/k?partNumber=${n}&uploadId=${encodeURIComponent(UploadId)}`, { method: 'PUT', body: 'x', headers: { 'content-length': '1' } }),
        env.BUCKET,
        { source: 'container', basePath: '/_s3' },
      );
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('<Code>InvalidArgument</Code>');
    }
    const empty = await handleS3Request(
      new Request(`${ENDPOINT}/${Bucket}/k?uploadId=${encodeURIComponent(UploadId)}`, { method: 'POST', body: '<CompleteMultipartUpload></CompleteMultipartUpload>' }),
      env.BUCKET,
      { source: 'container', basePath: '/_s3' },
    );
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('<Code>MalformedXML</Code>');
  });
});
