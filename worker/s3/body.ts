/**
 * @module An upload body on its way to R2, streamed, never buffered whole: aws-chunked framing
 * removed, CRC-32 checked when the client sent one, and the length fixed in advance, which the
 * R2 binding requires of a stream.
 */
import { AwsChunkedDecoder } from './aws-chunked.ts';
import { crc32Base64, crc32Update } from './crc32.ts';
import { badDigest, S3Error } from './errors.ts';

export interface UploadBody {
  stream: ReadableStream<Uint8Array>;
  length: number;
  /**
   * After the write settled: the error to answer with if the body was not what was declared
   * (checksum or framing), and the checksum headers to echo on success.
   */
  outcome(): { error: S3Error | null; headers: Record<string, string> };
}

const CRC32_HEADER = 'x-amz-checksum-crc32';

function declaredLength(value: string | null): number | null {
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value) : null;
}

export function isAwsChunked(headers: Headers): boolean {
  return /(^|,)\s*aws-chunked\s*(,|$)/i.test(headers.get('content-encoding') ?? '') || (headers.get('x-amz-content-sha256') ?? '').startsWith('STREAMING-');
}

/**
 * `source.pipeThrough(transform)`, with the pipe's own rejection handled: a failed upload
 * errors every stage, and workerd reports an unobserved pipe rejection as uncaught. The
 * failure itself reaches the caller through the last stage.
 */
function through(source: ReadableStream<Uint8Array>, transform: TransformStream<Uint8Array, Uint8Array>): ReadableStream<Uint8Array> {
  source.pipeTo(transform.writable).catch(() => {});
  return transform.readable;
}

export function uploadBody(request: Request): UploadBody {
  const chunked = isAwsChunked(request.headers);
  const length = declaredLength(request.headers.get(chunked ? 'x-amz-decoded-content-length' : 'content-length'));
  if (length === null) {
    throw chunked
      ? new S3Error(411, 'MissingContentLength', 'aws-chunked uploads must send x-amz-decoded-content-length.')
      : new S3Error(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
  }

  let stream: ReadableStream<Uint8Array> = request.body ?? new Blob([]).stream();
  let decoder: AwsChunkedDecoder | null = null;
  if (chunked) {
    decoder = new AwsChunkedDecoder();
    stream = through(stream, decoder.stream);
  }

  // A checksum arrives as a header, or (streamed) as a trailer named in x-amz-trailer.
  const trailerNames = (request.headers.get('x-amz-trailer') ?? '').toLowerCase().split(',').map((s) => s.trim());
  const wantsCrc = request.headers.has(CRC32_HEADER) || trailerNames.includes(CRC32_HEADER);
  // Failures are recorded here, synchronously, before the stream errors: R2's own error for
  // an errored source stream says nothing about why.
  let failure: S3Error | null = null;
  let received = 0;
  let crc = 0;
  let computed = null as string | null;
  const fail = (error: S3Error): never => {
    failure = error;
    throw error;
  };
  const incomplete = (why: string) => new S3Error(400, 'IncompleteBody', `The request body does not match its declared length or framing: ${why}`);
  // The newest chunk is held back until the next one arrives, and the last one until the
  // length and checksum are verified: R2 completes a write as soon as it has `length` bytes,
  // so a bad body must fail before its last byte is passed on.
  let held: Uint8Array | null = null;
  stream = through(
    stream,
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.length;
        if (received > length) fail(incomplete(`more than ${length} bytes`));
        if (wantsCrc) crc = crc32Update(crc, chunk);
        if (held) controller.enqueue(held);
        held = chunk;
      },
      flush(controller) {
        if (received !== length) fail(incomplete(`${received} of ${length} bytes`));
        if (wantsCrc) {
          computed = crc32Base64(crc);
          const expected = request.headers.get(CRC32_HEADER) ?? decoder?.trailers.get(CRC32_HEADER);
          if (expected !== computed) fail(badDigest('CRC32 checksum'));
        }
        if (held) controller.enqueue(held);
      },
    }),
  );

  const fixed = new FixedLengthStream(length);
  stream.pipeTo(fixed.writable).catch((error: unknown) => {
    // The aws-chunked decoder's own errors (bad framing) arrive only here.
    failure ??= incomplete(error instanceof Error ? error.message : String(error));
  });

  return {
    stream: fixed.readable,
    length,
    outcome: (): { error: S3Error | null; headers: Record<string, string> } => {
      const error = failure ?? (decoder?.error ? incomplete(decoder.error) : null);
      return error ? { error, headers: {} } : { error: null, headers: computed === null ? {} : { [CRC32_HEADER]: computed } };
    },
  };
}

/** What R2 stores as HTTP metadata: the request's content headers, aws-chunked removed. */
export function httpMetadataOf(headers: Headers): R2HTTPMetadata {
  const encoding = (headers.get('content-encoding') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked')
    .join(', ');
  const metadata: R2HTTPMetadata = {};
  const set = <K extends keyof R2HTTPMetadata>(key: K, value: R2HTTPMetadata[K] | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') metadata[key] = value;
  };
  set('contentType', headers.get('content-type'));
  set('contentDisposition', headers.get('content-disposition'));
  set('contentLanguage', headers.get('content-language'));
  set('cacheControl', headers.get('cache-control'));
  set('contentEncoding', encoding);
  const expires = headers.get('expires');
  if (expires && !Number.isNaN(Date.parse(expires))) metadata.cacheExpiry = new Date(expires);
  return metadata;
}

/** `x-amz-meta-*` request headers, as R2 custom metadata. */
export function customMetadataOf(headers: Headers): Record<string, string> {
  const metadata: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.toLowerCase().startsWith('x-amz-meta-')) metadata[name.toLowerCase().slice('x-amz-meta-'.length)] = value;
  });
  return metadata;
}
