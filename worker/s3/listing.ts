/** @module Bucket operations: ListObjectsV2 and DeleteObjects. */
import { r2KeyOf, type S3Context } from './context.ts';
import { crc32Base64, crc32Update } from './crc32.ts';
import { badDigest, invalidArgument, malformedXml, R2_CODE, r2ErrorCode } from './errors.ts';
import { parseDelete, S3_NAMESPACE, xmlDocument, xmlElement } from './xml.ts';

const MAX_KEYS = 1000;
/** A Delete body names at most 1000 keys of at most 1 KiB. */
const MAX_DELETE_BODY = 2 * 1024 * 1024;

function xmlResponse(body: string): Response {
  return new Response(xmlDocument(body), { status: 200, headers: { 'Content-Type': 'application/xml' } });
}

export async function listObjectsV2(ctx: S3Context): Promise<Response> {
  const params = ctx.url.searchParams;
  const prefix = params.get('prefix') ?? '';
  const delimiter = params.get('delimiter') ?? undefined;
  const token = params.get('continuation-token') ?? undefined;
  const startAfter = params.get('start-after') ?? undefined;
  const encodingType = params.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
  const maxKeysText = params.get('max-keys') ?? String(MAX_KEYS);
  if (!/^\d+$/.test(maxKeysText)) throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', maxKeysText);
  const maxKeys = Math.min(Number(maxKeysText), MAX_KEYS);
  const encode = (text: string) => (encodingType === 'url' ? encodeURIComponent(text) : text);

  let objects: R2Object[] = [];
  let prefixes: string[] = [];
  let next: string | undefined;
  if (maxKeys > 0) {
    let listed: R2Objects;
    try {
      listed = await ctx.bucket.list({
        prefix: r2KeyOf(ctx, prefix),
        limit: maxKeys,
        delimiter,
        // S3 ignores start-after once a continuation token is given.
        ...(token !== undefined ? { cursor: token } : startAfter !== undefined ? { startAfter: r2KeyOf(ctx, startAfter) } : {}),
      });
    } catch (error) {
      if (token !== undefined && r2ErrorCode(error) === R2_CODE.invalidArgument) {
        throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
      }
      throw error;
    }
    objects = listed.objects;
    prefixes = listed.delimitedPrefixes;
    next = listed.truncated ? listed.cursor : undefined;
  }

  const strip = (r2Key: string) => r2Key.slice(ctx.r2Prefix.length);
  const optional = (name: string, value: string | undefined) => (value === undefined ? [] : [xmlElement(name, value)]);
  return xmlResponse(
    xmlElement(
      'ListBucketResult',
      [
        xmlElement('Name', ctx.bucketName),
        xmlElement('Prefix', encode(prefix)),
        ...optional('Delimiter', delimiter === undefined ? undefined : encode(delimiter)),
        xmlElement('MaxKeys', String(maxKeys)),
        ...optional('EncodingType', encodingType ?? undefined),
        xmlElement('KeyCount', String(objects.length + prefixes.length)),
        xmlElement('IsTruncated', String(next !== undefined)),
        ...optional('ContinuationToken', token),
        ...optional('NextContinuationToken', next),
        ...optional('StartAfter', startAfter === undefined ? undefined : encode(startAfter)),
        ...objects.map((object) =>
          xmlElement('Contents', [
            xmlElement('Key', encode(strip(object.key))),
            xmlElement('LastModified', object.uploaded.toISOString()),
            xmlElement('ETag', object.httpEtag),
            xmlElement('Size', String(object.size)),
            xmlElement('StorageClass', 'STANDARD'),
          ]),
        ),
        ...prefixes.map((p) => xmlElement('CommonPrefixes', [xmlElement('Prefix', encode(strip(p)))])),
      ],
      { xmlns: S3_NAMESPACE },
    ),
  );
}

async function md5Base64(bytes: Uint8Array): Promise<string> {
  return btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('MD5', bytes as BufferSource))));
}

export async function deleteObjects(ctx: S3Context): Promise<Response> {
  if (Number(ctx.request.headers.get('content-length') ?? '0') > MAX_DELETE_BODY) throw malformedXml();
  const bytes = new Uint8Array(await ctx.request.arrayBuffer());
  if (bytes.length > MAX_DELETE_BODY) throw malformedXml();
  const crc = ctx.request.headers.get('x-amz-checksum-crc32');
  if (crc !== null && crc !== crc32Base64(crc32Update(0, bytes))) throw badDigest('CRC32 checksum');
  const md5 = ctx.request.headers.get('content-md5');
  if (md5 !== null && md5 !== (await md5Base64(bytes))) throw badDigest('Content-MD5');
  const request = parseDelete(new TextDecoder().decode(bytes));
  if (!request || request.keys.length === 0 || request.keys.length > MAX_KEYS) throw malformedXml();
  await ctx.bucket.delete(request.keys.map((key) => r2KeyOf(ctx, key)));
  return xmlResponse(
    xmlElement('DeleteResult', request.quiet ? [] : request.keys.map((key) => xmlElement('Deleted', [xmlElement('Key', key)])), { xmlns: S3_NAMESPACE }),
  );
}
