import { HumanOSError } from '@humanos/core';
import type { Kysely, Transaction } from 'kysely';
import { isAdmin, type Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import type { NewEntry } from '../kernel/ledger.js';
import { iso, j } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import type { CreateDelegationBody, DelegationView, UpdateDelegationBody } from './schemas.js';
import {
  checkDelegate,
  checkRoles,
  checkScope,
  checkWindow,
  type DelegationRow,
  delegationView,
  delegatorOf,
  newDelegationId,
  parseTime,
  stateOf,
  termsOf,
} from './terms.js';

/**
 * Delegations: a human lets another decide gates of some of their roles for a bounded window
 * (docs/delegation.md). Creating, changing, starting and ending one are ledger entries
 * (`delegation.created` / `.updated` / `.started` / `.ended`); deciding on behalf is `decide`'s,
 * with the authority from `authority.ts`.
 */
export class Delegations {
  constructor(private readonly deps: FeatureDeps) {}

  /**
   * Creates a delegation from the caller (or, for an admin, from `delegator`) to `delegate`. Refused
   * with a stable code and nothing written: to themselves, an agent, a disabled human, someone who
   * holds a delegated role, roles the delegator does not hold (or holds only by delegation), a window
   * that is empty, over, or longer than the policy allows.
   *
   * @example
   * await delegations.create(ann, { delegate: 'did:human:bob', roles: ['finance_manager'], endsAt: '2026-08-15T00:00:00Z' });
   */
  async create(actor: Principal, body: CreateDelegationBody): Promise<DelegationView> {
    const delegator = body.delegator ?? actor.id;
    if (delegator !== actor.id && !isAdmin(actor))
      throw new HumanOSError('forbidden', 'only an admin delegates for someone else');
    const now = this.deps.now();
    const start = body.startsAt === undefined ? now : parseTime('startsAt', body.startsAt);
    const end = parseTime('endsAt', body.endsAt);
    checkWindow(this.deps, start, end, now);
    checkScope(body.scope);
    return this.deps.write(async (trx) => {
      const own = await delegatorOf(trx, delegator);
      const roles = await checkRoles(trx, delegator, own, body.roles, now);
      await checkDelegate(trx, delegator, body.delegate, roles);
      const row: DelegationRow = {
        id: newDelegationId(),
        delegator,
        delegate: body.delegate,
        roles: j(roles),
        scope: j(body.scope ?? {}),
        starts_at: start,
        ends_at: end,
        out_of_office: body.outOfOffice ? 1 : 0,
        message: body.message ?? null,
        created_at: now,
        created_by: actor.id,
        created_seq: 0,
        updated_seq: null,
        started_seq: null,
        ended_at: null,
        ended_by: null,
        ended_seq: null,
        end_reason: null,
      };
      const { seqs } = await this.deps.ledger.append(trx, [this.entry('delegation.created', actor.id, row, now)]);
      row.created_seq = seqs[0] as number;
      await trx.insertInto('delegations').values(row).execute();
      if (start <= now) row.started_seq = await this.start(trx, row, now);
      return delegationView(row, now);
    });
  }

  /** New terms for a delegation not yet ended (its delegator or an admin); checked as on create. */
  async update(actor: Principal, id: string, body: UpdateDelegationBody): Promise<DelegationView> {
    const now = this.deps.now();
    checkScope(body.scope);
    return this.deps.write(async (trx) => {
      const row = await this.load(trx, actor, id, 'change');
      const started = now >= row.starts_at;
      if (body.startsAt !== undefined && started)
        throw new HumanOSError('validation_failed', 'the window has begun: its start cannot move');
      const start = body.startsAt === undefined ? row.starts_at : parseTime('startsAt', body.startsAt);
      const end = body.endsAt === undefined ? row.ends_at : parseTime('endsAt', body.endsAt);
      checkWindow(this.deps, start, end, now);
      const own = await delegatorOf(trx, row.delegator);
      const roles = body.roles === undefined ? undefined : await checkRoles(trx, row.delegator, own, body.roles, now);
      if (roles) await checkDelegate(trx, row.delegator, row.delegate, roles);
      const next: DelegationRow = {
        ...row,
        starts_at: start,
        ends_at: end,
        ...(roles ? { roles: j(roles) } : {}),
        ...(body.scope !== undefined ? { scope: j(body.scope) } : {}),
        ...(body.outOfOffice !== undefined ? { out_of_office: body.outOfOffice ? 1 : 0 } : {}),
        ...(body.message !== undefined ? { message: body.message } : {}),
      };
      const entry = this.entry('delegation.updated', actor.id, next, now);
      const { seqs } = await this.deps.ledger.append(trx, [entry]);
      next.updated_seq = seqs[0] as number;
      const { id: _id, ...changes } = next;
      await trx.updateTable('delegations').set(changes).where('id', '=', id).execute();
      return delegationView(next, now);
    });
  }

  /** Ends a delegation now: its delegator, its delegate (who may decline it) or an admin. */
  async end(actor: Principal, id: string, reason: string | undefined): Promise<DelegationView> {
    const now = this.deps.now();
    return this.deps.write(async (trx) => {
      const row = await this.load(trx, actor, id, 'end');
      const ended = await this.finish(trx, row, actor.id, reason?.trim() || 'ended', now);
      return delegationView(ended, now);
    });
  }

  /** One delegation, for its delegator, its delegate or an admin. */
  async get(actor: Principal, id: string): Promise<DelegationView> {
    const row = await this.deps.db.selectFrom('delegations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || !(isAdmin(actor) || row.delegator === actor.id || row.delegate === actor.id))
      throw new HumanOSError('not_found', `no delegation ${id}`);
    return delegationView(row, this.deps.now());
  }

  /** The caller's delegations: given (`delegator`), received (`delegate`) or both; ended ones on request. */
  async list(
    actor: Principal,
    q: { as?: 'delegator' | 'delegate' | 'any'; includeEnded?: boolean },
  ): Promise<DelegationView[]> {
    const now = this.deps.now();
    const as = q.as ?? 'any';
    let query = this.deps.db
      .selectFrom('delegations')
      .selectAll()
      .where((eb) =>
        eb.or([
          ...(as !== 'delegate' ? [eb('delegator', '=', actor.id)] : []),
          ...(as !== 'delegator' ? [eb('delegate', '=', actor.id)] : []),
        ]),
      );
    if (!q.includeEnded) query = query.where('ended_at', 'is', null).where('ends_at', '>', now);
    const rows = await query.orderBy('starts_at', 'desc').limit(500).execute();
    return rows.map((r) => delegationView(r, now));
  }

  /**
   * The timer's part (called with the deadlines): windows that began get `delegation.started` (the
   * delegate is told what is now theirs to decide), windows that ran out get `delegation.ended`
   * (`expired`): pending requests move to the delegate and back with these entries.
   */
  async sweep(limit = 500): Promise<number> {
    const now = this.deps.now();
    const due = (db: Kysely<Database>) =>
      db
        .selectFrom('delegations')
        .selectAll()
        .where('ended_at', 'is', null)
        .where((eb) =>
          eb.or([eb('ends_at', '<=', now), eb.and([eb('started_seq', 'is', null), eb('starts_at', '<=', now)])]),
        )
        .limit(limit);
    // A read first: most sweeps find nothing, and need no write transaction.
    if (!(await due(this.deps.db).select('id').executeTakeFirst())) return 0;
    return this.deps.write(async (trx) => {
      const rows = await this.deps.dialect.skipLocked(due(trx)).execute();
      for (const row of rows) {
        if (now >= row.ends_at) await this.finish(trx, row, row.delegator, 'expired', now);
        else await this.start(trx, row, now);
      }
      return rows.length;
    });
  }

  private async start(trx: Transaction<Database>, row: DelegationRow, now: number): Promise<number> {
    const { seqs } = await this.deps.ledger.append(trx, [
      {
        type: 'delegation.started',
        at: iso(now),
        actor: row.delegator,
        taskId: null,
        data: which(row),
      },
    ]);
    const seq = seqs[0] as number;
    await trx.updateTable('delegations').set({ started_seq: seq }).where('id', '=', row.id).execute();
    return seq;
  }

  private async finish(
    trx: Transaction<Database>,
    row: DelegationRow,
    by: string,
    reason: string,
    now: number,
  ): Promise<DelegationRow> {
    const { seqs } = await this.deps.ledger.append(trx, [
      {
        type: 'delegation.ended',
        at: iso(now),
        actor: by,
        taskId: null,
        data: { ...which(row), reason },
      },
    ]);
    const changes = { ended_at: now, ended_by: by, ended_seq: seqs[0] as number, end_reason: reason };
    const upd = await trx
      .updateTable('delegations')
      .set(changes)
      .where('id', '=', row.id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) throw new HumanOSError('delegation_ended', `delegation ${row.id} has ended`);
    return { ...row, ...changes };
  }

  /** A delegation the actor may change or end, locked, and not ended. */
  private async load(
    trx: Transaction<Database>,
    actor: Principal,
    id: string,
    what: 'change' | 'end',
  ): Promise<DelegationRow> {
    const row = await this.deps.dialect
      .forUpdate(trx.selectFrom('delegations').selectAll().where('id', '=', id))
      .executeTakeFirst();
    const party = row && (row.delegator === actor.id || (what === 'end' && row.delegate === actor.id));
    if (!row || !(party || isAdmin(actor))) {
      if (row && row.delegate === actor.id)
        throw new HumanOSError('forbidden', 'only the delegator changes a delegation');
      throw new HumanOSError('not_found', `no delegation ${id}`);
    }
    if (stateOf(row, this.deps.now()) === 'ended')
      throw new HumanOSError('delegation_ended', `delegation ${id} has ended`, {
        endedAt: iso(row.ended_at ?? row.ends_at),
      });
    return row;
  }

  private entry(
    type: 'delegation.created' | 'delegation.updated',
    actor: string,
    row: DelegationRow,
    now: number,
  ): NewEntry {
    const created = type === 'delegation.updated' ? { created: Number(row.created_seq) } : {};
    return { type, at: iso(now), actor, taskId: null, data: { ...termsOf(row), ...created } };
  }
}

/** Which delegation a `delegation.started` / `.ended` entry is about (`created`: the index a verifier folds by). */
function which(row: DelegationRow): Record<string, unknown> {
  return { delegationId: row.id, created: Number(row.created_seq), delegator: row.delegator, delegate: row.delegate };
}
