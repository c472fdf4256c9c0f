/**
 * Execution authority from the log (`executionAuthority`): each refusal is asserted by its reason, so
 * that removing one check cannot pass unnoticed because another check happens to refuse the same log
 * for a different reason (issue 30: the old tests asserted only `{ ok: false }`).
 */
import { describe, expect, it } from 'vitest';
import { type Authority, executionAuthority, type IndexedEntry } from '../src/authority.js';
import type { DecisionRecord, LedgerEntry } from '../src/ledger.js';
import { generateSigningKey, type SigningKey, signDecision } from '../src/signing.js';

const KEY = generateSigningKey();
const TASK = 'task:1';

/** Builds one task's log entry by entry, signing decisions with a real key. */
class Log {
  readonly entries: IndexedEntry[] = [];
  constructor(private readonly key: SigningKey = KEY) {}

  private add(e: Omit<LedgerEntry, 'v' | 'seq' | 'at' | 'actor' | 'taskId'> & { taskId?: string }): this {
    const index = this.entries.length;
    this.entries.push({ index, entry: { v: 1, seq: index, at: 't', actor: 'did:agent:a', taskId: TASK, ...e } });
    return this;
  }
  created(status = 'awaiting_approval', payloadDigest = 'd0'): this {
    return this.add({ type: 'task.created', data: { status, payloadDigest } });
  }
  gate(approvalId: string, kind = 'execution', required = 1): this {
    return this.add({ type: 'approval.requested', approvalId, data: { kind, required } });
  }
  decide(
    approvalId: string,
    by: string,
    verdict: 'approved' | 'rejected',
    digest = 'd1',
    opts: { recordTask?: string; signer?: SigningKey; signature?: string } = {},
  ): this {
    const record: DecisionRecord = {
      type: 'humanos.decision/v1',
      origin: 'o',
      approvalId,
      taskId: opts.recordTask ?? TASK,
      verdict,
      decidedBy: by,
      decidedAt: 't',
      reason: 'r',
      feedback: null,
      edits: null,
      payloadDigest: digest,
    };
    const signature = opts.signature ?? signDecision(record, opts.signer ?? this.key);
    return this.add({ type: 'approval.decided', approvalId, data: { record, signature } });
  }
  event(type: LedgerEntry['type'], approvalId?: string): this {
    return this.add({ type, ...(approvalId ? { approvalId } : {}), data: {} });
  }
  authority(): Authority {
    return executionAuthority(this.entries, KEY.publicKeyRaw);
  }
}

/** The refusal reason (the test fails with the authority shown if it was granted). */
function refusal(a: Authority): string {
  if (a.ok) throw new Error(`expected a refusal, got authority ${JSON.stringify(a)}`);
  return a.reason;
}

describe('execution authority: one person, one seat', () => {
  it('one person approving both steps of a chain is refused as filling two seats', () => {
    const log = new Log()
      .created()
      .gate('g1')
      .gate('g2')
      .decide('g1', 'alice', 'approved')
      .decide('g2', 'alice', 'approved');
    expect(refusal(log.authority())).toMatch(/alice fills two seats/);
  });
  it('two people on the two steps are granted, naming both decisions in index order', () => {
    const log = new Log()
      .created()
      .gate('g1')
      .gate('g2')
      .decide('g2', 'bob', 'approved')
      .decide('g1', 'alice', 'approved');
    // g2's decision (index 3) was logged before g1's (index 4): the list is sorted, not in gate order.
    expect(log.authority()).toEqual({ ok: true, digest: 'd1', decisions: [3, 4] });
  });
  it('one person approving a 2-of-N quorum twice fills one seat', () => {
    const log = new Log()
      .created()
      .gate('g1', 'execution', 2)
      .decide('g1', 'alice', 'approved')
      .decide('g1', 'alice', 'approved');
    expect(refusal(log.authority())).toMatch(/has 1 of 2 approvals/);
  });
});

describe('execution authority: a reject among approvals', () => {
  it('a 2-of-N gate with one reject and two approvals is refused, naming the reject', () => {
    const log = new Log()
      .created()
      .gate('g1', 'execution', 2)
      .decide('g1', 'alice', 'approved')
      .decide('g1', 'carol', 'rejected')
      .decide('g1', 'bob', 'approved');
    expect(refusal(log.authority())).toMatch(/rejected at ledger index 3/);
  });
  it('a reject on a gate the log never requested counts as an execution reject', () => {
    const log = new Log().created().gate('g1').decide('g1', 'alice', 'approved').decide('gX', 'bob', 'rejected');
    expect(refusal(log.authority())).toMatch(/rejected at ledger index 3/);
  });
  it.each(['audit', 'review', 'decision'])('a reject on a side gate (%s) does not take the authority away', (kind) => {
    const log = new Log()
      .created()
      .gate('g1')
      .decide('g1', 'alice', 'approved')
      .gate('s1', kind)
      .decide('s1', 'bob', 'rejected');
    expect(log.authority()).toEqual({ ok: true, digest: 'd1', decisions: [2] });
  });
  it('a reject on a routing gate refuses', () => {
    const log = new Log()
      .created()
      .gate('g1')
      .gate('r1', 'routing')
      .decide('g1', 'alice', 'approved')
      .decide('r1', 'bob', 'rejected');
    expect(refusal(log.authority())).toMatch(/rejected at ledger index 4/);
  });
});

describe('execution authority: what ends it', () => {
  it('approve then cancel: a task cancelled after approval has no authority', () => {
    const log = new Log().created().gate('g1').decide('g1', 'alice', 'approved').event('task.cancelled');
    expect(refusal(log.authority())).toMatch(/cancelled/);
  });
  it('an expired gate ends the authority, even when approved later', () => {
    const log = new Log().created().gate('g1').event('approval.expired', 'g1').decide('g1', 'alice', 'approved');
    expect(refusal(log.authority())).toMatch(/approval g1 expired/);
  });
  it('the first ending is the one reported', () => {
    const log = new Log()
      .created()
      .gate('g1')
      .decide('g1', 'alice', 'approved')
      .event('task.cancelled')
      .event('approval.expired', 'g1');
    expect(refusal(log.authority())).toMatch(/the task was cancelled/);
  });
  it('other events (a reminder, a pause) change nothing', () => {
    const log = new Log()
      .created()
      .gate('g1')
      .event('approval.reminder', 'g1')
      .decide('g1', 'alice', 'approved')
      .event('task.paused');
    expect(log.authority()).toEqual({ ok: true, digest: 'd1', decisions: [3] });
  });
});

describe('execution authority: superseded gates', () => {
  it.each(['approval.escalated', 'approval.cancelled'] as const)(
    'a gate %s no longer needs approvals; its replacement does',
    (type) => {
      const log = new Log().created().gate('g1').event(type, 'g1').gate('g2').decide('g2', 'bob', 'approved');
      expect(log.authority()).toEqual({ ok: true, digest: 'd1', decisions: [4] });
      const unanswered = new Log().created().gate('g1').event(type, 'g1').gate('g2').decide('g1', 'bob', 'approved');
      expect(refusal(unanswered.authority())).toMatch(/approval g2 has 0 of 1 approvals/);
    },
  );
  it('an escalation or cancellation of a gate the log never requested changes nothing', () => {
    const log = new Log().created().gate('g1').event('approval.escalated', 'gX').event('approval.cancelled', 'gY');
    expect(refusal(log.authority())).toMatch(/no approval is recorded/);
    expect(log.decide('g1', 'alice', 'approved').authority()).toEqual({ ok: true, digest: 'd1', decisions: [4] });
  });
  it('superseding one gate leaves the others demanded', () => {
    const log = new Log()
      .created()
      .gate('g1')
      .gate('g2')
      .event('approval.cancelled', 'g2')
      .decide('g2', 'bob', 'approved');
    expect(refusal(log.authority())).toMatch(/approval g1 has 0 of 1/);
  });
});

describe('execution authority: routing gates and the creation entry', () => {
  it('an unapproved routing gate refuses; approved, it grants', () => {
    const unrouted = new Log().created().gate('g1').gate('r1', 'routing').decide('g1', 'alice', 'approved');
    expect(refusal(unrouted.authority())).toMatch(/routing r1 is not approved/);
    const routed = unrouted.decide('r1', 'bob', 'approved', 'other-digest');
    // The routing approval neither counts as a seat nor sets the digest the task runs with.
    expect(routed.authority()).toEqual({ ok: true, digest: 'd1', decisions: [3] });
  });
  it('a cancelled routing gate is no longer demanded', () => {
    const log = new Log()
      .created()
      .gate('g1')
      .gate('r1', 'routing')
      .event('approval.cancelled', 'r1')
      .decide('g1', 'a', 'approved');
    expect(log.authority()).toEqual({ ok: true, digest: 'd1', decisions: [4] });
  });
  it('without gates, only a task created approved has authority, with its creation digest', () => {
    expect(new Log().created('approved', 'dC').authority()).toEqual({ ok: true, digest: 'dC', decisions: [] });
    expect(refusal(new Log().created().authority())).toMatch(/not approved at creation/);
    // Side gates are not execution gates: still approved as created.
    const audited = new Log().created('approved', 'dC').gate('a1', 'audit').decide('a1', 'x', 'approved');
    expect(audited.authority()).toEqual({ ok: true, digest: 'dC', decisions: [] });
  });
  it('a routing-only task (no execution gate) rests on its creation status', () => {
    const log = new Log().created().gate('r1', 'routing').decide('r1', 'bob', 'approved');
    expect(refusal(log.authority())).toMatch(/not approved at creation/);
  });
  it('a log without a creation entry is refused', () => {
    const log = new Log().gate('g1').decide('g1', 'alice', 'approved');
    expect(refusal(log.authority())).toMatch(/no creation entry/);
  });
  it('a gate with no approval at all is refused', () => {
    expect(refusal(new Log().created().gate('g1').authority())).toMatch(/no approval is recorded/);
    // An approval of a side gate is not one on the approval path.
    const side = new Log().created().gate('g1').gate('s1', 'review').decide('s1', 'alice', 'approved');
    expect(refusal(side.authority())).toMatch(/no approval is recorded/);
  });
});

describe('execution authority: the digest', () => {
  it('the latest approval sets the digest; approvals of an older version do not count', () => {
    const log = new Log()
      .created()
      .gate('g1', 'execution', 2)
      .decide('g1', 'alice', 'approved', 'd1')
      .decide('g1', 'bob', 'approved', 'd2');
    expect(refusal(log.authority())).toMatch(/approval g1 has 1 of 2 approvals for digest d2/);
    log.decide('g1', 'alice', 'approved', 'd2');
    expect(log.authority()).toEqual({ ok: true, digest: 'd2', decisions: [3, 4] });
  });
  it('a chain step approved for an older digest does not count for the newer one', () => {
    const log = new Log()
      .created()
      .gate('g1')
      .gate('g2')
      .decide('g1', 'alice', 'approved', 'd1')
      .decide('g2', 'bob', 'approved', 'd2');
    expect(refusal(log.authority())).toMatch(/approval g1 has 0 of 1 approvals for digest d2/);
  });
});

describe('execution authority: signatures', () => {
  it('a decision signed by another key is refused, naming its index', () => {
    const log = new Log()
      .created()
      .gate('g1')
      .decide('g1', 'alice', 'approved', 'd1', { signer: generateSigningKey() });
    expect(refusal(log.authority())).toMatch(/decision at ledger index 2 is not validly signed/);
  });
  it('a validly signed decision about another task is refused', () => {
    const log = new Log().created().gate('g1').decide('g1', 'alice', 'approved', 'd1', { recordTask: 'task:2' });
    expect(refusal(log.authority())).toMatch(/decision at ledger index 2 is not validly signed for this task/);
  });
  it('a signature that is not hex is refused, not thrown', () => {
    const log = new Log().created().gate('g1').decide('g1', 'alice', 'approved', 'd1', { signature: 'zz' });
    expect(refusal(log.authority())).toMatch(/not validly signed/);
  });
  it('a bad signature refuses even on a side gate', () => {
    const log = new Log()
      .created('approved')
      .gate('a1', 'audit')
      .decide('a1', 'x', 'approved', 'd1', { signer: generateSigningKey() });
    expect(refusal(log.authority())).toMatch(/ledger index 2/);
  });
});

describe('execution authority: attention checks', () => {
  it('a task whose signed creation entry marks it an attention check never gets authority, even fully approved', () => {
    const log = new Log();
    log.entries.push({
      index: 0,
      entry: {
        v: 1,
        seq: 0,
        at: 't',
        actor: 'did:agent:a',
        taskId: TASK,
        type: 'task.created',
        data: { status: 'awaiting_approval', payloadDigest: 'd0', attentionCheck: true },
      },
    });
    log.gate('g1').decide('g1', 'alice', 'approved');
    expect(refusal(log.authority())).toBe('an attention check never executes');
    // The same log without the mark is granted: the mark alone refuses.
    const real = new Log().created().gate('g1').decide('g1', 'alice', 'approved');
    expect(real.authority().ok).toBe(true);
  });
});
