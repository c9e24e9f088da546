/**
 * @module How long each execute spends between the shim and the Durable Object (tunnel both
 * ways plus the DO's work), measured in the shim's process. It wraps the tunnel listener's
 * request method for the run: the stack under test is otherwise exactly `npm start`'s.
 */
import { TunnelListener } from '../shim/tunnel-listener.ts';

type Call = (frame: { type: string; sql?: string }) => Promise<unknown>;

export interface TunnelTimer {
  /** Drops what was recorded so far. */
  reset(): void;
  /** Milliseconds per execute call since the last reset, by statement text. */
  take(): Map<string, number[]>;
  restore(): void;
}

export function timeTunnelCalls(): TunnelTimer {
  const proto = TunnelListener.prototype as unknown as { call: Call };
  const original = proto.call;
  let samples = new Map<string, number[]>();
  proto.call = async function (this: unknown, frame) {
    if (frame.type !== 'execute') return original.call(this, frame);
    const started = performance.now();
    const reply = await original.call(this, frame);
    const key = frame.sql ?? '';
    if (!samples.has(key)) samples.set(key, []);
    samples.get(key)!.push(performance.now() - started);
    return reply;
  };
  return {
    reset: () => (samples = new Map()),
    take: () => samples,
    restore: () => (proto.call = original),
  };
}
