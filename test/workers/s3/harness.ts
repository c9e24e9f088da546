/**
 * The real AWS SDK client against our S3 handler inside workerd. The client's request handler
 * turns each serialized request (exactly the bytes it would put on the wire: method, path,
 * query, headers, body) into a `Request` and hands it to `handleS3Request` with the test's R2
 * binding. A socket would add nothing the SDK or the handler can observe, and workerd's fetch
 * cannot reach a listener inside the same test worker anyway.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { DOMParser } from '@xmldom/xmldom';
import { env } from 'cloudflare:workers';
import { handleS3Request, type S3Options } from '../../../worker/s3/handler.ts';

// The SDK resolves to its browser build here, whose XML parser expects the browser's DOMParser;
// workerd has none. xmldom is a strict one, so malformed XML from the handler would fail too.
// Node must be a class: assertion libraries test `value instanceof Node`.
class NodeTypes {
  static readonly ELEMENT_NODE = 1;
  static readonly TEXT_NODE = 3;
}
Object.assign(globalThis, { DOMParser, Node: NodeTypes });

export const ENDPOINT = 'https://convex.example.test/_s3';
export const CREDENTIALS = { accessKeyId: 'convex-dummy-key', secretAccessKey: 'convex-dummy-secret' };

export interface Exchange {
  request: Request;
  response: Response;
}

function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

interface SdkRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** An S3 client whose transport is the handler; `log` collects every exchange. */
export function s3Client(options: Partial<S3Options> & { log?: Exchange[]; clientConfig?: object } = {}): S3Client {
  const { log, clientConfig, ...handlerOptions } = options;
  const s3Options: S3Options = { source: 'container', basePath: '/_s3', ...handlerOptions };
  const bucket = env.BUCKET;
  return new S3Client({
    region: 'auto',
    endpoint: ENDPOINT,
    forcePathStyle: true,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    ...clientConfig,
    requestHandler: {
      async handle(sdk: SdkRequest) {
        const query = Object.entries(sdk.query ?? {})
          .flatMap(([k, v]) => (v === null ? [escapeUri(k)] : (Array.isArray(v) ? v : [v]).map((x) => `${escapeUri(k)}=${escapeUri(x)}`)))
          .join('&');
        const url = `${sdk.protocol}//${sdk.hostname}${sdk.port ? `:${sdk.port}` : ''}${sdk.path}${query ? `?${query}` : ''}`;
        const body = sdk.method === 'GET' || sdk.method === 'HEAD' ? undefined : (sdk.body as BodyInit | undefined);
        const request = new Request(url, { method: sdk.method, headers: sdk.headers, body });
        const response = await handleS3Request(request, bucket, s3Options);
        log?.push({ request, response: response.clone() });
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => (headers[name] = value));
        return { response: { statusCode: response.status, reason: response.statusText, headers, body: response.body ?? new Blob([]).stream() } };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    } as never,
  });
}

export function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export const uniqueBucket = () => `bucket-${crypto.randomUUID().slice(0, 8)}`;

/** Hex SHA-256, to compare large bodies without a deep-equality walk over millions of elements. */
export async function sha256(data: Uint8Array): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource)), (b) => b.toString(16).padStart(2, '0')).join('');
}
