import type { Kysely, Transaction } from 'kysely';
import { dropHeld, flushHeld, writesSent } from '../store/held.js';
import type { Database } from '../store/schema.js';
import type { Ledger, Seal } from './ledger.js';

/** What a write operation gets besides the transaction: the task ids it touched, for wake-ups. */
export interface WriteContext {
  touched: Set<string>;
}

type LedgerEntryRow = Database['ledger_entries'];

/**
 * A write operation. It may run twice (`GroupCommitter.attempt`): its effects belong in the
 * transaction, and anything outside it (a metric, a call out) waits until the write has resolved.
 */
export type WriteOp<T> = (trx: Transaction<Database>, ctx: WriteContext) => Promise<T>;

interface Job {
  op: WriteOp<unknown>;
  resolve: (v: { value: unknown; seal: Seal | undefined }) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: concurrent write operations are run one after another inside a single transaction,
 * and committed with one fsync. A failing operation rolls back only itself: if it wrote nothing, it
 * is simply dropped; if it did, the batch runs again with each operation in its own savepoint
 * (`attempt`), so an operation must keep its effects inside the transaction (it may run twice).
 * The batch ends with one signed checkpoint covering every entry it appended. No operation's
 * promise settles before the commit, so a 2xx still means "durable and in the ledger".
 *
 * On PostgreSQL the batch first locks the ledger head (`Ledger.begin`): every writer takes that lock
 * before any other row lock, so replicas cannot deadlock on each other's gates. Ledger appends are
 * held in memory and written once, at the seal; a failed operation's appends are dropped with its
 * savepoint.
 */
export class GroupCommitter {
  private queue: Job[] = [];
  private draining = false;
  /** Batches run again with savepoints because an operation failed after writing (tests, metrics). */
  reruns = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ledger: Ledger,
    private readonly now: () => number,
    /**
     * After every committed batch: the tasks it touched (to wake waiters), the ledger entries it
     * appended (observers such as the domain metrics read them; nothing may write here), and the
     * signed checkpoint that sealed it (the pin outside the database follows it).
     */
    private readonly onCommitted: (
      taskIds: string[],
      appended: readonly LedgerEntryRow[],
      seal: Seal | undefined,
    ) => void,
    /** Runs last in every batch, with the entries it appended (the webhook outbox is written here). */
    private readonly beforeSeal?: (
      trx: Transaction<Database>,
      appended: readonly Database['ledger_entries'][],
    ) => Promise<void>,
    private readonly maxBatch = 128,
  ) {}

  /** Operations waiting for the next batch (a batch in progress is not counted). */
  get waiting(): number {
    return this.queue.length;
  }

  run<T>(op: WriteOp<T>): Promise<{ value: T; seal: Seal | undefined }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject } as Job);
      if (!this.draining) void this.drain();
    });
  }

  /** Savepoint statements, in as few round trips as the database allows. */
  private statements(trx: Transaction<Database>, list: string[]): Promise<void> {
    return this.ledger.dialect.statements(trx, list);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        // Let the event loop read the requests already waiting on sockets first: SQLite calls are
        // synchronous, so without this yield a batch would never hold more than one operation.
        await new Promise((r) => setImmediate(r));
        const batch = this.queue.splice(0, this.maxBatch);
        let done: Done;
        try {
          done = (await this.attempt(batch, false)) ?? (await this.attempt(batch, true)) ?? unreachable();
        } catch (error) {
          // The only operation failed (rolled back with the transaction), or the commit itself
          // failed: nothing in the batch is durable, so every caller hears so.
          for (const job of batch) job.reject(error instanceof Alone ? error.error : error);
          continue;
        }
        const { outcomes, touched, appended, seal } = done;
        if (seal) this.ledger.committed(seal);
        this.onCommitted([...touched], appended, seal);
        batch.forEach((job, i) => {
          const o = outcomes[i];
          if (o?.ok) job.resolve({ value: o.value, seal });
          else job.reject(o?.error);
        });
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Runs `batch` in one transaction and commits it. Without `savepoints` (the first attempt), an
   * operation that fails before it has written anything (`writesSent`: a refusal after its reads,
   * the common failure) is dropped with its held writes and appends, and the batch goes on; one
   * that fails after writing rolls the whole transaction back and answers `undefined`, and the
   * batch runs again with a savepoint around each operation. A savepoint costs a round trip per
   * operation on PostgreSQL; a failure after a write is rare (a held check lost to another
   * replica, a constraint), so every operation may run twice but a batch rarely does.
   */
  private async attempt(batch: Job[], savepoints: boolean): Promise<Done | undefined> {
    const outcomes: Outcome[] = [];
    const touched = new Set<string>();
    let seal: Seal | undefined;
    let appended: readonly LedgerEntryRow[] = [];
    // A batch of one needs no savepoint: if its only operation fails, the whole transaction is
    // rolled back (`Alone`).
    const alone = batch.length === 1;
    try {
      await this.db.transaction().execute(async (trx) => {
        const start = await this.ledger.begin(trx);
        // An operation's savepoint is released when the next one starts (commit releases the
        // last), so that on PostgreSQL both travel in one round trip.
        let held = false;
        for (const [i, job] of batch.entries()) {
          const ctx: WriteContext = { touched: new Set() };
          if (savepoints && !alone)
            await this.statements(trx, held ? ['release savepoint op', 'savepoint op'] : ['savepoint op']);
          held = true;
          const mark = this.ledger.mark(trx);
          const sent = savepoints ? 0 : await writesSent(trx);
          try {
            const value = await job.op(trx, ctx);
            // The operation's held writes (`store/held.ts`) are sent inside it, so that a failed check
            // fails this operation alone. Without savepoints the last operation's go with the batch's
            // next statement instead (on PostgreSQL, in one statement with the seal's read of the
            // task heads): a failed check there runs the batch again, or fails it if it is alone.
            if (savepoints || i < batch.length - 1) await flushHeld(trx);
            for (const id of ctx.touched) touched.add(id);
            outcomes.push({ ok: true, value });
          } catch (error) {
            if (alone) throw new Alone(error);
            if (savepoints) {
              await this.statements(trx, ['rollback to savepoint op', 'release savepoint op']);
              held = false;
            } else if ((await writesSent(trx)) === sent) {
              await dropHeld(trx);
            } else {
              throw RERUN;
            }
            this.ledger.rollback(trx, mark);
            outcomes.push({ ok: false, error });
          }
        }
        try {
          appended = [...this.ledger.pendingEntries(trx)];
          await this.beforeSeal?.(trx, appended);
          seal = await this.ledger.seal(trx, start, this.now(), [...touched]);
        } catch (error) {
          // Perhaps the last operation's held check: with savepoints, its own flush tells.
          if (!savepoints && !alone) throw RERUN;
          throw error;
        }
      });
    } catch (error) {
      if (error === RERUN) {
        this.reruns++;
        return undefined;
      }
      throw error;
    }
    return { outcomes, touched, appended, seal };
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A committed batch: each operation's outcome, in order, and what the batch sealed. */
interface Done {
  outcomes: Outcome[];
  touched: Set<string>;
  appended: readonly LedgerEntryRow[];
  seal: Seal | undefined;
}

/** Thrown out of a transaction to roll it back and run the batch again with savepoints. */
const RERUN = Symbol('rerun with savepoints');

const unreachable = (): never => {
  throw new Error('a batch run with savepoints always commits or throws');
};

/** The failure of a batch's only operation, carried out of its transaction so that it rolls back whole. */
class Alone {
  constructor(readonly error: unknown) {}
}
