import type { Kysely, Transaction } from 'kysely';
import { flushHeld } from '../store/held.js';
import type { Database } from '../store/schema.js';
import type { Ledger, Seal } from './ledger.js';

/** What a write operation gets besides the transaction: the task ids it touched, for wake-ups. */
export interface WriteContext {
  touched: Set<string>;
}

type LedgerEntryRow = Database['ledger_entries'];

export type WriteOp<T> = (trx: Transaction<Database>, ctx: WriteContext) => Promise<T>;

interface Job {
  op: WriteOp<unknown>;
  resolve: (v: { value: unknown; seal: Seal | undefined }) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: concurrent write operations are run one after another inside a single transaction,
 * each in its own savepoint (a failing operation rolls back only itself), and committed with one
 * fsync. The batch ends with one signed checkpoint covering every entry it appended. No operation's
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
        const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
        const touched = new Set<string>();
        let seal: Seal | undefined;
        let appended: readonly LedgerEntryRow[] = [];
        try {
          await this.db.transaction().execute(async (trx) => {
            const start = await this.ledger.begin(trx);
            // An operation's savepoint is released when the next one starts (commit releases the
            // last), so that on PostgreSQL both travel in one round trip. A batch of one needs none:
            // if its only operation fails, the whole transaction is rolled back (`Alone`, below).
            const alone = batch.length === 1;
            let held = false;
            for (const job of batch) {
              const ctx: WriteContext = { touched: new Set() };
              if (!alone)
                await this.statements(trx, held ? ['release savepoint op', 'savepoint op'] : ['savepoint op']);
              held = true;
              const mark = this.ledger.mark(trx);
              try {
                const value = await job.op(trx, ctx);
                // The operation's held writes (`store/held.ts`) are sent inside its savepoint: a failed
                // check fails this operation alone.
                await flushHeld(trx);
                for (const id of ctx.touched) touched.add(id);
                outcomes.push({ ok: true, value });
              } catch (error) {
                if (alone) throw new Alone(error);
                await this.statements(trx, ['rollback to savepoint op', 'release savepoint op']);
                held = false;
                this.ledger.rollback(trx, mark);
                outcomes.push({ ok: false, error });
              }
            }
            appended = [...this.ledger.pendingEntries(trx)];
            await this.beforeSeal?.(trx, appended);
            seal = await this.ledger.seal(trx, start, this.now(), [...touched]);
          });
        } catch (error) {
          // The only operation failed (rolled back with the transaction), or the commit itself
          // failed: nothing in the batch is durable, so every caller hears so.
          for (const job of batch) job.reject(error instanceof Alone ? error.error : error);
          continue;
        }
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
}

/** The failure of a batch's only operation, carried out of its transaction so that it rolls back whole. */
class Alone {
  constructor(readonly error: unknown) {}
}
