/**
 * @module S3 errors: the code and status S3 answers with, written as S3's XML error body.
 * Handlers throw `S3Error`; the router turns it into the response (HEAD gets no body, as S3).
 */
import { xmlDocument, xmlElement } from './xml.ts';

export class S3Error extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra elements S3 puts in the body (Key, BucketName, UploadId…). */
  readonly details: Record<string, string>;
  /** Extra response headers (Content-Range on 416). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, details: Record<string, string> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export const noSuchKey = (key: string) => new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
export const noSuchBucket = (bucket: string) => new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: bucket });
export const noSuchUpload = (uploadId: string) =>
  new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });
export const invalidRange = (size: number) =>
  new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { ActualObjectSize: String(size) }, { 'Content-Range': `bytes */${size}` });
export const invalidArgument = (message: string, name?: string, value?: string) =>
  new S3Error(400, 'InvalidArgument', message, name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' });
export const malformedXml = () =>
  new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
export const notImplemented = (what: string) =>
  new S3Error(501, 'NotImplemented', `A header or query you provided implies functionality that is not implemented: ${what}.`);
export const accessDenied = (message = 'Access Denied') => new S3Error(403, 'AccessDenied', message);
export const signatureDoesNotMatch = () =>
  new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
export const badDigest = (algorithm: string) =>
  new S3Error(400, 'BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);

/**
 * The R2 binding reports failures only as an Error whose message ends in R2's numeric code,
 * e.g. "uploadPart: The specified multipart upload does not exist. (10024)"; the code is the
 * stable part.
 */
export function r2ErrorCode(error: unknown): number | undefined {
  const match = error instanceof Error ? /\((\d{5,6})\)\s*$/.exec(error.message) : null;
  return match ? Number(match[1]) : undefined;
}

export const R2_CODE = {
  noSuchUpload: 10024,
  invalidPart: 10025,
  entityTooSmall: 10011,
  entityTooLarge: 100100,
  invalidArgument: 10029,
  preconditionFailed: 10031,
  badDigest: 10037,
  invalidRange: 10039,
  /** Parts of unequal sizes: R2 wants every part but the last to be the same size. */
  badUpload: 10048,
} as const;

export function errorResponse(error: S3Error, resource: string, requestId: string, method: string): Response {
  const headers = new Headers({ 'x-amz-request-id': requestId, ...error.headers });
  if (method === 'HEAD') return new Response(null, { status: error.status, headers });
  headers.set('Content-Type', 'application/xml');
  const body = xmlDocument(
    xmlElement('Error', [
      xmlElement('Code', error.code),
      xmlElement('Message', error.message),
      ...Object.entries(error.details).map(([name, value]) => xmlElement(name, value)),
      xmlElement('Resource', resource),
      xmlElement('RequestId', requestId),
    ]),
  );
  return new Response(body, { status: error.status, headers });
}
