/**
 * Execution authority across revisions and chosen alternatives (issue 26): an approval of an earlier
 * version never counts for a revision (even one with the same payload digest), and an approval that
 * chose an alternative must name the digest of the alternative the log recorded for that version.
 */
import { describe, expect, it } from 'vitest';
import { type Authority, executionAuthority, type IndexedEntry } from '../src/authority.js';
import { payloadDigest } from '../src/canonical.js';
import type { DecisionRecord, LedgerEntry } from '../src/ledger.js';
import { generateSigningKey, signDecision } from '../src/signing.js';

const KEY = generateSigningKey();
const TASK = 'task:1';
const ALT = { archive: true };
const ALT_DIGEST = payloadDigest(ALT);

class Log {
  readonly entries: IndexedEntry[] = [];
  private add(e: Omit<LedgerEntry, 'v' | 'seq' | 'at' | 'actor' | 'taskId'>): this {
    const index = this.entries.length;
    this.entries.push({ index, entry: { v: 1, seq: index, at: 't', actor: 'did:agent:a', taskId: TASK, ...e } });
    return this;
  }
  created(alternativePayloads?: unknown[]): this {
    const aiProposal = { alternatives: ['x'], ...(alternativePayloads ? { alternativePayloads } : {}) };
    return this.add({ type: 'task.created', data: { status: 'awaiting_approval', payloadDigest: 'd1', aiProposal } });
  }
  revised(alternativePayloads?: unknown[]): this {
    const aiProposal = { alternatives: ['x'], ...(alternativePayloads ? { alternativePayloads } : {}) };
    return this.add({ type: 'task.revised', data: { payloadDigest: 'd1', aiProposal } });
  }
  gate(approvalId: string, kind = 'execution'): this {
    return this.add({ type: 'approval.requested', approvalId, data: { kind, required: 1 } });
  }
  decide(approvalId: string, by: string, digest: string, alternative?: DecisionRecord['alternative']): this {
    const record: DecisionRecord = {
      type: 'humanos.decision/v1',
      origin: 'o',
      approvalId,
      taskId: TASK,
      verdict: 'approved',
      decidedBy: by,
      decidedAt: 't',
      reason: 'r',
      feedback: null,
      edits: null,
      payloadDigest: digest,
      ...(alternative ? { alternative } : {}),
    };
    return this.add({ type: 'approval.decided', approvalId, data: { record, signature: signDecision(record, KEY) } });
  }
  authority(): Authority {
    return executionAuthority(this.entries, KEY.publicKeyRaw);
  }
}

const reason = (a: Authority) => (a.ok ? `granted ${JSON.stringify(a)}` : a.reason);

describe('execution authority across a revision', () => {
  it('an approval of the earlier version does not count for the revision, even for the same digest', () => {
    // Approved, then (a replay of) changes requested and the agent resubmitted the same payload.
    const log = new Log().created().gate('g1').decide('g1', 'did:human:ann', 'd1').revised().gate('g2');
    expect(reason(log.authority())).toBe('no approval is recorded');
    expect(log.decide('g2', 'did:human:bob', 'd1').authority()).toEqual({ ok: true, digest: 'd1', decisions: [5] });
  });

  it('the same person may approve the revision (their earlier seat was on a superseded gate)', () => {
    const log = new Log().created().gate('g1').decide('g1', 'did:human:ann', 'd1').revised().gate('g2');
    expect(log.decide('g2', 'did:human:ann', 'd2').authority()).toEqual({ ok: true, digest: 'd2', decisions: [5] });
  });

  it('a routing approval stands across a revision; an unapproved routing gate is still demanded', async () => {
    const routed = new Log()
      .created()
      .gate('r1', 'routing')
      .decide('r1', 'did:human:lead', 'd1')
      .gate('g1')
      .revised()
      .gate('g2')
      .decide('g2', 'did:human:bob', 'd2');
    expect(routed.authority()).toEqual({ ok: true, digest: 'd2', decisions: [6] });
    const unrouted = new Log().created().gate('r1', 'routing').gate('g1').revised().gate('g2');
    expect(reason(unrouted.decide('g2', 'did:human:bob', 'd2').authority())).toBe('routing r1 is not approved');
  });

  it('an old gate approved after the revision (a forged late entry) does not count', () => {
    const log = new Log().created().gate('g1').revised().gate('g2').decide('g1', 'did:human:ann', 'd1');
    expect(reason(log.authority())).toBe('approval g2 has 0 of 1 approvals for digest d1');
  });
});

describe('execution authority of a chosen alternative', () => {
  it('grants exactly the alternative’s logged payload digest', () => {
    const log = new Log()
      .created([ALT])
      .gate('g1')
      .decide('g1', 'did:human:ann', ALT_DIGEST, { index: 0, payloadDigest: ALT_DIGEST });
    expect(log.authority()).toEqual({ ok: true, digest: ALT_DIGEST, decisions: [2] });
  });

  it('refuses a signed choice naming another digest, an index the log has not, or a text-only one', () => {
    const other = payloadDigest({ archive: false });
    for (const [alts, alternative, digest] of [
      [[ALT], { index: 0, payloadDigest: other }, other],
      [[ALT], { index: 0, payloadDigest: ALT_DIGEST }, other],
      [[ALT], { index: 1, payloadDigest: ALT_DIGEST }, ALT_DIGEST],
      [[null], { index: 0, payloadDigest: ALT_DIGEST }, ALT_DIGEST],
      [undefined, { index: 0, payloadDigest: ALT_DIGEST }, ALT_DIGEST],
      // A text-only alternative has no payload, so no digest (not even that of `null`) names it.
      [[null], { index: 0, payloadDigest: payloadDigest(null) }, payloadDigest(null)],
      [['text'], { index: 0, payloadDigest: payloadDigest('text') }, payloadDigest('text')],
    ] as const) {
      const log = new Log()
        .created(alts as unknown[] | undefined)
        .gate('g1')
        .decide('g1', 'did:human:ann', digest, alternative);
      expect(reason(log.authority())).toMatch(/^the decision at ledger index 2 names alternative \d/);
    }
  });

  it('a revision’s own alternatives replace the earlier version’s', () => {
    const log = new Log()
      .created([ALT])
      .gate('g1')
      .revised([null])
      .gate('g2')
      .decide('g2', 'did:human:ann', ALT_DIGEST, { index: 0, payloadDigest: ALT_DIGEST });
    expect(reason(log.authority())).toMatch(/names alternative 0/);
  });
});
