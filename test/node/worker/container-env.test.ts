/** The container's environment, and how a finished run is read from `monitor()`. */
import { describe, expect, it } from 'vitest';
import { containerEnv, trimOrigin, type ContainerSettings } from '../../../worker/container/env.ts';
import { exitFromMonitor } from '../../../worker/container/lifecycle.ts';

const settings: ContainerSettings = {
  instanceName: 'prod',
  instanceSecret: 'ab'.repeat(32),
  cloudOrigin: 'https://prod.example.com/',
  siteOrigin: 'https://prod-site.example.com//',
  tunnelSecret: 'tunnel-secret',
  tunnelPort: 6543,
  shimPassword: 'p@ss/word',
  storage: { endpoint: 'http://storage.internal/', bucket: 'convex', region: 'auto', accessKeyId: 'prod', secretAccessKey: 'sk' },
};

describe('containerEnv', () => {
  it('is everything entrypoint.sh, the shim and run_backend.sh read', () => {
    expect(containerEnv(settings)).toEqual({
      INSTANCE_NAME: 'prod',
      INSTANCE_SECRET: 'ab'.repeat(32),
      CONVEX_CLOUD_ORIGIN: 'https://prod.example.com',
      CONVEX_SITE_ORIGIN: 'https://prod-site.example.com',
      // URL-encoded password, no database path.
      POSTGRES_URL: 'postgresql://convex:p%40ss%2Fword@127.0.0.1:5432',
      DO_NOT_REQUIRE_SSL: '1',
      POSTGRES_MAX_CONNECTIONS: '16',
      SHIM_PASSWORD: 'p@ss/word',
      SHIM_PORT: '5432',
      TUNNEL_SECRET: 'tunnel-secret',
      TUNNEL_PORT: '6543',
      S3_ENDPOINT_URL: 'http://storage.internal',
      AWS_REGION: 'auto',
      AWS_ACCESS_KEY_ID: 'prod',
      AWS_SECRET_ACCESS_KEY: 'sk',
      AWS_S3_FORCE_PATH_STYLE: 'true',
      AWS_S3_DISABLE_CHECKSUMS: 'true',
      STORAGE_MAX_INTERMEDIATE_PART_SIZE: '5242880',
      S3_STORAGE_EXPORTS_BUCKET: 'convex',
      S3_STORAGE_SNAPSHOT_IMPORTS_BUCKET: 'convex',
      S3_STORAGE_MODULES_BUCKET: 'convex',
      S3_STORAGE_FILES_BUCKET: 'convex',
      S3_STORAGE_SEARCH_BUCKET: 'convex',
    });
  });

  it('takes the pool size and shim port when given', () => {
    const env = containerEnv({ ...settings, maxConnections: 8, shimPort: 6000 });
    expect(env.POSTGRES_MAX_CONNECTIONS).toBe('8');
    expect(env.POSTGRES_URL.endsWith('@127.0.0.1:6000')).toBe(true);
  });

  it('trims only trailing slashes of an origin', () => {
    expect(trimOrigin('https://x.example.com/http/')).toBe('https://x.example.com/http');
    expect(trimOrigin('https://x.example.com')).toBe('https://x.example.com');
  });
});

describe('exitFromMonitor', () => {
  const at = 1_700_000_000_000;
  it('a resolved monitor is exit code 0', () => expect(exitFromMonitor({ ok: true }, at)).toEqual({ code: 0, error: null, at }));

  it('reads the code from the runtime errors that carry one', () => {
    expect(exitFromMonitor({ ok: false, error: new Error('Container exited with unexpected exit code: 137') }, at).code).toBe(137);
    expect(exitFromMonitor({ ok: false, error: new Error('Runtime signalled the container to exit: 15') }, at).code).toBe(15);
  });

  it('keeps the message when there is no code', () => {
    expect(exitFromMonitor({ ok: false, error: new Error('there is no container instance that can be provided to this durable object') }, at)).toEqual({
      code: null,
      error: 'there is no container instance that can be provided to this durable object',
      at,
    });
    expect(exitFromMonitor({ ok: false, error: 'plain' }, at).error).toBe('plain');
  });
});
