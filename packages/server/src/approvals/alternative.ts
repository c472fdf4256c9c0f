import { type AiProposal, HumanOSError, payloadDigest } from '@humanos/core';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';

/** The alternative an approval chose instead of the proposal: its index, payload and that payload's digest. */
export interface ChosenAlternative {
  index: number;
  payload: Record<string, unknown>;
  digest: string;
}

/**
 * The `alternative` step of a decision (issue 26): `approve {alternative: i}` approves the proposal's
 * alternative `i` instead of the proposal, so the payload that executes is that alternative's own
 * payload (signed into the decision record as `alternative: {index, payloadDigest}`; the execution
 * authority checks it against the version's logged alternatives). Refused with
 * `invalid_alternative`, before anything is written: on a rejection or a gate other than a task's
 * execution gate, together with `edits` (choose, or edit: not both), an index the proposal does not
 * have, or an alternative without a payload (a text-only alternative cannot be executed: ask the
 * agent for it with request-changes instead).
 *
 * @example
 * chosenAlternative(gate, task, 'approved', 1); // { index: 1, payload: { archive: true }, digest: 'sha256:…' }
 */
export function chosenAlternative(
  gate: ApprovalRow,
  task: TaskRow,
  verdict: 'approved' | 'rejected',
  input: { alternative?: number; edits?: Record<string, unknown> },
): ChosenAlternative | undefined {
  const index = input.alternative;
  if (index === undefined) return undefined;
  const refuse = (why: string): never => {
    throw new HumanOSError('invalid_alternative', why, { alternative: index });
  };
  if (verdict !== 'approved') refuse('an alternative can only be chosen by approving it');
  if (gate.kind !== 'execution')
    refuse(`alternatives are chosen on a task's execution approval, not a ${gate.kind} one`);
  if (input.edits !== undefined) refuse('choose an alternative or edit the proposal, not both');
  const proposal = p<AiProposal>(task.ai_proposal);
  if (!Number.isInteger(index) || index < 0 || index >= proposal.alternatives.length) {
    refuse(`the proposal has ${proposal.alternatives.length} alternatives (0-based): there is no alternative ${index}`);
  }
  const payload = proposal.alternativePayloads?.[index] ?? null;
  if (payload === null) {
    refuse(
      `alternative ${index} ("${proposal.alternatives[index]}") carries no payload to execute: request changes to have the agent propose it`,
    );
  }
  return { index, payload: payload as Record<string, unknown>, digest: payloadDigest(payload) };
}

/**
 * The alternative a signed decision record chose, as the waiter and the views show it: its index,
 * the alternative's text and the digest of the payload that executes.
 */
export function alternativeOf(
  record: string | null,
  proposal: AiProposal,
): { index: number; action: string; payloadDigest: string } | null {
  const a =
    record === null ? undefined : p<{ alternative?: { index: number; payloadDigest: string } }>(record).alternative;
  if (!a) return null;
  return { index: a.index, action: proposal.alternatives[a.index] ?? '', payloadDigest: a.payloadDigest };
}
