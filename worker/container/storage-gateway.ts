/**
 * @module Where the container's S3 calls land. The DO intercepts Convex's outbound HTTP to
 * STORAGE_HOST and hands it to this entrypoint (a loopback binding from `ctx.exports`, its
 * props naming the deployment), which serves the S3 subset over the R2 binding. Only the
 * container reaches it, so the dummy credentials Convex signs with are not checked.
 */
import { WorkerEntrypoint } from 'cloudflare:workers';
import { handleS3Request } from '../s3/handler.ts';
import type { StorageSettings } from './env.ts';

/** The host Convex's S3 client calls (plain HTTP, port 80: what outbound interception takes). */
export const STORAGE_HOST = 'storage.convex.internal';
/** The one bucket name Convex is given for all five of its buckets. */
export const STORAGE_BUCKET = 'convex';

export interface StorageGatewayProps {
  deployment: string;
}

/** The storage settings every container gets; credentials are placeholders S3 clients insist on. */
export const STORAGE_SETTINGS: StorageSettings = {
  endpoint: `http://${STORAGE_HOST}`,
  bucket: STORAGE_BUCKET,
  region: 'auto',
  accessKeyId: 'convex',
  secretAccessKey: 'not-checked-inside-the-container',
};

/** R2 keys of a deployment: `<deployment>/<bucket>/<Convex's key>`, so deployments share one R2 bucket. */
export function storageKeyPrefix(deployment: string): string {
  return `${deployment}/`;
}

export class StorageGateway extends WorkerEntrypoint<Cloudflare.Env, StorageGatewayProps> {
  override async fetch(request: Request): Promise<Response> {
    const { deployment } = this.ctx.props;
    if (!deployment) return new Response('storage gateway: no deployment named', { status: 500 });
    return handleS3Request(request, this.env.BUCKET, { source: 'container', buckets: [STORAGE_BUCKET], keyPrefix: storageKeyPrefix(deployment) });
  }
}
