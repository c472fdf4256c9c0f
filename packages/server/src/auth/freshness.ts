import { HumanOSError, type PolicyDocument, type RiskLevel, riskRank } from '@humanos/core';
import type { Principal } from '../kernel/access.js';
import { API_PREFIX } from '../kernel/routes.js';

/**
 * The policy's `maxSessionAge`: a decision on a gate of `riskAtLeast` (default `high`) or above, made
 * with a sign-in session whose person authenticated at the IdP longer ago than `seconds`, is refused
 * with `reauthentication_required`. The problem carries `signInUrl`, which asks the IdP for a fresh
 * authentication and returns to the request. Called inside the decision's transaction, before anything
 * is written. Token-authenticated decisions are not sessions and pass (see `PolicyDocument.maxSessionAge`).
 *
 * @example
 * checkSessionAge(deps.policy, actor, 'high', 'approval:human:…', deps.now());
 */
export function checkSessionAge(
  policy: PolicyDocument,
  actor: Principal,
  risk: RiskLevel,
  approvalId: string,
  now: number,
): void {
  const rule = policy.maxSessionAge;
  if (!rule || actor.auth?.method !== 'session') return;
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
