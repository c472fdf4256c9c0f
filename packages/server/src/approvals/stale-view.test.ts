import { writeFileSync } from 'node:fs';
import { payloadDigest } from '@humanos/core';
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../../test-support/harness.js';

/**
 * Issue 22, attack 1: an approval counts only for the payload its maker saw. Ann opens a 2-of-N
 * request (IBAN DE89…); Mal approves with an edit to GB33…; Ann's approval, made with the digest of
 * the version she saw, is refused (409 `stale_payload`, with the diff) and nothing is written.
 */
const POLICY = `/tmp/humanos-stale-view-${process.pid}.json`;
writeFileSync(
  POLICY,
  JSON.stringify({
    name: 'stale-view',
    version: 1,
    rules: [
      {
        id: 'quorum',
        match: { descriptionMatches: 'payment' },
        require: { quorum: { required: 2, eligible: ['treasury'] } },
      },
    ],
  }),
);

const DE = 'DE89370400440532013000';
const GB = 'GB33BUKB20201555555555';

for (const backend of backends()) {
  describe(`a decision is bound to the payload its maker saw [${backend}]`, () => {
    const s = useTestServer(backend, {
      env: { HUMANOS_POLICY: POLICY },
      principals: {
        agent: ['did:agent:stale-payer', []],
        ann: ['did:human:stale-ann', ['treasury']],
        mal: ['did:human:stale-mal', ['treasury']],
        bob: ['did:human:stale-bob', ['treasury']],
      },
    });

    /** A 2-of-N payment request; the gate as the approvers first see it. */
    async function payment(n: number): Promise<{ taskId: string; gate: string; seen: string }> {
      const c = await s.as.agent.post('/tasks', {
        description: `Vendor payment ${n}`,
        payload: { amount: 5000, iban: DE, memo: 'invoice 7' },
      });
      expect(c.status).toBe(201);
      const gate = c.body.approvalRequest.id as string;
      const view = await s.as.ann.get(`/approvals/${gate}`);
      expect(view.body.currentDigest).toBe(payloadDigest({ amount: 5000, iban: DE, memo: 'invoice 7' }));
      expect(view.headers.get('etag')).toBe(`"${view.body.currentDigest}"`);
      return { taskId: c.body.taskId, gate, seen: view.body.currentDigest };
    }

    /** What a refusal must leave alone: the whole store, and the gate, its decisions and the ledger as shown. */
    async function state(gate: string) {
      const g = await s.t.admin.get(`/approvals/${gate}`);
      const ledger = await s.t.admin.get('/ledger/checkpoint');
      return {
        fp: await s.t.fingerprint(),
        status: g.body.status,
        decisions: g.body.decisions.length,
        size: ledger.body.size,
      };
    }

    async function malEdits(gate: string, seen: string): Promise<string> {
      const r = await s.as.mal.post(`/approvals/${gate}/approve`, {
        payloadDigest: seen,
        approvalReason: 'corrected bank details',
        edits: { iban: GB },
      });
      expect(r.body).toMatchObject({ status: 'pending', taskStatus: 'awaiting_approval' });
      return r.body.payloadDigest as string;
    }

    it('Ann approves the version she saw after Mal edited it: 409 stale_payload with the diff; nothing written', async () => {
      const { taskId, gate, seen } = await payment(1);
      const edited = await malEdits(gate, seen);
      expect(edited).toBe(payloadDigest({ amount: 5000, iban: GB, memo: 'invoice 7' }));
      const before = await state(gate);
      const r = await s.as.ann.post(`/approvals/${gate}/approve`, { payloadDigest: seen, approvalReason: 'ok' });
      expect(r.status).toBe(409);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body).toMatchObject({
        code: 'stale_payload',
        seenDigest: seen,
        currentDigest: edited,
        currentPayload: { amount: 5000, iban: GB, memo: 'invoice 7' },
        diff: [{ path: '/iban', from: DE, to: GB }],
      });
      expect(await state(gate)).toEqual(before);
      expect(before).toMatchObject({ status: 'pending', decisions: 1 });
      // The task was never approved for GB33 by two people.
      expect((await s.as.agent.post(`/tasks/${taskId}/execute`, {})).status).toBe(409);
    });

    it('after an edit an approval without a digest is 428 payload_digest_required; with the current one it counts', async () => {
      const { taskId, gate, seen } = await payment(2);
      const edited = await malEdits(gate, seen);
      const before = await state(gate);
      const bare = await s.as.ann.post(`/approvals/${gate}/approve`, { approvalReason: 'ok' });
      expect(bare.status).toBe(428);
      expect(bare.body.code).toBe('payload_digest_required');
      expect(bare.body.detail).toContain('currentDigest');
      expect(await state(gate)).toEqual(before);
      const view = await s.as.ann.get(`/approvals/${gate}`);
      expect(view.body.currentDigest).toBe(edited);
      const ok = await s.as.ann.post(`/approvals/${gate}/approve`, {
        payloadDigest: view.body.currentDigest,
        approvalReason: 'GB33 is right',
      });
      expect(ok.body).toMatchObject({ status: 'approved', taskStatus: 'approved', payloadDigest: edited });
      const run = await s.as.agent.post(`/tasks/${taskId}/execute`, {});
      expect(run.body.payload).toEqual({ amount: 5000, iban: GB, memo: 'invoice 7' });
    });

    it('If-Match carries the digest as an ETag; stale → 409, two different digests → 400, malformed → 400', async () => {
      const { gate, seen } = await payment(3);
      const edited = await malEdits(gate, seen);
      const before = await state(gate);
      const stale = await s.as.ann.post(
        `/approvals/${gate}/approve`,
        { approvalReason: 'ok' },
        { 'if-match': `"${seen}"` },
      );
      expect(stale.status).toBe(409);
      expect(stale.body.code).toBe('stale_payload');
      const both = await s.as.ann.post(
        `/approvals/${gate}/approve`,
        { payloadDigest: edited, approvalReason: 'ok' },
        { 'if-match': `"${seen}"` },
      );
      expect(both.status).toBe(400);
      expect(both.body.code).toBe('payload_digest_conflict');
      for (const bad of [edited, `W/"${edited}"`, `"${edited}", "${seen}"`]) {
        const r = await s.as.ann.post(`/approvals/${gate}/approve`, { approvalReason: 'ok' }, { 'if-match': bad });
        expect(r.status).toBe(400);
      }
      // `*` names no version: after an edit that is the same as no digest.
      const star = await s.as.ann.post(`/approvals/${gate}/approve`, { approvalReason: 'ok' }, { 'if-match': '*' });
      expect(star.status).toBe(428);
      expect(await state(gate)).toEqual(before);
      const etag = (await s.as.ann.get(`/approvals/${gate}`)).headers.get('etag') as string;
      const ok = await s.as.ann.post(`/approvals/${gate}/approve`, { approvalReason: 'ok' }, { 'if-match': etag });
      expect(ok.body).toMatchObject({ status: 'approved', payloadDigest: edited });
    });

    it('an edit and an edit back: the original version again still needs a digest; the one seen counts', async () => {
      const { gate, seen } = await payment(4);
      // Three seats needed to see it: Mal edits, Bob edits back (quorum is 2, so Bob's edit-back reopens).
      const gb = await malEdits(gate, seen);
      const back = await s.as.bob.post(`/approvals/${gate}/approve`, {
        payloadDigest: gb,
        approvalReason: 'no, the old account',
        edits: { iban: DE },
      });
      expect(back.body).toMatchObject({ status: 'pending', payloadDigest: seen });
      const before = await state(gate);
      expect((await s.as.ann.post(`/approvals/${gate}/approve`, { approvalReason: 'ok' })).status).toBe(428);
      // A digest of the GB33 version (which Ann may have had on screen) is stale, with the diff back.
      const stale = await s.as.ann.post(`/approvals/${gate}/approve`, { payloadDigest: gb, approvalReason: 'ok' });
      expect(stale.body).toMatchObject({ code: 'stale_payload', diff: [{ path: '/iban', from: GB, to: DE }] });
      expect(await state(gate)).toEqual(before);
      const ok = await s.as.ann.post(`/approvals/${gate}/approve`, { payloadDigest: seen, approvalReason: 'ok' });
      expect(ok.body).toMatchObject({ status: 'approved', taskStatus: 'approved' });
    });

    it('a digest the server never knew: 409 with diff null; a rejection needs no digest but refuses a stale one', async () => {
      const { gate, seen } = await payment(5);
      await malEdits(gate, seen);
      const before = await state(gate);
      const unknown = payloadDigest({ something: 'else' });
      const r = await s.as.ann.post(`/approvals/${gate}/reject`, { payloadDigest: unknown, rejectionReason: 'no' });
      expect(r.body).toMatchObject({ code: 'stale_payload', seenDigest: unknown, diff: null });
      const staleReject = await s.as.ann.post(`/approvals/${gate}/reject`, {
        payloadDigest: seen,
        rejectionReason: 'no',
      });
      expect(staleReject.body.code).toBe('stale_payload');
      expect(await state(gate)).toEqual(before);
      const reject = await s.as.ann.post(`/approvals/${gate}/reject`, { rejectionReason: 'not this account' });
      expect(reject.body).toMatchObject({ status: 'rejected', taskStatus: 'rejected' });
    });

    it('the idempotency fingerprint includes the digest', async () => {
      const { gate, seen } = await payment(6);
      const edited = await malEdits(gate, seen);
      const key = { 'idempotency-key': `stale-${backend}` };
      const first = await s.as.ann.post(
        `/approvals/${gate}/approve`,
        { payloadDigest: edited, approvalReason: 'ok' },
        key,
      );
      expect(first.status).toBe(200);
      const retry = await s.as.ann.post(
        `/approvals/${gate}/approve`,
        { payloadDigest: edited, approvalReason: 'ok' },
        key,
      );
      expect(retry.body).toEqual(first.body);
      const other = await s.as.ann.post(
        `/approvals/${gate}/approve`,
        { payloadDigest: seen, approvalReason: 'ok' },
        key,
      );
      expect(other.body.code).toBe('idempotency_key_reused');
    });

    it('an in-run decision gate: its currentDigest is the decision’s payload; a stale view is refused there too', async () => {
      const c = await s.as.agent.post('/tasks', { description: 'Monthly run', humanInLoop: { enabled: false } });
      expect((await s.as.agent.post(`/tasks/${c.body.taskId}/execute`, {})).status).toBe(200);
      const proposed = { amount: 700, iban: DE };
      const d = await s.as.agent.post(`/tasks/${c.body.taskId}/decisions`, {
        action: 'Vendor payment for the run',
        payload: proposed,
      });
      expect(d.body).toMatchObject({ status: 'pending', approvalRequest: { kind: 'decision', required: 2 } });
      const gate = d.body.approvalRequest.id as string;
      const seen = (await s.as.ann.get(`/approvals/${gate}`)).body.currentDigest;
      expect(seen).toBe(payloadDigest(proposed));
      expect(d.body.approvalRequest.currentDigest).toBe(seen);
      const edit = await s.as.mal.post(`/approvals/${gate}/approve`, {
        payloadDigest: seen,
        approvalReason: 'other account',
        edits: { iban: GB },
      });
      expect(edit.body).toMatchObject({ status: 'pending', payloadDigest: payloadDigest({ amount: 700, iban: GB }) });
      const before = await state(gate);
      const stale = await s.as.ann.post(`/approvals/${gate}/approve`, { payloadDigest: seen, approvalReason: 'ok' });
      expect(stale.body).toMatchObject({
        code: 'stale_payload',
        currentPayload: { amount: 700, iban: GB },
        diff: [{ path: '/iban', from: DE, to: GB }],
      });
      expect((await s.as.ann.post(`/approvals/${gate}/approve`, { approvalReason: 'ok' })).status).toBe(428);
      expect(await state(gate)).toEqual(before);
      const now = (await s.as.ann.get(`/approvals/${gate}`)).body.currentDigest;
      const ok = await s.as.ann.post(`/approvals/${gate}/approve`, { payloadDigest: now, approvalReason: 'ok' });
      expect(ok.body).toMatchObject({ status: 'approved', taskStatus: 'executing', payloadDigest: now });
      expect((await s.as.agent.get(`/approvals/${gate}`)).body.approvedPayload).toEqual({ amount: 700, iban: GB });
    });

    it('a never-edited payload is approved without a digest, and every gate view names its currentDigest', async () => {
      const { taskId, gate, seen } = await payment(7);
      const inbox = await s.as.ann.get('/approvals?status=pending');
      const item = inbox.body.items.find((a: { id: string }) => a.id === gate);
      expect(item.currentDigest).toBe(seen);
      const task = await s.as.ann.get(`/tasks/${taskId}`);
      expect(task.body.approvals[0].currentDigest).toBe(seen);
      expect((await s.as.ann.post(`/approvals/${gate}/approve`, { approvalReason: 'ok' })).body.status).toBe('pending');
      expect((await s.as.bob.post(`/approvals/${gate}/approve`, { approvalReason: 'ok' })).body.status).toBe(
        'approved',
      );
    });
  });
}
