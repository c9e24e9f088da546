/** @module Summaries of latency samples (microseconds in, milliseconds out). Pure. */

/** The p-th percentile (0–100) of sorted values, interpolated between closest ranks. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const at = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export interface Summary {
  n: number;
  p50_ms: number;
  p99_ms: number;
  /** Each round's median: how stable the number was over the run. */
  round_p50_ms: number[];
}

export function summarize(roundsUs: number[][]): Summary | undefined {
  const all = roundsUs.flat().sort((a, b) => a - b);
  if (all.length === 0) return undefined;
  return {
    n: all.length,
    p50_ms: percentile(all, 50) / 1000,
    p99_ms: percentile(all, 99) / 1000,
    round_p50_ms: roundsUs.filter((r) => r.length).map((r) => percentile([...r].sort((a, b) => a - b), 50) / 1000),
  };
}

/** Milliseconds with three significant digits (µs below 1 ms). */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (v < 1) return `${(v * 1000).toPrecision(3)} µs`;
  return `${v.toPrecision(3)} ms`;
}

export function ratio(ours: number | undefined, reference: number | undefined): number | null {
  return ours !== undefined && reference !== undefined && reference > 0 ? ours / reference : null;
}
