/** @module What every S3 operation is handed: the request, the bucket, and where its key lives in R2. */

export interface S3Context {
  request: Request;
  url: URL;
  bucket: R2Bucket;
  /** The S3 bucket name from the path. */
  bucketName: string;
  /** The S3 object key ('' for bucket operations). */
  key: string;
  /** R2 key prefix of this S3 bucket: the configured prefix, then `<bucket>/`. */
  r2Prefix: string;
}

export const r2KeyOf = (ctx: S3Context, key = ctx.key) => ctx.r2Prefix + key;
