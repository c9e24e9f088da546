/**
 * @module The Deployment Durable Object: owns the database (the engine over ctx.storage) and
 * the tunnel end that dials the shim.
 */
import { DurableObject } from 'cloudflare:workers';
import { connect } from 'cloudflare:sockets';
import { Engine } from './engine/engine.ts';
import { Dispatcher } from './tunnel/dispatch.ts';
import { TunnelDialer, type DialTunnel, type TunnelStatus } from './tunnel/dialer.ts';
import type { Env } from './index.ts';

/** Rotate the tunnel well inside the 15 minutes an outbound socket keeps a DO resident. */
const ROTATE_EVERY_MS = 10 * 60 * 1000;

export class Deployment extends DurableObject<Env> {
  readonly engine: Engine;
  readonly #dispatcher: Dispatcher;
  #tunnel: TunnelDialer | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.engine = new Engine(ctx.storage);
    this.#dispatcher = new Dispatcher(this.engine, { beforeReply: () => ctx.storage.sync() });
  }

  /** How this DO reaches the shim: the host shim in local dev, the container in production. */
  #dial(): DialTunnel {
    const address = this.env.TUNNEL_ADDRESS;
    if (address) return () => connect(address);
    const container = this.ctx.container;
    if (!container) throw new Error('no TUNNEL_ADDRESS and no container: nothing to dial');
    const port = Number(this.env.TUNNEL_PORT ?? 6543);
    // The address must parse but is ignored by the container's port fetcher.
    return () => container.getTcpPort(port).connect(`container:${port}`);
  }

  #dialer(): TunnelDialer {
    const secret = this.env.TUNNEL_SECRET;
    if (!secret) throw new Error('TUNNEL_SECRET is not set');
    return (this.#tunnel ??= new TunnelDialer({
      dial: this.#dial(),
      secret,
      dispatcher: this.#dispatcher,
      log: (line) => console.log(line),
    }));
  }

  /** Bring the tunnel up (idempotent) and keep it rotating. */
  async connectTunnel(): Promise<TunnelStatus> {
    const tunnel = this.#dialer();
    await tunnel.ensure();
    await tunnel.ping();
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + ROTATE_EVERY_MS);
    return tunnel.status();
  }

  tunnelStatus(): TunnelStatus | null {
    return this.#tunnel?.status() ?? null;
  }

  async alarm(): Promise<void> {
    if (this.#tunnel) await this.#tunnel.rotate();
    else await this.#dialer().ensure();
    await this.ctx.storage.setAlarm(Date.now() + ROTATE_EVERY_MS);
  }
}
