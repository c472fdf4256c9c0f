import { HumanOSError } from '@humanos/core';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ChallengeInput, issueDecisionChallenge } from '../passkeys/decision.js';
import type { DecisionChallenge } from '../passkeys/schemas.js';
import { versionNow } from './seen.js';

/**
 * A decision's nonce and WebAuthn request options (see `issueDecisionChallenge`), for an approval the
 * caller can see, against the payload version they name. It lives with the approvals (not in
 * `passkeys/`) because it reads the gate's payload as an approval would approve it now; `passkeys/`
 * owns the keys and the checks, and `approvals/` calls it, never the other way round.
 *
 * @example
 * const { nonce, options } = await decisionChallenge(deps, ann, approvalId, { verdict: 'approved', payloadDigest });
 */
export async function decisionChallenge(
  deps: FeatureDeps,
  actor: Principal,
  approvalId: string,
  input: ChallengeInput,
): Promise<DecisionChallenge> {
  const gate = await deps.db.selectFrom('approvals').selectAll().where('id', '=', approvalId).executeTakeFirst();
  if (!gate) throw new HumanOSError('not_found', `no approval ${approvalId}`);
  const task = await deps.access.loadTask(deps.db, gate.task_id);
  if (!(await deps.access.canSee(deps.db, actor, task))) {
    throw new HumanOSError('not_found', `no approval ${approvalId}`);
  }
  if (gate.status !== 'pending') {
    throw new HumanOSError('already_decided', `approval ${gate.id} is ${gate.status}`, {
      approvalStatus: gate.status,
    });
  }
  return issueDecisionChallenge(deps, actor, { gate, task, version: versionNow(gate, task) }, input);
}
