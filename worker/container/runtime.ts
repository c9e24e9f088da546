/**
 * @module The slice of workerd's `ctx.container` the Deployment drives. Named so tests can hand
 * in a stand-in: it is undefined in the vitest pool and in `wrangler dev` without Docker.
 */

export type ContainerRuntime = Pick<
  Container,
  'running' | 'start' | 'monitor' | 'signal' | 'destroy' | 'getTcpPort' | 'interceptOutboundHttp' | 'setInactivityTimeout'
>;

export type ContainerStartOptions = ContainerStartupOptions;

/** SIGTERM: the entrypoint turns it into SIGINT for the backend and stops the shim last. */
export const SIGTERM = 15;
