/**
 * @module The crash workload and its invariant checker. Each transaction writes `parts` ledger
 * rows for its id (in one or two statements) and bumps its client's counter, as an explicit
 * transaction, as BEGIN…COMMIT in one query string, or as an implicit multi-statement query;
 * some end in a deliberate ROLLBACK. The client records how far each got. After a crash the
 * checker asks: every acknowledged COMMIT present whole, nothing partial, nothing uncommitted,
 * each counter equal to its client's transactions present.
 */
import type { Outcome, Session } from '../client.ts';

export const LEDGER = ['CREATE TABLE ledger (tx int8, part int4, PRIMARY KEY (tx, part))', 'CREATE TABLE counters (client int8 PRIMARY KEY, n int8 NOT NULL)'];

/** How far a transaction got, as its client saw it. */
export type Fate =
  /** Not committed: failed before COMMIT was sent, rolled back, or COMMIT answered with an ERROR on a live connection. */
  | 'not committed'
  /** COMMIT (or the query string holding it) was sent; no answer came, or the connection ended with it (FATAL). */
  | 'in doubt'
  /** COMMIT answered COMMIT. */
  | 'acknowledged';

export interface Tx {
  id: number;
  client: number;
  parts: number;
  fate: Fate;
  /** What COMMIT (or the query string holding it) answered, for the report. */
  answer?: string;
}

type Shape = 'explicit' | 'one string' | 'implicit' | 'rolled back';
const SHAPES: Shape[] = ['explicit', 'explicit', 'one string', 'implicit', 'rolled back'];

const values = (id: number, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `(${id}, ${from + i})`).join(', ');

/**
 * Acknowledged only by exactly the expected tags; an error that ends the connection (a FATAL
 * such as 08006, the tunnel lost) says nothing about the COMMIT, as with PostgreSQL.
 */
function fateOf(session: Session, out: Outcome, expected: string): Fate {
  if (out.error) return out.fatal || session.closed ? 'in doubt' : 'not committed';
  return out.tags.join() === expected && out.notices.length === 0 ? 'acknowledged' : 'not committed';
}

function answerOf(out: Outcome): string {
  if (out.error) return `${out.error}${out.fatal ? ' (FATAL)' : ''}`;
  return `${out.tags.join()}${out.notices.length ? ` (notices ${out.notices})` : ''}`;
}

/** Runs transactions on one session until it fails or `stop()` says so; records each in `log`. */
export async function runClient(session: Session, client: number, firstId: number, random: () => number, log: Tx[], stop: () => boolean): Promise<void> {
  const bump = `UPDATE counters SET n = n + 1 WHERE client = ${client}`;
  for (let id = firstId; !stop(); id++) {
    const parts = 1 + Math.floor(random() * 40);
    const half = Math.ceil(parts / 2);
    const shape = SHAPES[Math.floor(random() * SHAPES.length)]!;
    const tx: Tx = { id, client, parts, fate: 'not committed' };
    log.push(tx);
    try {
      if (shape === 'explicit' || shape === 'rolled back') {
        for (const sql of ['BEGIN', `INSERT INTO ledger VALUES ${values(id, 1, half)}`, bump, ...(parts > half ? [`INSERT INTO ledger VALUES ${values(id, half + 1, parts)}`] : [])]) {
          const out = await session.run(sql);
          if (out.error) return;
        }
        if (shape === 'rolled back') {
          await session.run('ROLLBACK');
          continue;
        }
        tx.fate = 'in doubt';
        const out = await session.run('COMMIT');
        tx.fate = fateOf(session, out, 'COMMIT');
        tx.answer = answerOf(out);
      } else {
        const body = `INSERT INTO ledger VALUES ${values(id, 1, parts)}; ${bump}`;
        tx.fate = 'in doubt';
        const out = await session.run(shape === 'one string' ? `BEGIN; ${body}; COMMIT` : body);
        tx.fate = fateOf(session, out, shape === 'one string' ? `BEGIN,INSERT ${parts},UPDATE 1,COMMIT` : `INSERT ${parts},UPDATE 1`);
        tx.answer = answerOf(out);
      }
      if (tx.fate !== 'acknowledged') return;
    } catch {
      // The connection died (no SQLSTATE): the fate stays as recorded.
      return;
    }
  }
}

export interface Verdict {
  violations: string[];
  present: number;
  acknowledged: number;
  inDoubtPresent: number;
  inDoubtAbsent: number;
}

/** Checks the database against everything the clients recorded. */
export async function check(session: Session, log: Tx[], clients: number[]): Promise<Verdict> {
  const found = new Map((await session.rows('SELECT tx, count(*), min(part), max(part) FROM ledger GROUP BY tx')).map(([tx, n, lo, hi]) => [Number(tx), { n: Number(n), lo: Number(lo), hi: Number(hi) }]));
  const counters = new Map((await session.rows('SELECT client, n FROM counters')).map(([c, n]) => [Number(c), Number(n)]));
  const byId = new Map(log.map((t) => [t.id, t]));
  const violations: string[] = [];
  const verdict: Verdict = { violations, present: found.size, acknowledged: 0, inDoubtPresent: 0, inDoubtAbsent: 0 };
  for (const [id, got] of found) {
    const tx = byId.get(id);
    if (!tx) violations.push(`tx ${id} is present but no client ran it`);
    else if (got.n !== tx.parts || got.lo !== 1 || got.hi !== tx.parts) violations.push(`tx ${id} is partial: ${got.n} of ${tx.parts} parts (${got.lo}..${got.hi})`);
    else if (tx.fate === 'not committed') violations.push(`tx ${id} is present but was never committed (COMMIT answered ${tx.answer ?? 'nothing: not sent'})`);
  }
  for (const tx of log) {
    const present = found.has(tx.id);
    if (tx.fate === 'acknowledged') {
      verdict.acknowledged++;
      if (!present) violations.push(`tx ${tx.id} (client ${tx.client}) was acknowledged but is missing`);
    }
    if (tx.fate === 'in doubt') present ? verdict.inDoubtPresent++ : verdict.inDoubtAbsent++;
  }
  for (const client of clients) {
    const mine = log.filter((t) => t.client === client && found.has(t.id)).length;
    if (counters.get(client) !== mine) violations.push(`client ${client}: counter ${counters.get(client)} but ${mine} of its transactions present`);
  }
  return verdict;
}
