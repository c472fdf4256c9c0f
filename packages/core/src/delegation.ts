/**
 * Delegations as the ledger records them, and the offline check of decisions made "on behalf of"
 * someone. A delegation lets one human (the delegate) decide gates of some of another human's (the
 * delegator's) roles for a bounded window. Its `delegation.created` entry carries its terms; a
 * `delegation.updated` entry carries the new terms and cites the created entry's index; a
 * `delegation.ended` entry ends it for good. A decision by a delegate names the delegator
 * (`onBehalfOf`), the role it was made in (`role`) and the created entry's index (`delegation`); the
 * verifier (`DelegationRegistry`, fed in ledger order) checks that this entry came earlier, was still
 * in force at the decision's time, named these two people, and covered the role.
 *
 * Runtime-neutral (no `node:` module): the console's offline verifier runs it in the browser.
 */
import type { RiskLevel } from './model.js';
// Types only: policy.ts's runtime (text normalisation) stays out of the browser's verifier bundle.
import type { PolicyRule } from './policy.js';

/** What a delegation is limited to beyond its roles: a policy action matcher and/or risk levels. */
export interface DelegationScope {
  /** The policy rule matcher (`PolicyRule['match']`): only tasks it matches are delegated. */
  match?: PolicyRule['match'];
  /** Only gates at these risk levels are delegated. */
  riskLevels?: RiskLevel[];
}

/** The terms a `delegation.created` / `delegation.updated` entry carries in its `data`. */
export interface DelegationTerms {
  delegationId: string;
  delegator: string;
  delegate: string;
  roles: string[];
  /** RFC 3339; the window is [startsAt, endsAt): the start is inside it, the end is not. */
  startsAt: string;
  endsAt: string;
  scope: DelegationScope;
  /** An out-of-office delegation: channels answer for the delegator with a notice naming the delegate. */
  outOfOffice: boolean;
  message: string | null;
}

/** Whether `atMs` lies in the window `[startsAt, endsAt)` (milliseconds since the epoch). */
export function inWindow(w: { startsAt: number; endsAt: number }, atMs: number): boolean {
  return w.startsAt <= atMs && atMs < w.endsAt;
}

/** The fields an on-behalf decision record adds (see `DecisionRecord`). */
export interface OnBehalf {
  decidedBy: string;
  decidedAt: string;
  onBehalfOf?: string;
  delegation?: number;
  role?: string;
}

/** A failed delegation check: which (`delegation_entry`, `delegation_unknown`, …) and why. */
export interface DelegationFailure {
  check:
    | 'delegation_entry'
    | 'delegation_unknown'
    | 'delegation_parties'
    | 'delegation_role'
    | 'delegation_window'
    | 'delegation_ended';
  message: string;
}

const fail = (check: DelegationFailure['check'], message: string): DelegationFailure => ({ check, message });

type Held = { terms: DelegationTerms; start: number; end: number; ended: boolean };

function termsProblem(d: Partial<DelegationTerms>): string | undefined {
  if (typeof d.delegationId !== 'string' || typeof d.delegator !== 'string' || typeof d.delegate !== 'string')
    return 'a delegation entry names no delegationId, delegator or delegate';
  if (!Array.isArray(d.roles) || d.roles.length === 0 || !d.roles.every((r) => typeof r === 'string'))
    return 'a delegation entry names no roles';
  if (typeof d.startsAt !== 'string' || typeof d.endsAt !== 'string') return 'a delegation entry has no window';
  const start = Date.parse(d.startsAt);
  const end = Date.parse(d.endsAt);
  if (!(start < end)) return 'a delegation entry ends before it starts';
  if (d.delegator === d.delegate) return 'a delegation entry delegates to its own delegator';
  return undefined;
}

/**
 * The delegations folded from the log in ledger order: feed it every `delegation.*` entry (with its
 * index) as it is read; `checkDecision` then judges the next on-behalf decision against what came
 * before it. A decision without `onBehalfOf` is not its business; one with it must cite an earlier
 * `delegation.created` entry that binds the same two people, covers the role, was in force at
 * `decidedAt` and had not been ended before the decision.
 *
 * @example
 * const reg = new DelegationRegistry();
 * reg.entry(12, 'delegation.created', entry.data); // undefined: fine
 * reg.checkDecision(record); // undefined, or { check: 'delegation_window', message }
 */
export class DelegationRegistry {
  private readonly byIndex = new Map<number, Held>();

  /** Folds one `delegation.created` / `.updated` / `.ended` entry; the failure when it is malformed. */
  entry(index: number, type: string, data: Record<string, unknown>): DelegationFailure | undefined {
    if (type === 'delegation.created') {
      const bad = termsProblem(data as Partial<DelegationTerms>);
      if (bad) return fail('delegation_entry', bad);
      const terms = data as unknown as DelegationTerms;
      this.byIndex.set(index, {
        terms,
        start: Date.parse(terms.startsAt),
        end: Date.parse(terms.endsAt),
        ended: false,
      });
      return undefined;
    }
    const held = this.byIndex.get(data.created as number);
    if (!held || held.terms.delegationId !== data.delegationId)
      return fail('delegation_entry', `${type} cites no earlier delegation.created entry (${String(data.created)})`);
    if (held.ended)
      return fail('delegation_entry', `${type} changes delegation ${held.terms.delegationId}, already ended`);
    if (type === 'delegation.ended') {
      held.ended = true;
      return undefined;
    }
    if (type !== 'delegation.updated') return undefined;
    const bad = termsProblem(data as Partial<DelegationTerms>);
    if (bad) return fail('delegation_entry', bad);
    const terms = data as unknown as DelegationTerms;
    if (terms.delegator !== held.terms.delegator || terms.delegate !== held.terms.delegate)
      return fail('delegation_entry', 'a delegation.updated entry changes who delegates to whom');
    this.byIndex.set(data.created as number, {
      terms,
      start: Date.parse(terms.startsAt),
      end: Date.parse(terms.endsAt),
      ended: false,
    });
    return undefined;
  }

  /** Judges a decision record (see the class doc); undefined when it is not on behalf or checks out. */
  checkDecision(record: OnBehalf): DelegationFailure | undefined {
    if (record.onBehalfOf === undefined && record.delegation === undefined) return undefined;
    if (
      typeof record.delegation !== 'number' ||
      typeof record.onBehalfOf !== 'string' ||
      typeof record.role !== 'string'
    )
      return fail('delegation_unknown', 'an on-behalf decision names no delegation index, delegator or role');
    const held = this.byIndex.get(record.delegation);
    if (!held) {
      return fail(
        'delegation_unknown',
        `the decision cites ledger index ${record.delegation}, which is no earlier delegation.created entry`,
      );
    }
    const t = held.terms;
    if (t.delegator !== record.onBehalfOf || t.delegate !== record.decidedBy)
      return fail(
        'delegation_parties',
        `delegation ${t.delegationId} is from ${t.delegator} to ${t.delegate}, not from ${record.onBehalfOf} to ${record.decidedBy}`,
      );
    if (!t.roles.includes(record.role))
      return fail('delegation_role', `delegation ${t.delegationId} does not cover the role ${record.role}`);
    if (held.ended) return fail('delegation_ended', `delegation ${t.delegationId} was ended before this decision`);
    if (!inWindow({ startsAt: held.start, endsAt: held.end }, Date.parse(record.decidedAt)))
      return fail(
        'delegation_window',
        `the decision at ${record.decidedAt} lies outside delegation ${t.delegationId}'s window [${t.startsAt}, ${t.endsAt})`,
      );
    return undefined;
  }
}
