/**
 * @module The Deployment Durable Object, one per deployment: owns the database (the engine over
 * ctx.storage), drives its container (start, readiness, exit), dials the tunnel into it, and
 * proxies the deployment's HTTP and WebSocket traffic to Convex's port 3210.
 *
 * Two ways to reach the backend. Production: `ctx.container` (the DO starts the container and
 * dials its tunnel port). Local dev and tests: no container; `TUNNEL_ADDRESS` is the host
 * shim's tunnel port (dialled on request from scripts/stack.ts) and `CONTAINER_ORIGIN`, when
 * set, is an HTTP server standing in for port 3210.
 */
import { DurableObject } from 'cloudflare:workers';
import { connect } from 'cloudflare:sockets';
import { deriveInstanceSecret } from './admin/admin-key.ts';
import { containerEnv } from './container/env.ts';
import { identityOf, toBackend, type DeploymentIdentity } from './container/forward.ts';
import { ContainerLifecycle, ContainerNotReady } from './container/lifecycle.ts';
import { SIGTERM, type ContainerRuntime } from './container/runtime.ts';
import { STORAGE_SETTINGS, type StorageGatewayProps } from './container/storage-gateway.ts';
import type { DeploymentStatus, TableRows } from './deployment-status.ts';
import { Engine } from './engine/engine.ts';
import { sqliteName } from './engine/catalog.ts';
import { Dispatcher } from './tunnel/dispatch.ts';
import { TunnelDialer, type DialTunnel, type TunnelStatus } from './tunnel/dialer.ts';
import type { Env } from './index.ts';

/** Rotate the tunnel well inside the 15 minutes an outbound socket keeps a DO resident (TUNNEL_ROTATE_SECONDS overrides). */
const ROTATE_EVERY_MS = 10 * 60 * 1000;
/**
 * The alarm's period. Traffic on the tunnel (an outbound socket) does not count as activity
 * everywhere: local workerd evicts the object ~70 s after its last incoming event even while
 * the tunnel is busy, which would drop the tunnel and every open transaction. An alarm is an
 * incoming event, so a short period keeps the object resident; rotation waits for its turn.
 */
const HEARTBEAT_MS = 30_000;
/** After the container stops, the alarm starts it again this soon. */
const RESTART_AFTER_MS = 5_000;
/** Convex's API port (the site is served there too, under /http). */
export const BACKEND_PORT = 3210;
const DEFAULT_TUNNEL_PORT = 6543;

/** Per-container secrets, fresh at each start; kept so a restarted DO can re-dial. */
interface ContainerSecrets {
  tunnelSecret: string;
  shimPassword: string;
}

const IDENTITY_KEY = 'deployment';
const SECRETS_KEY = 'container-secrets';

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

const jsonError = (status: number, code: string, message: string) => Response.json({ code, message }, { status });

export class Deployment extends DurableObject<Env> {
  readonly engine: Engine;
  readonly #dispatcher: Dispatcher;
  #tunnel: TunnelDialer | undefined;
  #lifecycle: ContainerLifecycle | undefined;
  /** Production: the current container's tunnel secret (local dev uses TUNNEL_SECRET). */
  #tunnelSecret: string | undefined;
  #identity: DeploymentIdentity | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.engine = new Engine(ctx.storage);
    this.#dispatcher = new Dispatcher(this.engine, { beforeReply: () => this.engine.flushed() });
  }

  /** The container this DO drives; none in local dev (TUNNEL_ADDRESS set) and in the vitest pool. */
  #runtime(): ContainerRuntime | undefined {
    return this.env.TUNNEL_ADDRESS ? undefined : this.ctx.container;
  }

  #tunnelPort(): number {
    return Number(this.env.TUNNEL_PORT || DEFAULT_TUNNEL_PORT);
  }

  /** How this DO reaches the shim: the host shim in local dev, the container in production. */
  #dial(): DialTunnel {
    const address = this.env.TUNNEL_ADDRESS;
    if (address) return () => connect(address);
    const container = this.ctx.container;
    if (!container) throw new Error('no TUNNEL_ADDRESS and no container: nothing to dial');
    const port = this.#tunnelPort();
    // The address must parse but is ignored by the container's port fetcher.
    return () => container.getTcpPort(port).connect(`container:${port}`);
  }

  #dialer(): TunnelDialer {
    const secret = this.#tunnelSecret ?? this.env.TUNNEL_SECRET;
    if (!secret) throw new Error('TUNNEL_SECRET is not set');
    return (this.#tunnel ??= new TunnelDialer({
      dial: this.#dial(),
      secret,
      dispatcher: this.#dispatcher,
      log: (line) => console.log(line),
    }));
  }

  /** When the link was last rotated (or first brought up): the heartbeat rotates it every ROTATE_EVERY_MS. */
  #rotatedAt = Date.now();

  async #armRotation(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS);
  }

  /** Rotate the link if its turn has come; otherwise only make sure it is up. */
  async #keepTunnel(tunnel: TunnelDialer): Promise<void> {
    const every = this.env.TUNNEL_ROTATE_SECONDS ? Number(this.env.TUNNEL_ROTATE_SECONDS) * 1000 : ROTATE_EVERY_MS;
    if (Date.now() - this.#rotatedAt < every) {
      await tunnel.ensure();
      return;
    }
    this.#rotatedAt = Date.now();
    await tunnel.rotate();
  }

  /** Bring the tunnel up (idempotent) and keep it rotating. */
  async connectTunnel(): Promise<TunnelStatus> {
    const tunnel = this.#dialer();
    await tunnel.ensure();
    await tunnel.ping();
    await this.#armRotation();
    return tunnel.status();
  }

  tunnelStatus(): TunnelStatus | null {
    return this.#tunnel?.status() ?? null;
  }

  async alarm(): Promise<void> {
    const runtime = this.#runtime();
    if (runtime) {
      // A deployment keeps running (its crons and scheduled functions live in the container):
      // the alarm brings back a container that stopped (a crash, a deploy, a restart) and
      // re-dials a dropped tunnel; a link that was already up is rotated.
      const lifecycle = this.#lifecycleFor(runtime);
      const wasReady = lifecycle.ready;
      await lifecycle.ensureReady().catch((err) => console.log(`container: ${err instanceof Error ? err.message : err}`));
      if (wasReady && this.#tunnel) await this.#keepTunnel(this.#tunnel);
      await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS);
      return;
    }
    await this.#keepTunnel(this.#dialer());
    await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS);
  }

  /** The Worker's requests for this deployment: proxied to Convex's port 3210. */
  async fetch(request: Request): Promise<Response> {
    const id = identityOf(request);
    if (!id) return jsonError(400, 'BadRequest', 'requests reach a deployment through its Worker, which names it');
    await this.#remember(id);
    const runtime = this.#runtime();
    if (runtime) {
      try {
        await this.#lifecycleFor(runtime).ensureReady();
      } catch (err) {
        if (err instanceof ContainerNotReady) return jsonError(503, 'ContainerNotReady', err.message);
        throw err;
      }
      return this.#forward(runtime.getTcpPort(BACKEND_PORT), toBackend(request, `http://container:${BACKEND_PORT}`));
    }
    const origin = this.env.CONTAINER_ORIGIN;
    if (!origin) return jsonError(503, 'ContainerNotReady', 'no container runtime here and no CONTAINER_ORIGIN to stand in for it');
    return this.#forward({ fetch: (r) => fetch(r) }, toBackend(request, origin));
  }

  /** The backend's response as is (streams and WebSocket upgrades included), or a 502 that says why. */
  async #forward(backend: { fetch(request: Request): Promise<Response> }, request: Request): Promise<Response> {
    try {
      return await backend.fetch(request);
    } catch (err) {
      return jsonError(502, 'BackendUnavailable', `the backend did not answer: ${err instanceof Error ? err.message : err}`);
    }
  }

  /** Status for the admin API; `ping` measures the tunnel's round trip first. */
  async status(opts: { ping?: boolean } = {}): Promise<DeploymentStatus> {
    if (opts.ping) await this.#tunnel?.ping();
    const runtime = this.#runtime();
    const identity = this.#identity ?? (await this.ctx.storage.get<DeploymentIdentity>(IDENTITY_KEY));
    return {
      deployment: identity?.name ?? '',
      container: runtime
        ? this.#lifecycleFor(runtime).status()
        : { state: 'none', since: null, starts: 0, lastExit: null, lastError: null },
      tunnel: this.tunnelStatus(),
      database: { sizeBytes: this.ctx.storage.sql.databaseSize, tables: this.#tableRows() },
      lastSnapshot: null,
      at: Date.now(),
    };
  }

  /** Stop the container gracefully (SIGTERM); false when none is running here. */
  restart(): boolean {
    const runtime = this.#runtime();
    if (!runtime?.running) return false;
    this.#lifecycleFor(runtime).signal(SIGTERM);
    return true;
  }

  /** Rows per user table, from the engine's catalog (a count per table: admin use only). */
  #tableRows(): TableRows[] {
    const sql = this.ctx.storage.sql;
    const catalog = this.engine.catalog;
    return catalog.schemas().flatMap((schema) =>
      catalog.tablesIn(schema).map((t) => ({
        schema,
        name: t.name,
        rows: sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${sqliteName(schema, t.name)}`).one().n,
      })),
    );
  }

  /** The first name this object served is its name for good (it fixes INSTANCE_NAME). */
  async #remember(id: DeploymentIdentity): Promise<void> {
    const known = this.#identity ?? (await this.ctx.storage.get<DeploymentIdentity>(IDENTITY_KEY));
    if (known && known.name !== id.name) throw new Error(`this Durable Object serves deployment ${known.name}, not ${id.name}`);
    if (!known || known.cloudOrigin !== id.cloudOrigin || known.siteOrigin !== id.siteOrigin) await this.ctx.storage.put(IDENTITY_KEY, id);
    this.#identity = id;
  }

  #lifecycleFor(runtime: ContainerRuntime): ContainerLifecycle {
    return (this.#lifecycle ??= new ContainerLifecycle({
      runtime,
      readyTimeoutMs: Number(this.env.CONTAINER_READY_TIMEOUT_SECONDS || 120) * 1000,
      log: (line) => console.log(line),
      hooks: {
        prepare: (fresh) => this.#prepareContainer(runtime, fresh),
        whileWaiting: async () => {
          await this.#dialer().ensure();
        },
        exited: () => {
          // The shim went with the container: stop re-dialling until the next start, which
          // the alarm makes soon even if no request comes.
          void this.#tunnel?.stop();
          this.#tunnel = undefined;
          void this.ctx.storage.setAlarm(Date.now() + RESTART_AFTER_MS);
        },
      },
    }));
  }

  /** Secrets, storage interception and environment for a start (or an adoption after a DO restart). */
  async #prepareContainer(runtime: ContainerRuntime, fresh: boolean): Promise<ContainerStartupOptions> {
    const id = this.#identity ?? (await this.ctx.storage.get<DeploymentIdentity>(IDENTITY_KEY));
    if (!id) throw new ContainerNotReady('this deployment has not been named yet (start it through the Worker)');
    let secrets = await this.ctx.storage.get<ContainerSecrets>(SECRETS_KEY);
    if (!fresh && !secrets) {
      // Running, but we never recorded its secrets: it cannot be dialled. Start it anew.
      await runtime.destroy();
      throw new ContainerNotReady('a container was running without recorded secrets; it was stopped, the next request starts a new one');
    }
    if (fresh || !secrets) {
      secrets = { tunnelSecret: randomHex(32), shimPassword: randomHex(24) };
      await this.ctx.storage.put(SECRETS_KEY, secrets);
    }
    if (this.#tunnel && this.#tunnelSecret !== secrets.tunnelSecret) {
      await this.#tunnel.stop();
      this.#tunnel = undefined;
    }
    this.#tunnelSecret = secrets.tunnelSecret;
    await this.#interceptStorage(runtime, id.name);
    await this.#armRotation();
    if (!fresh) return {};

    if (!this.env.INSTANCE_SECRET) throw new ContainerNotReady('the Worker secret INSTANCE_SECRET is not set');
    return {
      enableInternet: true,
      env: containerEnv({
        instanceName: id.name,
        instanceSecret: await deriveInstanceSecret(this.env.INSTANCE_SECRET, id.name),
        cloudOrigin: id.cloudOrigin,
        siteOrigin: id.siteOrigin,
        tunnelSecret: secrets.tunnelSecret,
        tunnelPort: this.#tunnelPort(),
        shimPassword: secrets.shimPassword,
        storage: STORAGE_SETTINGS,
      }),
    };
  }

  /** Convex's S3 calls to the storage host go to this Worker's S3 endpoint over R2. */
  async #interceptStorage(runtime: ContainerRuntime, deployment: string): Promise<void> {
    const gateway = this.ctx.exports.StorageGateway as unknown as ((init: { props: StorageGatewayProps }) => Fetcher) | undefined;
    if (!gateway) throw new ContainerNotReady('the Worker does not export StorageGateway: Convex would have nowhere to store files');
    await runtime.interceptOutboundHttp(new URL(STORAGE_SETTINGS.endpoint).host, gateway({ props: { deployment } }));
  }
}
