import { didKind, HumanOSError } from '@humanos/core';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { type Principal, requireAdmin } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import { currentPrincipal } from './current.js';

type ConsentRow = Selectable<Database['consents']>;

/** The kinds of standing grant a human makes. Delegation (issue 26) is meant to be the next kind. */
export type ConsentKind = 'on_behalf_of';

/** The longest an `on_behalf_of` consent may run: a standing grant, but one its human renews. */
export const CONSENT_MAX_DAYS = 90;
const DAY_MS = 86_400_000;

/** A consent as the API answers it. */
export interface ConsentView {
  grantor: string;
  grantee: string;
  kind: ConsentKind;
  grantedAt: string;
  until: string;
  revokedAt: string | null;
  revokedBy: string | null;
  /** Neither revoked nor past `until` (at the time of the answer). */
  active: boolean;
  ledgerIndex: number;
  revokedLedgerIndex: number | null;
}

/**
 * Standing consents: a human records that an agent may name them as a task's `onBehalfOf`. The
 * human a task acts for may not decide its gates, so without consent an agent could pick which
 * approver is shut out (name the strict CFO, the lenient one decides). A consent is made and ended
 * only by the human themselves, names one agent (never a human), runs until a time at most
 * `CONSENT_MAX_DAYS` ahead, and granting, renewing and revoking are ledger entries
 * (`principal.consent_granted`, `principal.consent_revoked`). Task creation checks it in its own
 * transaction (`requireOnBehalfOfConsent`).
 *
 * The table and the entries carry a `kind` (and a `scope`, unused by `on_behalf_of`) so that
 * time-boxed delegation between humans (issue 26) can be another kind of the same grant.
 *
 * @example
 * await consents.grant(alice, 'did:agent:invoice-bot', Date.parse('2026-03-31T00:00:00Z'));
 * await consents.revoke(alice, 'did:agent:invoice-bot');
 */
export class Consents {
  constructor(private readonly deps: FeatureDeps) {}

  /** Grants (or renews, or shortens) the caller's consent that `agentId` may name them as `onBehalfOf`. */
  async grant(actor: Principal, agentId: string, until: number): Promise<ConsentView> {
    if (actor.kind !== 'human') throw new HumanOSError('forbidden', 'only a human gives consent; an agent cannot');
    if (didKind(agentId) !== 'agent') {
      throw new HumanOSError('validation_failed', 'a consent names an agent (did:agent:…), never a human');
    }
    const now = this.deps.now();
    if (!Number.isFinite(until) || until <= now) {
      throw new HumanOSError('validation_failed', 'until must be a time in the future');
    }
    if (until > now + CONSENT_MAX_DAYS * DAY_MS) {
      throw new HumanOSError('validation_failed', `a consent runs at most ${CONSENT_MAX_DAYS} days`);
    }
    const row = await this.deps.write(async (trx) => {
      await currentPrincipal(trx, actor);
      const agent = await trx.selectFrom('principals').select('kind').where('id', '=', agentId).executeTakeFirst();
      if (agent?.kind !== 'agent') throw new HumanOSError('not_found', `no agent ${agentId}`);
      const { seqs } = await this.deps.ledger.append(trx, [
        {
          type: 'principal.consent_granted',
          at: iso(now),
          actor: actor.id,
          taskId: null,
          data: { grantor: actor.id, grantee: agentId, kind: 'on_behalf_of', until: iso(until), scope: null },
        },
      ]);
      const values = {
        grantor: actor.id,
        grantee: agentId,
        kind: 'on_behalf_of',
        scope: null,
        granted_at: now,
        until,
        granted_seq: seqs[0] as number,
        revoked_at: null,
        revoked_by: null,
        revoked_seq: null,
      };
      await trx
        .insertInto('consents')
        .values(values)
        .onConflict((oc) => oc.columns(['grantor', 'grantee', 'kind']).doUpdateSet(values))
        .execute();
      return values;
    });
    return this.view(row);
  }

  /** Ends the caller's consent to `agentId` at once (`404` when none is active). */
  async revoke(actor: Principal, agentId: string): Promise<ConsentView> {
    if (actor.kind !== 'human') throw new HumanOSError('forbidden', 'only a human gives or revokes consent');
    const row = await this.deps.write(async (trx) => {
      await currentPrincipal(trx, actor);
      const now = this.deps.now();
      const current = await activeConsent(this.deps, trx, actor.id, agentId, now);
      if (!current) throw new HumanOSError('not_found', `no active consent of ${actor.id} to ${agentId}`);
      const { seqs } = await this.deps.ledger.append(trx, [
        {
          type: 'principal.consent_revoked',
          at: iso(now),
          actor: actor.id,
          taskId: null,
          data: { grantor: actor.id, grantee: agentId, kind: 'on_behalf_of', grantedLedgerIndex: current.granted_seq },
        },
      ]);
      const revoked = { revoked_at: now, revoked_by: actor.id, revoked_seq: seqs[0] as number };
      await trx
        .updateTable('consents')
        .set(revoked)
        .where('grantor', '=', actor.id)
        .where('grantee', '=', agentId)
        .where('kind', '=', 'on_behalf_of')
        .execute();
      return { ...current, ...revoked };
    });
    return this.view(row);
  }

  /** The caller's consents, newest first: the active ones, or with `all` also expired and revoked. */
  async mine(actor: Principal, all: boolean): Promise<ConsentView[]> {
    return this.list(this.deps.db, { grantor: actor.id }, all);
  }

  /** Consents given by or to a principal (admin): who may name whom. */
  async of(actor: Principal, principalId: string): Promise<ConsentView[]> {
    requireAdmin(actor);
    const exists = await this.deps.db
      .selectFrom('principals')
      .select('id')
      .where('id', '=', principalId)
      .executeTakeFirst();
    if (!exists) throw new HumanOSError('not_found', `no principal ${principalId}`);
    return this.list(this.deps.db, { [didKind(principalId) === 'agent' ? 'grantee' : 'grantor']: principalId }, true);
  }

  private async list(
    db: Kysely<Database>,
    who: { grantor?: string; grantee?: string },
    all: boolean,
  ): Promise<ConsentView[]> {
    let q = db.selectFrom('consents').selectAll().where('kind', '=', 'on_behalf_of');
    if (who.grantor !== undefined) q = q.where('grantor', '=', who.grantor);
    if (who.grantee !== undefined) q = q.where('grantee', '=', who.grantee);
    if (!all) q = q.where('revoked_at', 'is', null).where('until', '>', this.deps.now());
    const rows = await q.orderBy('granted_at', 'desc').orderBy('grantee').limit(1000).execute();
    return rows.map((r) => this.view(r));
  }

  private view(r: ConsentRow): ConsentView {
    const revokedAt = r.revoked_at === null ? null : Number(r.revoked_at);
    return {
      grantor: r.grantor,
      grantee: r.grantee,
      kind: r.kind as ConsentKind,
      grantedAt: iso(Number(r.granted_at)),
      until: iso(Number(r.until)),
      revokedAt: revokedAt === null ? null : iso(revokedAt),
      revokedBy: r.revoked_by,
      active: revokedAt === null && Number(r.until) > this.deps.now(),
      ledgerIndex: Number(r.granted_seq),
      revokedLedgerIndex: r.revoked_seq === null ? null : Number(r.revoked_seq),
    };
  }
}

/** The active `on_behalf_of` consent of `human` to `agent`, locked for the rest of the transaction. */
async function activeConsent(
  deps: FeatureDeps,
  trx: Transaction<Database>,
  human: string,
  agent: string,
  now: number,
): Promise<ConsentRow | undefined> {
  const row = await deps.dialect
    .forUpdate(
      trx
        .selectFrom('consents')
        .selectAll()
        .where('grantor', '=', human)
        .where('grantee', '=', agent)
        .where('kind', '=', 'on_behalf_of'),
    )
    .executeTakeFirst();
  return row && row.revoked_at === null && Number(row.until) > now ? row : undefined;
}

/**
 * The check of `POST /tasks` with `onBehalfOf`, inside the create's transaction: the named human
 * exists and is enabled (`400 validation_failed` otherwise, as before), and either is the caller
 * itself or has an active consent to this agent (`403 consent_required` otherwise: never given,
 * expired, or revoked). The consent row stays locked until the task is written, so a revocation
 * that commits first is seen, and one that commits later came after the task.
 *
 * @example
 * await requireOnBehalfOfConsent(deps, trx, agent, 'did:human:alice', now);
 */
export async function requireOnBehalfOfConsent(
  deps: FeatureDeps,
  trx: Transaction<Database>,
  actor: Principal,
  human: string,
  now: number,
): Promise<void> {
  const row =
    didKind(human) === 'human'
      ? await trx.selectFrom('principals').select(['kind', 'disabled_at']).where('id', '=', human).executeTakeFirst()
      : undefined;
  if (row?.kind !== 'human' || row.disabled_at !== null) {
    throw new HumanOSError('validation_failed', 'onBehalfOf must name an existing, enabled human principal');
  }
  if (human === actor.id) return;
  if (actor.kind !== 'agent' || !(await activeConsent(deps, trx, human, actor.id, now))) {
    throw new HumanOSError(
      'consent_required',
      `${human} has not consented to ${actor.id} acting on their behalf (PUT /me/consents/${actor.id} by ${human})`,
    );
  }
}
