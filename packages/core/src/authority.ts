/**
 * Execution authority from the log: what a task may execute with, derived only from its signed
 * ledger entries (gates requested, decisions signed by the server's key in force at each), never from mutable rows.
 * The server checks the entries' inclusion under a signed checkpoint before calling this; an auditor
 * can run it offline over an export to check an execution grant.
 */
import { payloadDigest } from './canonical.js';
import { isSideGate } from './decision.js';
import { type DecisionRecord, type LedgerEntry, verifyDecisionSignature } from './ledger.js';

export interface IndexedEntry {
  index: number;
  entry: LedgerEntry;
}

export type Authority =
  | {
      ok: true;
      /** The payload digest every counted approval was for. */
      digest: string;
      /** Ledger indexes of the decision entries the authority rests on (empty: approved without a gate). */
      decisions: number[];
    }
  | { ok: false; reason: string };

interface Gate {
  kind: string;
  required: number;
  superseded: boolean;
}

interface Decision {
  index: number;
  record: DecisionRecord;
}

/** The digests of a version's alternative payloads, by index (null: text only), from its signed entry. */
function alternativeDigests(data: Record<string, unknown>): (string | null)[] {
  const proposal = data.aiProposal as { alternativePayloads?: unknown[] } | undefined;
  // Only an object is a payload: a text-only alternative (null) has none, and no digest names one.
  return (proposal?.alternativePayloads ?? []).map((x) =>
    typeof x === 'object' && x !== null ? payloadDigest(x) : null,
  );
}

/**
 * Why a signed choice of an alternative does not name the alternative the version logged, or
 * undefined when it does (or the decision chose none).
 */
function badChoice(record: DecisionRecord, alternatives: readonly (string | null)[]): string | undefined {
  const a = record.alternative;
  if (a === undefined) return undefined;
  const logged = alternatives[a.index];
  if (logged !== a.payloadDigest || record.payloadDigest !== a.payloadDigest)
    return `names alternative ${a.index}, whose payload the log does not have with that digest`;
  return undefined;
}

/** Folds a task's entries into its gates and its valid decisions; a bad signature is itself a refusal. */
function fold(entries: readonly IndexedEntry[], keyAt: (index: number) => Uint8Array) {
  const gates = new Map<string, Gate>();
  let decisions: Decision[] = [];
  let created: LedgerEntry | undefined;
  let ended: string | undefined;
  let alternatives: (string | null)[] = [];
  for (const { index, entry: e } of entries) {
    const d = e.data;
    if (e.type === 'task.created') {
      created = e;
      alternatives = alternativeDigests(d);
    } else if (e.type === 'task.revised') {
      // A new version: no gate or approval of an earlier version counts for it, whatever its digest.
      for (const g of gates.values()) if (g.kind === 'execution') g.superseded = true;
      decisions = decisions.filter((x) => gates.get(x.record.approvalId)?.kind !== 'execution');
      alternatives = alternativeDigests(d);
    } else if (e.type === 'approval.requested' && e.approvalId) {
      gates.set(e.approvalId, { kind: String(d.kind), required: Number(d.required), superseded: false });
    } else if ((e.type === 'approval.escalated' || e.type === 'approval.cancelled') && e.approvalId) {
      const g = gates.get(e.approvalId);
      if (g) g.superseded = true;
    } else if (e.type === 'approval.expired') ended ??= `approval ${e.approvalId} expired`;
    else if (e.type === 'task.cancelled') ended ??= 'the task was cancelled';
    else if (e.type === 'approval.decided') {
      const record = d.record as DecisionRecord;
      if (!verifyDecisionSignature(record, String(d.signature), keyAt(index)) || record.taskId !== e.taskId) {
        return { error: `the decision at ledger index ${index} is not validly signed for this task` };
      }
      const bad = badChoice(record, alternatives);
      if (bad) return { error: `the decision at ledger index ${index} ${bad}` };
      decisions.push({ index, record });
    }
  }
  return { gates, decisions, created, ended };
}

/**
 * The authority to execute a task, from its entries: every live execution gate (not escalated or
 * cancelled) has at least `required` distinct approvers whose signed approval was for one and the
 * same payload digest (the latest approved one), routing gates are approved, and nothing rejected,
 * expired or cancelled the task. A revision (`task.revised`) supersedes every execution gate and
 * approval before it; an approval that chose an alternative must name that alternative's logged
 * payload digest (so the payload that executes is the one the signed choice names). Without gates, the creation entry must say it was approved as is.
 *
 * @example
 * const a = executionAuthority(entriesOfTask, (index) => keyChain.forEntry(index));
 * if (!a.ok || a.digest !== row.approved_digest) refuse();
 */
export function executionAuthority(
  entries: readonly IndexedEntry[],
  publicKey: Uint8Array | ((index: number) => Uint8Array),
): Authority {
  // A log that rotated its key has decisions signed by several keys: the one in force at each entry.
  const f = fold(entries, typeof publicKey === 'function' ? publicKey : () => publicKey);
  if ('error' in f) return { ok: false, reason: f.error as string };
  const { gates, decisions, created, ended } = f;
  if (!created) return { ok: false, reason: 'the log has no creation entry for this task' };
  // A synthetic attention check says so in its signed creation entry: no decision can make it run.
  if (created.data.attentionCheck === true) return { ok: false, reason: 'an attention check never executes' };
  if (ended) return { ok: false, reason: ended };
  const rejected = decisions.find(
    (x) => x.record.verdict === 'rejected' && !isSideGate(gates.get(x.record.approvalId)?.kind ?? 'execution'),
  );
  if (rejected) return { ok: false, reason: `rejected at ledger index ${rejected.index}` };
  const live = [...gates].filter(([, g]) => !g.superseded && (g.kind === 'execution' || g.kind === 'routing'));
  const execution = live.filter(([, g]) => g.kind === 'execution');
  const approvals = decisions.filter((x) => x.record.verdict === 'approved');
  for (const [id] of live.filter(([, g]) => g.kind === 'routing')) {
    if (!approvals.some((x) => x.record.approvalId === id))
      return { ok: false, reason: `routing ${id} is not approved` };
  }
  if (execution.length === 0) {
    if (created.data.status !== 'approved') return { ok: false, reason: 'the task was not approved at creation' };
    return { ok: true, digest: String(created.data.payloadDigest), decisions: [] };
  }
  const onPath = approvals.filter((x) => gates.get(x.record.approvalId)?.kind === 'execution');
  const last = onPath[onPath.length - 1];
  if (!last) return { ok: false, reason: 'no approval is recorded' };
  const digest = last.record.payloadDigest;
  const counted: number[] = [];
  const people = new Set<string>();
  for (const [id, g] of execution) {
    const seats = new Map<string, number>();
    for (const x of onPath) {
      if (x.record.approvalId === id && x.record.payloadDigest === digest) seats.set(x.record.decidedBy, x.index);
    }
    if (seats.size < g.required) {
      return { ok: false, reason: `approval ${id} has ${seats.size} of ${g.required} approvals for digest ${digest}` };
    }
    for (const who of seats.keys()) {
      if (people.has(who)) return { ok: false, reason: `${who} fills two seats of this task` };
      people.add(who);
    }
    counted.push(...seats.values());
  }
  return { ok: true, digest, decisions: counted.sort((a, b) => a - b) };
}
