import { HumanOSApiError } from '@human/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A tool answer: the object as structured content, and the same as JSON text for clients without it. */
export function ok(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/** What a model should do about each server refusal, by its stable problem code. */
const HINTS: Record<string, string> = {
  unauthorized: 'The HumanOS token is missing, wrong, expired or disabled; ask the user to configure a valid one.',
  forbidden: 'This principal is not allowed to do that; do not retry.',
  not_found: 'No such task is visible to you; check the taskId.',
  agent_cannot_decide: 'Agents can never approve or reject; a human decides in the HumanOS inbox.',
  invalid_state: 'The task is not in a state that allows this; call get_task to see where it stands.',
  approval_expired: 'The approval expired; the action must not run. Request approval again if it is still needed.',
  task_overridden: 'A human took over this task: stop working on it.',
  lease_lost: 'Your execution lease expired and the task was handed back; stop, and call get_task.',
  payload_mismatch: 'Only the approved payload may run; use approvedPayload exactly.',
  idempotency_key_reused: 'This idempotencyKey was used for a different request; use a new key.',
  validation_failed: 'The arguments were refused by the server; fix them as the message says.',
  network_error: 'HumanOS could not be reached; try again shortly.',
};

/** A tool error a model can act on: the server's stable code, its message and a hint. */
export function toolError(e: unknown): CallToolResult {
  if (e instanceof HumanOSApiError) {
    const hint = HINTS[e.code] ? ` ${HINTS[e.code]}` : '';
    const error = { code: e.code, status: e.status, message: e.message };
    return {
      isError: true,
      content: [{ type: 'text', text: `HumanOS refused (${e.code}): ${e.message}.${hint}` }],
      structuredContent: { error },
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { isError: true, content: [{ type: 'text', text: `Error: ${message}` }] };
}

/** Runs a tool body, turning any failure into a tool error (never a protocol error the model cannot read). */
export async function guarded(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (e) {
    return toolError(e);
  }
}
