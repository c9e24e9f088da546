/** @module The Hono environment every route shares: the Worker's bindings and the deployment a request is for. */
import type { Env } from '../index.ts';
import type { Origins, Surface } from './hosts.ts';

export interface DeploymentVariables {
  deployment: string;
  surface: Surface;
  origins: Origins;
}

export type AppEnv = { Bindings: Env; Variables: DeploymentVariables };
