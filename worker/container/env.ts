/**
 * @module The container's environment: what the entrypoint, the shim and Convex's own
 * `run_backend.sh` read. Pure: the Deployment DO supplies the values.
 */

export interface StorageSettings {
  /** Where Convex sends S3 calls: a host the DO intercepts (outbound HTTP, port 80). */
  endpoint: string;
  /** One bucket name serves all five of Convex's buckets; keys are prefixed per instance. */
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ContainerSettings {
  /** Never changes for a deployment: it fixes the database name and the storage key prefix. */
  instanceName: string;
  /** 64 hex digits. */
  instanceSecret: string;
  cloudOrigin: string;
  siteOrigin: string;
  tunnelSecret: string;
  tunnelPort: number;
  /** Password the shim asks of Convex (both live in the container; fresh per start). */
  shimPassword: string;
  shimPort?: number;
  storage: StorageSettings;
  /** Convex's pool size; each connection is a shim session multiplexed over the tunnel. */
  maxConnections?: number;
}

/** The storage settings Convex reads for `--s3-storage` (run_backend.sh turns them into flags). */
const BUCKET_VARIABLES = [
  'S3_STORAGE_EXPORTS_BUCKET',
  'S3_STORAGE_SNAPSHOT_IMPORTS_BUCKET',
  'S3_STORAGE_MODULES_BUCKET',
  'S3_STORAGE_FILES_BUCKET',
  'S3_STORAGE_SEARCH_BUCKET',
] as const;

/** R2 wants every part but the last of a multipart upload to be the same size: 5 MiB. */
const R2_PART_SIZE = 5 * 1024 * 1024;

/** Origins go to Convex without a trailing slash (it appends paths to them). */
export function trimOrigin(origin: string): string {
  return origin.replace(/\/+$/, '');
}

export function containerEnv(s: ContainerSettings): Record<string, string> {
  const shimPort = s.shimPort ?? 5432;
  const env: Record<string, string> = {
    INSTANCE_NAME: s.instanceName,
    INSTANCE_SECRET: s.instanceSecret,
    CONVEX_CLOUD_ORIGIN: trimOrigin(s.cloudOrigin),
    CONVEX_SITE_ORIGIN: trimOrigin(s.siteOrigin),
    // The shim's URL: a user and no path (Convex derives the database name from INSTANCE_NAME).
    POSTGRES_URL: `postgresql://convex:${encodeURIComponent(s.shimPassword)}@127.0.0.1:${shimPort}`,
    DO_NOT_REQUIRE_SSL: '1',
    POSTGRES_MAX_CONNECTIONS: String(s.maxConnections ?? 16),
    SHIM_PASSWORD: s.shimPassword,
    SHIM_PORT: String(shimPort),
    TUNNEL_SECRET: s.tunnelSecret,
    TUNNEL_PORT: String(s.tunnelPort),
    S3_ENDPOINT_URL: trimOrigin(s.storage.endpoint),
    AWS_REGION: s.storage.region,
    AWS_ACCESS_KEY_ID: s.storage.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s.storage.secretAccessKey,
    AWS_S3_FORCE_PATH_STYLE: 'true',
    AWS_S3_DISABLE_CHECKSUMS: 'true',
    STORAGE_MAX_INTERMEDIATE_PART_SIZE: String(R2_PART_SIZE),
  };
  for (const name of BUCKET_VARIABLES) env[name] = s.storage.bucket;
  return env;
}
