/** startPair: when one end fails to start, the other is stopped, not leaked. */
import { describe, expect, it } from 'vitest';
import { type Endpoint, startPair } from './endpoints.ts';

function fake(label: string, stopped: string[]): () => Promise<Endpoint> {
  return async () => ({ label, url: `postgresql://${label}`, stop: async () => void stopped.push(label) });
}
const failing = async (): Promise<Endpoint> => {
  throw new Error('did not start');
};

describe('startPair', () => {
  it('returns both ends in order when both start', async () => {
    const stopped: string[] = [];
    const [a, b] = await startPair(fake('a', stopped), fake('b', stopped));
    expect([a.label, b.label, stopped]).toEqual(['a', 'b', []]);
  });

  it('stops the started end and rethrows when the other fails', async () => {
    const stopped: string[] = [];
    await expect(startPair(fake('a', stopped), failing)).rejects.toThrow('did not start');
    await expect(startPair(failing, fake('b', stopped))).rejects.toThrow('did not start');
    expect(stopped).toEqual(['a', 'b']);
  });
});
