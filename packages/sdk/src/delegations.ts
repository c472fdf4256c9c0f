/**
 * Delegation and out-of-office (docs/delegation.md): a human lets another enabled human decide
 * requests of some or all of their roles for a bounded window; the delegate's decisions are signed
 * "on behalf of" them.
 */
import type { CreateDelegationBody, Delegation, DelegationSide, UpdateDelegationBody } from './openapi.gen.js';
import { path, query, type Transport } from './transport.js';

export type { CreateDelegationBody, Delegation, DelegationSide, UpdateDelegationBody };

export class DelegationsClient {
  constructor(private readonly http: Transport) {}

  /**
   * Delegates the caller's roles (all but admin unless `roles` names some) to `delegate` for the
   * window [`startsAt` (default now), `endsAt`). `outOfOffice: true` also turns on the channels'
   * auto-reply. Refusals are `HumanOSApiError`s with a stable code (`delegation_to_self`,
   * `delegate_holds_seat`, `delegation_cascade`, `delegation_too_long`, …).
   *
   * @example
   * await client.delegations.create({ delegate: 'did:human:bob', endsAt: '2026-08-15T00:00:00Z', outOfOffice: true });
   */
  create(body: CreateDelegationBody): Promise<Delegation> {
    return this.http.request('POST', path`/delegations`, { body });
  }

  /** The caller's delegations: given (`as: 'delegator'`), received (`'delegate'`) or both; ended ones on request. */
  list(q: { as?: DelegationSide; includeEnded?: boolean } = {}): Promise<Delegation[]> {
    return this.http
      .request<{ items: Delegation[] }>(
        'GET',
        `${path`/delegations`}${query({ as: q.as, includeEnded: q.includeEnded === undefined ? undefined : String(q.includeEnded) })}`,
        { retry: true },
      )
      .then((r) => r.items);
  }

  /** One delegation (its delegator, its delegate or an admin). */
  get(delegationId: string): Promise<Delegation> {
    return this.http.request('GET', path`/delegations/${delegationId}`, { retry: true });
  }

  /**
   * New terms for a delegation that has not ended (the start only before its window begins).
   *
   * @example
   * await client.delegations.update(id, { endsAt: '2026-08-20T00:00:00Z' });
   */
  update(delegationId: string, body: UpdateDelegationBody): Promise<Delegation> {
    return this.http.request('PATCH', path`/delegations/${delegationId}`, { body });
  }

  /** Ends a delegation now (its delegator, its delegate declining it, or an admin). */
  end(delegationId: string, reason?: string): Promise<Delegation> {
    return this.http.request('POST', path`/delegations/${delegationId}/end`, {
      body: reason === undefined ? {} : { reason },
    });
  }
}
