/**
 * @module Where the container's S3 calls land: the DO intercepts Convex's outbound HTTP to
 * STORAGE_HOST and hands it to this entrypoint (a loopback binding from `ctx.exports`), which
 * serves the S3 subset over the R2 binding.
 */
import { WorkerEntrypoint } from 'cloudflare:workers';
import type { Env } from '../index.ts';

export interface StorageGatewayProps {
  deployment: string;
}

export class StorageGateway extends WorkerEntrypoint<Env, StorageGatewayProps> {
  override async fetch(_request: Request): Promise<Response> {
    return Response.json({ code: 'NotImplemented', message: 'the S3 endpoint is not mounted yet' }, { status: 501 });
  }
}
