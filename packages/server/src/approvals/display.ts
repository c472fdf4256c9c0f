import {
  displayTemplate,
  MESSAGE_LIMITS,
  type PayloadDisplay,
  type PolicyDocument,
  type RenderOptions,
  type RiskAssessment,
  renderPayload,
} from '@humanos/core';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';
import { payloadDiff, proposedPayload } from './seen.js';
import { decisionPayload } from './views.js';

/** The payload a gate decides: an in-run decision's own, otherwise the task's (current, edited) payload. */
export function gatePayload(gate: Pick<ApprovalRow, 'kind' | 'proposal'>, task: Pick<TaskRow, 'payload'>): unknown {
  return gate.kind === 'decision' ? decisionPayload(gate) : p<unknown>(task.payload);
}

/**
 * The payload a gate decides, as approvers see it on every channel: labelled and formatted by the
 * policy's first matching display template, the fields a human edited (from what the agent proposed)
 * marked, within `limits` (a message's by default; the console's are larger).
 *
 * @example
 * const display = gateDisplay(deps.policy, gate, task, CONSOLE_LIMITS);
 * display.fields[0]; // { path: '/amount', label: 'Amount', text: 'EUR 24.99', format: 'money', … }
 */
export function gateDisplay(
  policy: Pick<PolicyDocument, 'display'>,
  gate: ApprovalRow,
  task: TaskRow,
  limits: Pick<RenderOptions, 'maxFields' | 'maxChars'> = MESSAGE_LIMITS,
): PayloadDisplay {
  const payload = gatePayload(gate, task);
  const edited = payloadDiff(proposedPayload(gate, task), payload).map((c) => c.path);
  const template = displayTemplate(
    policy.display,
    { description: task.description, requiredCapabilities: p<string[]>(task.required_capabilities), payload },
    p<RiskAssessment>(task.risk),
  );
  return renderPayload(payload, { template, edited, ...limits });
}
