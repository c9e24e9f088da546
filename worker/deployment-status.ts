/**
 * @module What a deployment reports about itself (`GET /_deployment/status`, the status page):
 * its container, its tunnel, its database. Plain data, JSON as it stands.
 */
import type { TunnelStatus } from './tunnel/dialer.ts';

export type ContainerState =
  /** No container runtime here (local dev, tests): the backend is reached some other way. */
  | 'none'
  | 'stopped'
  | 'starting'
  | 'ready'
  | 'failed';

export interface ContainerStatus {
  state: ContainerState;
  /** When the container entered `state` (epoch ms); null when never started. */
  since: number | null;
  /** Starts issued by this Durable Object since it was loaded. */
  starts: number;
  /** How the last run ended: exit code when known, or the runtime's error. */
  lastExit: { code: number | null; error: string | null; at: number } | null;
  /** Why the last start or readiness wait failed. */
  lastError: string | null;
}

export interface TableRows {
  schema: string;
  name: string;
  rows: number;
}

export interface SnapshotInfo {
  id: string;
  at: number;
  bytes: number;
}

export interface DeploymentStatus {
  deployment: string;
  container: ContainerStatus;
  /** Null until this Durable Object has dialled its tunnel. */
  tunnel: TunnelStatus | null;
  database: { sizeBytes: number; tables: TableRows[] };
  /** Null until snapshots exist. */
  lastSnapshot: SnapshotInfo | null;
  /** When this status was taken (epoch ms). */
  at: number;
}
