/**
 * @module The microbenchmarks' data set, shaped as the socket benchmarks' (bench/client/src/
 * data.rs): 1024-row batches, one commit ts per batch beyond 2^53, the second half of the
 * batches a second revision of the first half's documents, one index row per revision. The
 * bytes differ (a cheaper hash), the sizes and orderings' randomness do not.
 */
import type { SqlValue } from '../../tunnel/types.ts';

export const BATCH = 1024;
const T0 = 1_800_000_000_000_000_000n;
const TABLES = 8;
export const INDEX_ID = new TextEncoder().encode('bench_index_id_0');

/** 32-bit mixing (murmur3's finaliser): well-spread bytes from a counter. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function bytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < length; i += 4) view.setUint32(i, mix32(seed * 31 + i + 1));
  return out;
}

export const docId = (n: number) => bytes(n * 4 + 1, 16);
export const tableId = (n: number) => bytes(1_000_000_007 + (n % TABLES), 16);
export const keySha = (n: number) => bytes(n * 4 + 3, 32);
export function keyPrefix(n: number): Uint8Array {
  const out = new Uint8Array(25);
  out[0] = 0x10;
  out.set(bytes(n * 4 + 2, 8), 1);
  out.set(docId(n), 9);
  return out;
}

export function json(n: number, rev: number, size: number): Uint8Array {
  const head = `{"_id":"${n.toString(16).padStart(16, '0')}","rev":${rev},"body":"`;
  const fill = Math.max(0, size - head.length - 2);
  return new TextEncoder().encode(head + 'x'.repeat(fill) + '"}');
}

export const batchTs = (k: number) => T0 + BigInt(k + 1) * 1_000_000n;

export class DataSet {
  readonly batches: number;
  readonly docBytes: number;

  constructor(batches: number, docBytes: number) {
    this.batches = batches;
    this.docBytes = docBytes;
  }

  get ids(): number {
    return (this.batches / 2) * BATCH;
  }

  get readTs(): bigint {
    return batchTs(this.batches);
  }

  /** Batch k: its documents, revision and previous revision's ts. */
  batch(k: number): { ns: number[]; rev: number; prevTs: bigint | null } {
    const half = this.batches / 2;
    const first = (k % half) * BATCH;
    const ns = Array.from({ length: BATCH }, (_, i) => first + i);
    return k < half ? { ns, rev: 1, prevTs: null } : { ns, rev: 2, prevTs: batchTs(k - half) };
  }

  revisionTs(n: number): [bigint, bigint] {
    const k = Math.floor(n / BATCH);
    return [batchTs(k), batchTs(k + this.batches / 2)];
  }
}

/** The six UNNEST arrays of insert_document. */
export function docParams(ns: number[], ts: bigint, prevTs: bigint | null, rev: number, size: number): SqlValue[] {
  return [ns.map(docId), ns.map(() => ts), ns.map(tableId), ns.map((n) => json(n, rev, size)), ns.map(() => false), ns.map(() => prevTs)];
}

/** The eight UNNEST arrays of insert_index. */
export function indexParams(ns: number[], ts: bigint): SqlValue[] {
  return [ns.map(() => INDEX_ID), ns.map(() => ts), ns.map(keyPrefix), ns.map(() => null), ns.map(keySha), ns.map(() => false), ns.map(tableId), ns.map(docId)];
}

/** A small deterministic generator for the workloads' choices. */
export function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x = mix32(x + 0x9e3779b9);
    return x % n;
  };
}
