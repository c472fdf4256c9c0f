/**
 * The offline verifier on decisions made on behalf of someone (issue 26): an on-behalf decision must
 * cite an earlier `delegation.created` entry that binds the same two people, covers the decision's
 * role, was in force at its time ([startsAt, endsAt)) and had not been ended. Every log here is signed
 * with the server's own key, so these are forgeries only the log's content can expose: whoever can
 * write rows (or even sign) cannot make an on-behalf decision verify without a delegation before it.
 */
import { describe, expect, it } from 'vitest';
import { inWindow } from '../src/delegation.js';
import { type DecisionRecord, verifyLedger } from '../src/ledger.js';
import { ANN, build, created, decision, type Item, terms } from './delegation.fixtures.js';

describe('offline verification of on-behalf decisions', () => {
  it('a decision within an earlier delegation that covers its role verifies', () => {
    const r = verifyLedger(build([created(), { type: 'approval.decided', record: decision() }]));
    expect(r).toMatchObject({ ok: true, size: 2, decisionsVerified: 1 });
  });

  it('the window is [startsAt, endsAt): at the start it verifies, at the end it fails', () => {
    const at = (decidedAt: string) =>
      verifyLedger(build([created(), { type: 'approval.decided', record: decision({ decidedAt }) }]));
    expect(at('2026-01-10T16:00:00.000Z').ok).toBe(true);
    expect(at('2026-01-10T16:59:59.999Z').ok).toBe(true);
    expect(at('2026-01-10T17:00:00.000Z')).toMatchObject({ ok: false, firstBadIndex: 1, check: 'delegation_window' });
    expect(at('2026-01-10T15:59:59.999Z')).toMatchObject({ ok: false, firstBadIndex: 1, check: 'delegation_window' });
    expect(inWindow({ startsAt: 10, endsAt: 20 }, 10)).toBe(true);
    expect(inWindow({ startsAt: 10, endsAt: 20 }, 20)).toBe(false);
  });

  it('a forged on-behalf decision citing no delegation entry fails at its index', () => {
    const r = verifyLedger(build([{ type: 'task.feedback' }, { type: 'approval.decided', record: decision() }]));
    expect(r).toMatchObject({ ok: false, firstBadIndex: 1, check: 'delegation_unknown' });
  });

  it('a decision citing a delegation written after it fails (it must be earlier in the log)', () => {
    const r = verifyLedger(build([{ type: 'approval.decided', record: decision({ delegation: 1 }) }, created()]));
    expect(r).toMatchObject({ ok: false, firstBadIndex: 0, check: 'delegation_unknown' });
  });

  it('a delegation of another role, or between other people, does not cover the decision', () => {
    const role = verifyLedger(build([created({ roles: ['dba'] }), { type: 'approval.decided', record: decision() }]));
    expect(role).toMatchObject({ ok: false, firstBadIndex: 1, check: 'delegation_role' });
    const other = verifyLedger(
      build([created(), { type: 'approval.decided', record: decision({ decidedBy: 'did:human:mallory' }) }]),
    );
    expect(other).toMatchObject({ ok: false, firstBadIndex: 1, check: 'delegation_parties' });
  });

  it('a decision after the delegation ended fails; an update moves the window the check uses', () => {
    const ended: Item = { type: 'delegation.ended', data: { delegationId: terms().delegationId, created: 0 } };
    const r = verifyLedger(build([created(), ended, { type: 'approval.decided', record: decision() }]));
    expect(r).toMatchObject({ ok: false, firstBadIndex: 2, check: 'delegation_ended' });
    const shorter: Item = {
      type: 'delegation.updated',
      data: { ...terms({ endsAt: '2026-01-10T16:10:00.000Z' }), created: 0 },
    };
    const late = verifyLedger(build([created(), shorter, { type: 'approval.decided', record: decision() }]));
    expect(late).toMatchObject({ ok: false, firstBadIndex: 2, check: 'delegation_window' });
  });

  it('an on-behalf decision without its delegation index, and malformed delegation entries, fail', () => {
    const { delegation: _d, ...bare } = decision();
    const r = verifyLedger(build([created(), { type: 'approval.decided', record: bare as DecisionRecord }]));
    expect(r).toMatchObject({ ok: false, firstBadIndex: 1, check: 'delegation_unknown' });
    const self = verifyLedger(build([created({ delegate: ANN })]));
    expect(self).toMatchObject({ ok: false, firstBadIndex: 0, check: 'delegation_entry' });
    const swap: Item = { type: 'delegation.updated', data: { ...terms({ delegate: 'did:human:eve' }), created: 0 } };
    expect(verifyLedger(build([created(), swap]))).toMatchObject({
      ok: false,
      firstBadIndex: 1,
      check: 'delegation_entry',
    });
  });

  it('a decision made in its own right (no onBehalfOf) is not the registry’s business', () => {
    const { onBehalfOf: _o, delegation: _d, role: _r, ...own } = decision();
    expect(verifyLedger(build([{ type: 'approval.decided', record: own as DecisionRecord }])).ok).toBe(true);
  });
});
