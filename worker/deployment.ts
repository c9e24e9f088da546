/** @module The Deployment Durable Object: owns the database and drives the tunnel. */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from './index.ts';

export class Deployment extends DurableObject<Env> {
  ping(): string {
    return String(this.ctx.storage.sql.exec('SELECT 1 AS one').one().one);
  }
}
