/**
 * @module The two servers every transaction test runs against, in order: the reference
 * PostgreSQL 15 (whose behaviour the tests were written against) and our stack (shim → tunnel →
 * Durable Object in workerd), each on fresh state.
 */
import { type Endpoint, startOurStack, startReference } from '../differential/endpoints.ts';

export interface Target {
  name: string;
  start(): Promise<Endpoint>;
}

export const targets: Target[] = [
  { name: 'PostgreSQL 15', start: startReference },
  { name: 'our stack', start: startOurStack },
];

export type { Endpoint };
