/**
 * Issue 22 through the TypeScript SDK against a real server (SQLite and PostgreSQL): Ann reads a
 * 2-of-N payment (IBAN DE…), Mal approves it with the IBAN changed; Ann's approval of the view she
 * read throws StalePayloadError with the current payload and the diff and writes nothing; by id
 * without a digest it throws PayloadDigestRequiredError; with the current digest it counts.
 */
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../test-support/harness.js';
import { HumanOSClient, PayloadDigestRequiredError, StalePayloadError } from '../src/index.js';

const DE = 'DE89370400440532013000';
const GB = 'GB33BUKB20201555555555';

for (const backend of backends()) {
  describe(`approvals name the payload version they are for [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:sdk-payer', []],
        ann: ['did:human:sdk-ann', ['treasury']],
        mal: ['did:human:sdk-mal', ['treasury']],
      },
    });
    const as = (who: 'agent' | 'ann' | 'mal') =>
      new HumanOSClient({ baseUrl: s.t.url, apiKey: s.as[who].token as string, retries: 0 });

    it('a stale view throws StalePayloadError and writes nothing; the current digest counts', async () => {
      const [agent, ann, mal] = [as('agent'), as('ann'), as('mal')];
      const task = await agent.createTask({
        description: 'Pay supplier invoice 2231',
        approvalPolicy: { type: 'threshold', required: 2, eligible: ['treasury'] },
        payload: { iban: DE, amount: 5000 },
      });
      const id = task.approvalRequest?.id as string;
      const seen = await ann.approvals.get(id);
      expect(seen.task.payload).toEqual({ iban: DE, amount: 5000 });
      await mal.approve(await mal.approvals.get(id), { approvalReason: 'moved banks', edits: { iban: GB } });

      const before = await s.t.fingerprint();
      const e = await ann.approve(seen, { approvalReason: 'IBAN checked' }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StalePayloadError);
      const stale = e as StalePayloadError;
      const now = await s.t.admin.get(`/approvals/${id}`);
      expect(stale).toMatchObject({
        status: 409,
        seenDigest: seen.currentDigest,
        currentDigest: now.body.currentDigest,
        currentPayload: { iban: GB, amount: 5000 },
        diff: [{ path: '/iban', from: DE, to: GB }],
      });
      expect(stale.currentDigest).not.toBe(seen.currentDigest);
      const required = await ann.approve(id, { approvalReason: 'ok' }).catch((x: unknown) => x);
      expect(required).toBeInstanceOf(PayloadDigestRequiredError);
      expect(await s.t.fingerprint()).toBe(before);

      const ok = await ann.approve(id, { approvalReason: 'new IBAN confirmed', payloadDigest: stale.currentDigest });
      expect(ok).toMatchObject({ status: 'approved', taskStatus: 'approved', payloadDigest: stale.currentDigest });
      const decision = await agent.waitForApproval(task.taskId);
      expect(decision.approvedPayload).toEqual({ iban: GB, amount: 5000 });
    });
  });
}
