import { payloadDigest } from '@humanos/core';
import type { Transaction } from 'kysely';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';

/**
 * An approval path: the gates whose approvals together let something run with one payload — the
 * task's execution gates (chain steps, quorums, escalations), or the steps of one in-run decision.
 * Every approval that counts was given for the payload as it stands (`digest`): an edit moves the
 * digest on, and approvals for an earlier version stop counting until their approvers approve again.
 */
export interface ApprovalPath {
  kind: 'execution' | 'decision';
  /** Open, waiting and approved gates, in step order (escalated, expired, cancelled ones are done). */
  gates: ApprovalRow[];
  /** The payload as it stands, and its digest. */
  payload: unknown;
  digest: string;
}

/** The statuses of a path's gates that still count (escalated, expired, cancelled ones are done). */
export const LIVE = ['pending', 'waiting', 'approved'] as const;

/**
 * The path `gate` belongs to, from `rows`: the live gates of its task on that path (read with the
 * gate itself, `subjectOf`), in step order.
 */
export function pathOf(gate: ApprovalRow, task: TaskRow, rows: readonly ApprovalRow[]): ApprovalPath {
  // Always include the gate being decided (a lone in-run decision from before groups has no group).
  const gates = (rows.some((g) => g.id === gate.id) ? [...rows] : [...rows, gate]).sort(
    (a, b) => a.step - b.step || a.requested_at - b.requested_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const payload =
    gate.kind === 'decision' ? (p<{ payload?: unknown } | null>(gate.proposal)?.payload ?? {}) : p(task.payload);
  const digest =
    gate.kind === 'decision' || task.payload_digest === null ? payloadDigest(payload) : task.payload_digest;
  return { kind: gate.kind === 'decision' ? 'decision' : 'execution', gates, payload, digest };
}

/** Distinct approvers per gate whose approval was for `digest`. */
export async function currentApprovals(
  trx: Transaction<Database>,
  gates: readonly ApprovalRow[],
  digest: string,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>(gates.map((g) => [g.id, new Set()]));
  if (gates.length === 0) return out;
  const rows = await trx
    .selectFrom('decisions')
    .select(['approval_id', 'principal_id'])
    .where(
      'approval_id',
      'in',
      gates.map((g) => g.id),
    )
    .where('verdict', '=', 'approved')
    .where('payload_digest', '=', digest)
    .execute();
  for (const r of rows) out.get(r.approval_id)?.add(r.principal_id);
  return out;
}

/**
 * The status each gate of a path should have, given who approved the current version: in step
 * order, satisfied gates are approved; the first unsatisfied one is open (pending); later
 * unsatisfied ones wait for their turn. Done when every gate is satisfied.
 */
export function walkPath(
  gates: readonly ApprovalRow[],
  approvers: Map<string, Set<string>>,
): { statuses: Map<string, 'approved' | 'pending' | 'waiting'>; done: boolean } {
  const statuses = new Map<string, 'approved' | 'pending' | 'waiting'>();
  let open = false;
  for (const g of gates) {
    const satisfied = (approvers.get(g.id)?.size ?? 0) >= g.required;
    if (satisfied) statuses.set(g.id, 'approved');
    else {
      statuses.set(g.id, open ? 'waiting' : 'pending');
      open = true;
    }
  }
  return { statuses, done: !open };
}
