/** Everything the approval view shows, fetched together: the gate, its task, and the task's ledger history. */
import { api, seg } from '../lib/api.js';
import { applyMergePatch } from '../lib/diff.js';
import type { ApprovalDetail, Decision, HistoryEvent, Json, JsonObject, TaskDetail } from '../lib/types.js';

export interface DetailData {
  a: ApprovalDetail;
  task: TaskDetail | null;
  history: HistoryEvent[] | null;
}

export async function loadDetail(id: string): Promise<DetailData> {
  const a = await api<ApprovalDetail>('GET', `/approvals/${seg(id)}`);
  const [task, history] = await Promise.all([
    api<TaskDetail>('GET', `/tasks/${seg(a.taskId)}`).catch(() => null),
    api<{ events: HistoryEvent[] }>('GET', `/tasks/${seg(a.taskId)}/history`).then(
      (h) => h.events,
      () => null,
    ),
  ]);
  return { a, task, history };
}

/** The payload this gate decides: an in-run decision's own, else the task's as it stands. */
export function basePayload(a: ApprovalDetail): JsonObject {
  return (a.kind === 'decision' ? (a.payload ?? {}) : (a.task.payload ?? {})) as JsonObject;
}

/** What the agent proposed for this gate. */
export function proposedPayload(a: ApprovalDetail): JsonObject {
  return (a.kind === 'decision' ? (a.payload ?? {}) : (a.task.proposedPayload ?? a.task.payload ?? {})) as JsonObject;
}

/** Every decision on the task's path, oldest first. */
export function allDecisions(a: ApprovalDetail): (Decision & { gate: string })[] {
  return a.chain
    .flatMap((c) => c.decisions.map((d) => ({ ...d, gate: c.id })))
    .sort((x, y) => x.decidedAt.localeCompare(y.decidedAt) || x.ledgerIndex - y.ledgerIndex);
}

/**
 * The payload as it stood right after `d` (the proposal with every edit up to and including it):
 * what an approver approved, to compare with the payload as it stands now.
 */
export function payloadAfter(a: ApprovalDetail, d: Decision): Json {
  let p: Json = proposedPayload(a) as Json;
  for (const x of allDecisions(a)) {
    if (x.edits) p = applyMergePatch(p, x.edits as Json);
    if (x.ledgerIndex === d.ledgerIndex) break;
  }
  return p;
}

/** Reason and feedback rules of the task (`requireExplicitReason`, `requireExplicitFeedback`, risk). */
export function rules(a: ApprovalDetail, task: TaskDetail | null) {
  const high = a.riskAssessment.level === 'high' || a.riskAssessment.level === 'critical';
  return {
    reasonToApprove: Boolean(task?.humanInLoop?.requireExplicitReason) || high,
    feedback: Boolean(task?.humanInLoop?.requireExplicitFeedback),
    high,
  };
}
