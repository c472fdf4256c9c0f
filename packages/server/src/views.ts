import { type AiProposal, HumanOSError, type RankedCandidate } from '@humanos/core';
import type { Selectable } from 'kysely';
import type { Database } from './db/schema.js';
import { iso, p } from './rows.js';

export type TaskRow = Selectable<Database['tasks']>;
export type ApprovalRow = Selectable<Database['approvals']>;
export type DecisionRow = Selectable<Database['decisions']>;

/** A routing gate proposes the best-ranked resource, with the others as alternatives. */
export function routingGateView(g: ApprovalRow, taskProposal: AiProposal): Record<string, unknown> {
  const prop = p<{ proposedResource: string | null; ranking: RankedCandidate[] }>(g.proposal);
  const others = prop.ranking.filter((r) => r.id !== prop.proposedResource).map((r) => `Assign to ${r.id}`);
  const best = prop.ranking[0];
  return {
    aiProposal: {
      action: prop.proposedResource
        ? `Assign to ${prop.proposedResource}`
        : 'No registered resource matches; choose one',
      reasoning: best
        ? `Best capability match (${Math.round(best.capabilityMatch * 100)} %) and past quality ${best.meanQuality === null ? 'unrated' : best.meanQuality.toFixed(2)} (${best.ratings} ratings)`
        : null,
      confidence: taskProposal.confidence,
      alternatives: others,
    },
    alternatives: others,
    proposedResource: prop.proposedResource,
    ranking: prop.ranking,
  };
}

/** An in-run decision gate shows the agent's proposal for that decision, not the task's. */
export function decisionGateView(g: ApprovalRow): Record<string, unknown> {
  const prop = p<{
    action: string;
    reasoning: string | null;
    confidence: number | null;
    alternatives: string[];
    payload: unknown;
    approvedPayload?: unknown;
    approvedDigest?: string;
  }>(g.proposal);
  return {
    aiProposal: {
      action: prop.action,
      reasoning: prop.reasoning,
      confidence: prop.confidence,
      alternatives: prop.alternatives,
    },
    alternatives: prop.alternatives,
    payload: prop.payload,
    approvedPayload: prop.approvedPayload ?? null,
    payloadDigest: prop.approvedDigest ?? null,
  };
}

export function decisionView(d: DecisionRow): Record<string, unknown> {
  return {
    principal: d.principal_id,
    verdict: d.verdict,
    reason: d.reason,
    feedback: d.feedback,
    edits: p(d.edits),
    payloadDigest: d.payload_digest,
    decidedAt: iso(d.decided_at),
    signature: d.signature,
    ledgerIndex: Number(d.ledger_index),
  };
}

export function encodeCursor(n: number): string {
  return Buffer.from(String(n)).toString('base64url');
}

export function decodeCursor(c: string): number {
  const n = Number(Buffer.from(c, 'base64url').toString());
  if (!Number.isSafeInteger(n)) throw new HumanOSError('bad_request', 'invalid cursor');
  return n;
}

export function encodePairCursor(at: number, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

export function decodePairCursor(c: string): [number, string] {
  const [a, id] = Buffer.from(c, 'base64url').toString().split('|');
  const at = Number(a);
  if (!Number.isSafeInteger(at) || !id) throw new HumanOSError('bad_request', 'invalid cursor');
  return [at, id];
}
