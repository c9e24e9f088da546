/**
 * @module Open transactions across sessions: which tables each has written (their undo logs,
 * undo.ts), the locks each holds (locks.ts), and what a statement must lock, wait for or read
 * through a view. One instance per engine; everything here runs inside the caller's
 * `transactionSync` except `wait`.
 */
import { sqliteName, type TableDef } from './catalog.ts';
import { LockTable, type LockMode, type WaitFailure, type WaitOptions } from './locks.ts';
import type { TableAccess } from './plan.ts';
import { sweepOverflow } from './overflow.ts';
import { commitUndo, readerView, rollbackUndo } from './undo.ts';

/** Who runs a statement: a transaction, or a one-statement owner released afterwards. */
export interface StatementOwner {
  owner: number;
  /** Inside an explicit or implicit transaction block: its writes are logged for undo. */
  logging: boolean;
  readOnly: boolean;
}

/** Thrown from inside a statement that needs a lock another owner holds (FOR … NOWAIT: fail instead of waiting). */
export class NeedLock {
  readonly resource: string;
  readonly mode: LockMode;
  readonly nowait: boolean;
  /** The table's name for messages. */
  readonly table: string;
  constructor(resource: string, mode: LockMode, nowait: boolean, table: string) {
    this.resource = resource;
    this.mode = mode;
    this.nowait = nowait;
    this.table = table;
  }
}

interface Dirty {
  owner: number;
  table: TableDef;
  /** The log holds committed images (the transaction updated or deleted rows). */
  images: boolean;
}

export class Transactions {
  readonly locks = new LockTable();
  readonly #dirty = new Map<string, Dirty>();
  #nextOwner = 1;

  newOwner(): number {
    return this.#nextOwner++;
  }

  /**
   * Before a planned statement runs: take its locks (throws NeedLock when one is held
   * elsewhere) and return the views that hide other transactions' uncommitted rows.
   */
  enter(who: StatementOwner, access: TableAccess): Map<string, string> {
    if (access.target) this.#take(who.owner, access.target, 'exclusive', false);
    if (access.locking) for (const t of access.reads) this.#take(who.owner, t, access.locking, access.nowait ?? false);
    const views = new Map<string, string>();
    for (const t of access.reads) {
      const d = this.#dirty.get(sqliteName(t.schema, t.name));
      if (d && d.owner !== who.owner) views.set(sqliteName(t.schema, t.name), readerView(d.table, d.images));
    }
    return views;
  }

  /** After a logged write succeeded: the table now has an undo log to commit or roll back. */
  written(who: StatementOwner, access: TableAccess): void {
    if (!who.logging || !access.target) return;
    const key = sqliteName(access.target.schema, access.target.name);
    const d = this.#dirty.get(key);
    if (d) d.images ||= !!access.updatesRows;
    else this.#dirty.set(key, { owner: who.owner, table: access.target, images: !!access.updatesRows });
  }

  /**
   * DDL changes tables under everyone: it waits until no other owner holds a lock (by waiting
   * for the exclusive lock on each held resource in turn; the statement retries after each).
   */
  enterDdl(owner: number): void {
    const held = this.locks.heldByOthers(owner);
    if (held !== undefined) throw new NeedLock(held, 'exclusive', false, held);
  }

  /** Wait for the lock NeedLock asked for. */
  async wait(owner: number, need: NeedLock, opts: WaitOptions): Promise<void> {
    await this.locks.wait(owner, need.resource, need.mode, opts);
  }

  /** COMMIT: clear the logs (the caller's transactionSync is the commit point), then release. */
  commit(owner: number, sql: SqlStorage): void {
    const dirty = this.#dirtyOf(owner);
    for (const d of dirty) commitUndo(sql, d.table);
    if (dirty.length) sweepOverflow(sql);
  }

  /** ROLLBACK: restore the committed state of every table the transaction wrote. */
  rollback(owner: number, sql: SqlStorage): void {
    const dirty = this.#dirtyOf(owner);
    for (const d of dirty) rollbackUndo(sql, d.table);
    if (dirty.length) sweepOverflow(sql);
  }

  /** After commit or rollback is durable in storage (or a statement owner is done). */
  release(owner: number): void {
    for (const [key, d] of this.#dirty) if (d.owner === owner) this.#dirty.delete(key);
    this.locks.releaseAll(owner);
  }

  #dirtyOf(owner: number): Dirty[] {
    return [...this.#dirty.values()].filter((d) => d.owner === owner);
  }

  #take(owner: number, table: TableDef, mode: LockMode, nowait: boolean): void {
    const key = sqliteName(table.schema, table.name);
    if (!this.locks.tryAcquire(owner, key, mode)) throw new NeedLock(key, mode, nowait, table.name);
  }
}

/** PostgreSQL's error for a lock wait that ended without the lock. */
export function waitFailureError(f: WaitFailure): { sqlstate: string; message: string } {
  switch (f) {
    case 'deadlock':
      return { sqlstate: '40P01', message: 'deadlock detected' };
    case 'lock_timeout':
      return { sqlstate: '55P03', message: 'canceling statement due to lock timeout' };
    case 'statement_timeout':
      return { sqlstate: '57014', message: 'canceling statement due to statement timeout' };
    case 'canceled':
      return { sqlstate: '57014', message: 'canceling statement due to user request' };
  }
}
