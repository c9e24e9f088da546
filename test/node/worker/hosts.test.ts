/** Host names → deployment and surface, and the origins Convex is started with. */
import { describe, expect, it } from 'vitest';
import { hostConfig, isDeploymentName, originsFor, resolveHost } from '../../../worker/routes/hosts.ts';

const config = hostConfig({ DEPLOYMENT_DOMAIN: 'example.com', DEPLOYMENTS: 'prod, staging-2', DEFAULT_DEPLOYMENT: 'prod' });

describe('resolveHost', () => {
  const cases: Array<[string, ReturnType<typeof resolveHost>]> = [
    ['prod.example.com', { ok: true, deployment: 'prod', surface: 'api' }],
    ['prod-site.example.com', { ok: true, deployment: 'prod', surface: 'site' }],
    ['staging-2.example.com', { ok: true, deployment: 'staging-2', surface: 'api' }],
    ['Staging-2-Site.Example.COM:8443', { ok: true, deployment: 'staging-2', surface: 'site' }],
    ['prod.example.com.', { ok: true, deployment: 'prod', surface: 'api' }],
    ['ghost.example.com', { ok: false, message: 'no deployment named "ghost" is served here' }],
    ['ghost-site.example.com', { ok: false, message: 'no deployment named "ghost" is served here' }],
    // Outside the domain, or more than one label deep: the default deployment's API.
    ['convex-do.me.workers.dev', { ok: true, deployment: 'prod', surface: 'api' }],
    ['a.prod.example.com', { ok: true, deployment: 'prod', surface: 'api' }],
    ['example.com', { ok: true, deployment: 'prod', surface: 'api' }],
    ['notexample.com', { ok: true, deployment: 'prod', surface: 'api' }],
  ];
  it.each(cases)('%s', (host, expected) => expect(resolveHost(host, config)).toEqual(expected));

  it('without a default deployment, hosts outside the domain are refused', () => {
    const strict = hostConfig({ DEPLOYMENT_DOMAIN: 'example.com', DEPLOYMENTS: 'prod' });
    expect(resolveHost('convex-do.me.workers.dev', strict)).toEqual({ ok: false, message: 'no deployment is served at convex-do.me.workers.dev' });
  });

  it('without a domain, every host is the default deployment (a "-site" host included)', () => {
    const single = hostConfig({ DEFAULT_DEPLOYMENT: 'main' });
    expect(resolveHost('main-site.example.com', single)).toEqual({ ok: true, deployment: 'main', surface: 'api' });
  });
});

describe('hostConfig', () => {
  it('serves the default deployment even when DEPLOYMENTS omits it', () => {
    expect([...hostConfig({ DEPLOYMENTS: 'a', DEFAULT_DEPLOYMENT: 'b' }).deployments].sort()).toEqual(['a', 'b']);
  });

  it.each(['Bad_Name', 'x-site', '-x', 'x-', 'a'.repeat(41), 'a.b'])('refuses the name %j', (name) => {
    expect(isDeploymentName(name)).toBe(false);
    expect(() => hostConfig({ DEPLOYMENTS: name })).toThrow(/is not a deployment name/);
  });

  it.each(['a', 'prod', 'staging-2', '0', 'a'.repeat(40)])('accepts the name %j', (name) => expect(isDeploymentName(name)).toBe(true));
});

describe('originsFor', () => {
  it('under a domain, origins follow the name whatever host the request came in on', () => {
    expect(originsFor('prod', config, new URL('https://convex-do.me.workers.dev/api/x'))).toEqual({
      cloud: 'https://prod.example.com',
      site: 'https://prod-site.example.com',
    });
  });

  it('without a domain, origins follow the request host, with HTTP actions under /http', () => {
    const single = hostConfig({ DEFAULT_DEPLOYMENT: 'main' });
    expect(originsFor('main', single, new URL('https://convex-do.me.workers.dev/api/x'))).toEqual({
      cloud: 'https://convex-do.me.workers.dev',
      site: 'https://convex-do.me.workers.dev/http',
    });
    expect(originsFor('main', single, new URL('http://127.0.0.1:8787/'))).toEqual({ cloud: 'http://127.0.0.1:8787', site: 'http://127.0.0.1:8787/http' });
  });
});
