import { coveredKeys } from '@humanos/core';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { recheckDelay } from '../kernel/notifier.js';
import type { ExecutionGrant } from './schemas.js';

/** Ids per query when a change names many tasks (well under every driver's parameter limit). */
const IDS_PER_QUERY = 500;

/**
 * A worker with many capabilities covers thousands of keys (64 capabilities: every subset of up to
 * three, ~44 000); beyond this many it waits on `ANY_KEY`, woken by any claimable change, instead of
 * holding one registration per key.
 */
const MAX_WAIT_KEYS = 64;
const ANY_KEY = 'claim:*';

type ClaimInput = { capabilities: string[]; limit?: number; leaseSeconds?: number };

/**
 * Claim long-polls (`POST /executions/claim?wait=`): a worker with nothing to do waits here until a
 * task it could run becomes claimable, instead of asking again and again.
 *
 * Woken without polling: every change this process hears of (its own commits, other replicas'
 * NOTIFY) names the tasks it touched; while anyone waits, one query per change finds which of them
 * are now `approved` and wakes only the waiters whose capabilities cover them (keys
 * `claim:<capability key>`, the `cap_key` a task is claimed by). A woken waiter checks with a read
 * that something is claimable for it before it claims (a write), so a herd of woken workers costs
 * reads, and the one that loses the race waits again.
 *
 * @example
 * const items = await waits.claim(worker, { capabilities: ['accounting'] }, 30, signal, (i) => execution.claim(worker, i));
 */
export class ClaimWaits {
  /** Grows whenever waiters are woken: a claim that raced a wake-up sees it and looks again at once. */
  private generation = 0;
  private active = 0;

  constructor(private readonly deps: FeatureDeps) {
    deps.notifier.onChanged((ids) => {
      // A change that cannot be read is caught by the waiters’ own look (`RECHECK_MS`).
      if (this.active > 0) void this.changed(ids).catch(() => {});
    });
  }

  /**
   * Claims now; with nothing to claim, waits until something claimable for `actor` appears or
   * `waitSeconds` pass (then answers none), or the client leaves / the server stops (`signal`).
   */
  async claim(
    actor: Principal,
    input: ClaimInput,
    waitSeconds: number,
    signal: AbortSignal | undefined,
    claimNow: (input: ClaimInput) => Promise<ExecutionGrant[]>,
  ): Promise<ExecutionGrant[]> {
    const deadline = Date.now() + waitSeconds * 1000;
    const caps = coveredKeys(input.capabilities);
    const keys = caps.length > MAX_WAIT_KEYS ? [ANY_KEY] : caps.map((k) => `claim:${k}`);
    this.active++;
    try {
      for (;;) {
        let seen = this.generation;
        const got = await claimNow(input);
        if (got.length > 0 || caps.length === 0) return got;
        for (;;) {
          const left = deadline - Date.now();
          if (left <= 0 || signal?.aborted || this.deps.notifier.stopping.aborted) return [];
          if (this.generation === seen) await this.deps.notifier.waitForAny(keys, recheckDelay(left), signal);
          seen = this.generation;
          // A client that left claims nothing (a task leased to no one would wait for its lease to expire).
          if (!signal?.aborted && (await this.claimable(actor, caps))) break;
        }
      }
    } finally {
      this.active--;
    }
  }

  /** Whether a task `actor` may claim with these capability keys is waiting (a read, no lock). */
  private async claimable(actor: Principal, caps: string[]): Promise<boolean> {
    const row = await this.deps.db
      .selectFrom('tasks')
      .select('id')
      .where('status', '=', 'approved')
      .where('cap_key', 'in', caps)
      .where((eb) => eb.or([eb('assigned_to', 'is', null), eb('assigned_to', '=', actor.id)]))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A change touched `ids`: wake the waiters of the capability keys of those now claimable. */
  private async changed(ids: readonly string[]): Promise<void> {
    const keys = new Set<string>();
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const rows = await this.deps.db
        .selectFrom('tasks')
        .select('cap_key')
        .where('id', 'in', ids.slice(i, i + IDS_PER_QUERY))
        .where('status', '=', 'approved')
        .where('cap_key', 'is not', null)
        .execute();
      for (const r of rows) if (r.cap_key) keys.add(r.cap_key);
    }
    if (keys.size === 0) return;
    this.generation++;
    for (const k of keys) this.deps.notifier.wake(`claim:${k}`);
    this.deps.notifier.wake(ANY_KEY);
  }
}
