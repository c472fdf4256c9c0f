import { gateRisk, HumanOSError, type PolicyDocument, type RiskAssessment, riskRank } from '@humanos/core';
import type { Principal } from '../kernel/access.js';
import { API_PREFIX } from '../kernel/routes.js';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';

/**
 * What an `approval.decided` entry says about how a REST decision authenticated: `{ auth: 'session' }`
 * or `{ auth: 'token' }`; nothing for Slack and e-mail decisions (their `channel` says how).
 *
 * @example
 * data: { record, signature, channel: 'api', ...authOf(actor) }
 */
export function authOf(actor: Principal): { auth?: 'session' | 'token' } {
  return actor.auth ? { auth: actor.auth.method } : {};
}

/**
 * The policy's `maxSessionAge`: a decision on a gate of `riskAtLeast` (default `high`) or above, made
 * with a sign-in session whose person authenticated at the IdP longer ago than `seconds`, is refused
 * with `reauthentication_required`. The problem carries `signInUrl`, which asks the IdP for a fresh
 * authentication and returns to the request. Called inside the decision's transaction, before anything
 * is written. Token-authenticated decisions are not sessions and pass (see `PolicyDocument.maxSessionAge`).
 *
 * @example
 * checkSessionAge(deps.policy, actor, gate, task, deps.now());
 */
export function checkSessionAge(
  policy: PolicyDocument,
  actor: Principal,
  gate: Pick<ApprovalRow, 'id' | 'kind' | 'proposal'>,
  task: Pick<TaskRow, 'risk'>,
  now: number,
): void {
  const rule = policy.maxSessionAge;
  if (!rule || actor.auth?.method !== 'session') return;
  // The gate's risk as the decision rules see it (a routing or review gate has its own).
  const risk = gateRisk({ kind: gate.kind, proposal: p(gate.proposal) }, p<RiskAssessment>(task.risk)).level;
  const approvalId = gate.id;
  if (riskRank(risk) < riskRank(rule.riskAtLeast ?? 'high')) return;
  const age = now - actor.auth.authTime;
  if (age <= rule.seconds * 1000) return;
  const returnTo = `/approvals/${approvalId}`;
  throw new HumanOSError(
    'reauthentication_required',
    `a ${risk}-risk decision needs a sign-in from the last ${rule.seconds} s (yours was ${Math.floor(age / 1000)} s ago): sign in again`,
    {
      signInUrl: `${API_PREFIX}/auth/login?${new URLSearchParams({ returnTo, fresh: 'true' })}`,
      maxSessionAge: rule.seconds,
    },
  );
}
