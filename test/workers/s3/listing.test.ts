/**
 * ListObjectsV2 as Convex pages through it (prefix, continuation tokens until IsTruncated is
 * false) and DeleteObjects, with keys that need XML escaping.
 */
import { DeleteObjectsCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { handleS3Request } from '../../../worker/s3/handler.ts';
import { ENDPOINT, s3Client, uniqueBucket, type Exchange } from './harness.ts';

async function fill(Bucket: string, keys: string[]) {
  const s3 = s3Client();
  for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
  return s3;
}

describe('ListObjectsV2', () => {
  it('lists under a prefix with sizes, ETags and dates, and no other bucket leaks in', async () => {
    const Bucket = uniqueBucket();
    const s3 = await fill(Bucket, ['inst/a', 'inst/b/c', 'other/x', 'inst-not/y']);
    await fill(`${Bucket}-2`, ['inst/zzz']);
    const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'inst/' }));
    expect(page.Contents!.map((o) => [o.Key, o.Size])).toEqual([['inst/a', 6], ['inst/b/c', 8]]);
    expect(page.KeyCount).toBe(2);
    expect(page.IsTruncated).toBe(false);
    expect(page.Prefix).toBe('inst/');
    expect(page.Name).toBe(Bucket);
    expect(page.Contents![0]!.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(page.Contents![0]!.LastModified).toBeInstanceOf(Date);
    expect(page.Contents![0]!.StorageClass).toBe('STANDARD');
  });

  it('pages with max-keys and continuation tokens, as the paginator Convex uses does', async () => {
    const Bucket = uniqueBucket();
    const keys = Array.from({ length: 7 }, (_, i) => `p/${String(i).padStart(2, '0')}`);
    const log: Exchange[] = [];
    await fill(Bucket, keys);
    const s3 = s3Client({ log });
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket, Prefix: 'p/' })) {
      pages++;
      expect(page.MaxKeys).toBe(3);
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(seen).toEqual(keys);
    expect(pages).toBe(3);
    const urls = log.map((e) => new URL(e.request.url));
    expect(urls[0]!.searchParams.get('list-type')).toBe('2');
    expect(urls[1]!.searchParams.get('continuation-token')).toBeTruthy();
    const xml = await log[1]!.response.text();
    expect(xml).toMatch(/<ContinuationToken>[^<]+<\/ContinuationToken><NextContinuationToken>[^<]+<\/NextContinuationToken>/);
  });

  it('groups by delimiter into CommonPrefixes, honours start-after and max-keys=0', async () => {
    const Bucket = uniqueBucket();
    const s3 = await fill(Bucket, ['d/1', 'd/sub/2', 'd/sub/3', 'd/zz/4', 'd/5']);
    const grouped = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'd/', Delimiter: '/' }));
    expect(grouped.Contents!.map((o) => o.Key)).toEqual(['d/1', 'd/5']);
    expect(grouped.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['d/sub/', 'd/zz/']);
    expect(grouped.KeyCount).toBe(4);
    const after = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'd/', StartAfter: 'd/sub/2' }));
    expect(after.Contents!.map((o) => o.Key)).toEqual(['d/sub/3', 'd/zz/4']);
    const none = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 0 }));
    expect(none.KeyCount).toBe(0);
    expect(none.Contents).toBeUndefined();
    expect(none.IsTruncated).toBe(false);
  });

  it('escapes keys in XML, or URL-encodes them with encoding-type=url', async () => {
    const Bucket = uniqueBucket();
    const key = 'x/a&b<c>"d\' e';
    const log: Exchange[] = [];
    await fill(Bucket, [key]);
    const s3 = s3Client({ log });
    const plain = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(plain.Contents!.map((o) => o.Key)).toEqual([key]);
    expect(await log[0]!.response.text()).toContain('<Key>x/a&amp;b&lt;c&gt;&quot;d&apos; e</Key>');
    const encoded = await s3.send(new ListObjectsV2Command({ Bucket, EncodingType: 'url' }));
    expect(encoded.EncodingType).toBe('url');
    expect(decodeURIComponent(encoded.Contents![0]!.Key!)).toBe(key);
  });

  it('a bad max-keys or encoding-type → 400 InvalidArgument', async () => {
    const Bucket = uniqueBucket();
    await fill(Bucket, ['k']);
    for (const query of ['list-type=2&max-keys=-1', 'list-type=2&max-keys=abc', 'list-type=2&encoding-type=base64']) {
      const response = await handleS3Request(new Request(`${ENDPOINT}/${Bucket}?${query}`), env.BUCKET, { source: 'container', basePath: '/_s3' });
      expect(response.status, query).toBe(400);
      expect(await response.text()).toContain('<Code>InvalidArgument</Code>');
    }
  });
});

describe('DeleteObjects', () => {
  it('deletes listed keys (present or not) and reports each; Quiet reports none', async () => {
    const Bucket = uniqueBucket();
    const s3 = await fill(Bucket, ['a', 'b&c', 'keep']);
    const result = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'a' }, { Key: 'b&c' }, { Key: 'never-existed' }] } }));
    expect(result.Deleted!.map((d) => d.Key)).toEqual(['a', 'b&c', 'never-existed']);
    expect(result.Errors).toBeUndefined();
    const left = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(left.Contents!.map((o) => o.Key)).toEqual(['keep']);
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'keep' }], Quiet: true } }));
    expect(quiet.Deleted).toBeUndefined();
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).KeyCount).toBe(0);
  });

  it('a body whose checksum does not match, or that is not a Delete document, is refused', async () => {
    const Bucket = uniqueBucket();
    await fill(Bucket, ['a']);
    const post = (body: string, headers: Record<string, string> = {}) =>
      handleS3Request(new Request(`${ENDPOINT}/${Bucket}?delete`, { method: 'POST', body, headers }), env.BUCKET, { source: 'container', basePath: '/_s3' });
    const tampered = await post('<Delete><Object><Key>a</Key></Object></Delete>', { 'x-amz-checksum-crc32': 'AAAAAA==' });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('<Code>BadDigest</Code>');
    const wrongRoot = await post('<Remove><Object><Key>a</Key></Object></Remove>');
    expect(wrongRoot.status).toBe(400);
    expect(await wrongRoot.text()).toContain('<Code>MalformedXML</Code>');
    expect(await env.BUCKET.head(`${Bucket}/a`)).not.toBeNull();
  });
});

describe('HeadBucket', () => {
  it('200 for a configured bucket, 404 for another', async () => {
    const s3 = s3Client({ buckets: ['convex'] });
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'convex' }))).$metadata.httpStatusCode).toBe(200);
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'other' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });
});
