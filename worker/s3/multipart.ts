/**
 * @module Multipart uploads, which Convex uses for every object it writes (even small ones),
 * over the R2 binding's own multipart API: the upload id is R2's, so no state is kept here.
 * R2 requires every part but the last to have the same size; Convex keeps to that with
 * `STORAGE_MAX_INTERMEDIATE_PART_SIZE=5242880` (its parts then are all 5 MiB).
 */
import { customMetadataOf, httpMetadataOf, uploadBody } from './body.ts';
import { r2KeyOf, type S3Context } from './context.ts';
import { invalidArgument, malformedXml, noSuchUpload, R2_CODE, r2ErrorCode, S3Error } from './errors.ts';
import { parseCompleteMultipartUpload, S3_NAMESPACE, xmlDocument, xmlElement } from './xml.ts';

const MAX_PART_NUMBER = 10_000;
/** A CompleteMultipartUpload body lists at most 10 000 parts of ~150 bytes. */
const MAX_COMPLETE_BODY = 2 * 1024 * 1024;

function xmlResponse(body: string, status = 200): Response {
  return new Response(xmlDocument(body), { status, headers: { 'Content-Type': 'application/xml' } });
}

function uploadIdOf(ctx: S3Context): string {
  const uploadId = ctx.url.searchParams.get('uploadId');
  if (!uploadId) throw invalidArgument('uploadId must be given', 'uploadId', '');
  return uploadId;
}

export async function createMultipartUpload(ctx: S3Context): Promise<Response> {
  const upload = await ctx.bucket.createMultipartUpload(r2KeyOf(ctx), {
    httpMetadata: httpMetadataOf(ctx.request.headers),
    customMetadata: customMetadataOf(ctx.request.headers),
  });
  return xmlResponse(
    xmlElement('InitiateMultipartUploadResult', [xmlElement('Bucket', ctx.bucketName), xmlElement('Key', ctx.key), xmlElement('UploadId', upload.uploadId)], { xmlns: S3_NAMESPACE }),
  );
}

export async function uploadPart(ctx: S3Context): Promise<Response> {
  const uploadId = uploadIdOf(ctx);
  const partNumberText = ctx.url.searchParams.get('partNumber') ?? '';
  const partNumber = /^\d+$/.test(partNumberText) ? Number(partNumberText) : NaN;
  if (!(partNumber >= 1 && partNumber <= MAX_PART_NUMBER)) {
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', partNumberText);
  }
  const body = uploadBody(ctx.request);
  let part: R2UploadedPart;
  try {
    part = await ctx.bucket.resumeMultipartUpload(r2KeyOf(ctx), uploadId).uploadPart(partNumber, body.stream);
  } catch (error) {
    const { error: bodyError } = body.outcome();
    if (bodyError) throw bodyError;
    if (r2ErrorCode(error) === R2_CODE.noSuchUpload) throw noSuchUpload(uploadId);
    throw error;
  }
  const { error, headers } = body.outcome();
  if (error) throw error;
  return new Response(null, { status: 200, headers: { ETag: `"${part.etag}"`, ...headers } });
}

export async function completeMultipartUpload(ctx: S3Context): Promise<Response> {
  const uploadId = uploadIdOf(ctx);
  const declared = Number(ctx.request.headers.get('content-length') ?? '0');
  if (declared > MAX_COMPLETE_BODY) throw malformedXml();
  const text = await ctx.request.text();
  if (text.length > MAX_COMPLETE_BODY) throw malformedXml();
  const parts = parseCompleteMultipartUpload(text);
  if (!parts || parts.length === 0) throw malformedXml();
  for (let i = 1; i < parts.length; i++) {
    if (parts[i]!.partNumber <= parts[i - 1]!.partNumber) {
      throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', { UploadId: uploadId });
    }
  }
  let object: R2Object;
  try {
    object = await ctx.bucket
      .resumeMultipartUpload(r2KeyOf(ctx), uploadId)
      .complete(parts.map(({ partNumber, etag }) => ({ partNumber, etag: etag.replace(/^"|"$/g, '') })));
  } catch (error) {
    switch (r2ErrorCode(error)) {
      case R2_CODE.noSuchUpload:
        throw noSuchUpload(uploadId);
      case R2_CODE.invalidPart:
        throw new S3Error(400, 'InvalidPart', "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", { UploadId: uploadId });
      case R2_CODE.entityTooSmall:
        throw new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', { UploadId: uploadId });
      case R2_CODE.badUpload:
        throw new S3Error(400, 'InvalidRequest', 'R2 requires all parts except the last to be the same size (set STORAGE_MAX_INTERMEDIATE_PART_SIZE=5242880 for Convex).', { UploadId: uploadId });
      default:
        throw error;
    }
  }
  return xmlResponse(
    xmlElement(
      'CompleteMultipartUploadResult',
      [xmlElement('Location', ctx.url.origin + ctx.url.pathname), xmlElement('Bucket', ctx.bucketName), xmlElement('Key', ctx.key), xmlElement('ETag', object.httpEtag)],
      { xmlns: S3_NAMESPACE },
    ),
  );
}

/**
 * Aborting is idempotent, as Convex relies on (storage.rs: abort after abort or after
 * complete succeeds): an upload R2 no longer knows is already gone.
 */
export async function abortMultipartUpload(ctx: S3Context): Promise<Response> {
  const uploadId = uploadIdOf(ctx);
  try {
    await ctx.bucket.resumeMultipartUpload(r2KeyOf(ctx), uploadId).abort();
  } catch (error) {
    if (r2ErrorCode(error) !== R2_CODE.noSuchUpload) throw error;
  }
  return new Response(null, { status: 204 });
}
