/**
 * Issue 26 through the TypeScript SDK against a real server (SQLite and PostgreSQL): an approver
 * requests changes, the agent's `waitForApproval` resolves `{ changesRequested: true, feedback }`,
 * the agent revises with `reviseTask`, the approver approves the new version and the agent executes
 * it; and an approver approves one of the proposal's alternatives, whose payload is what executes.
 */
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../test-support/harness.js';
import { HumanOSClient, StalePayloadError } from '../src/index.js';

for (const backend of backends()) {
  describe(`request changes and revise through the SDK [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:sdk-drafter', []],
        lead: ['did:human:sdk-lead', ['comms_lead']],
      },
    });
    const as = (who: 'agent' | 'lead') =>
      new HumanOSClient({ baseUrl: s.t.url, apiKey: s.as[who].token as string, retries: 0 });

    it('changes requested → reviseTask → fresh approval → executes the revision', async () => {
      const [agent, lead] = [as('agent'), as('lead')];
      const task = await agent.createTask({
        description: 'Send the Q4 email',
        humanInLoop: { approverRole: 'comms_lead' },
        payload: { to: 'client@example.com', subject: 'Q4', body: 'Draft 1' },
      });
      const view = await lead.approvals.get(task.approvalRequest?.id as string);
      await agent.createTask({ description: 'unrelated', humanInLoop: { approverRole: 'comms_lead' } });
      const asked = await lead.requestChanges(view, { feedback: 'Mention the renewal date' });
      expect(asked).toMatchObject({ taskStatus: 'changes_requested', version: 1, payloadDigest: view.currentDigest });

      const first = await agent.waitForApproval(task.id, { timeoutMs: 5000 });
      expect(first).toMatchObject({
        decided: true,
        approved: false,
        changesRequested: true,
        feedback: 'Mention the renewal date',
        changesRequestedBy: 'did:human:sdk-lead',
      });
      const revised = await agent.reviseTask(task.id, {
        payload: { to: 'client@example.com', subject: 'Q4', body: 'Draft 2: renewal on 1 March' },
      });
      expect(revised).toMatchObject({ version: 2, diff: [{ path: '/body', from: 'Draft 1' }] });
      // The view of version 1 no longer decides anything.
      const stale = await lead.approve(view, { approvalReason: 'ok' }).catch((e: unknown) => e);
      expect(stale).toMatchObject({ status: 409, code: 'already_decided' });
      const again = await lead.approvals.get(revised.approvalRequest?.id as string);
      await lead.approve(again, { approvalReason: 'good now' });
      const second = await agent.waitForApproval(task.id, { timeoutMs: 5000 });
      expect(second).toMatchObject({ approved: true, changesRequested: false, version: 2 });
      let ran: unknown;
      await agent.executeTask(task.id, {
        handler: (payload) => {
          ran = payload;
          return { sent: true };
        },
      });
      expect(ran).toEqual({ to: 'client@example.com', subject: 'Q4', body: 'Draft 2: renewal on 1 March' });
    });

    it('a stale view cannot request changes (StalePayloadError, nothing written)', async () => {
      const [agent, lead] = [as('agent'), as('lead')];
      const task = await agent.createTask({
        description: 'Post the status update',
        humanInLoop: { approverRole: 'comms_lead' },
        payload: { text: 'v1' },
      });
      const id = task.approvalRequest?.id as string;
      const before = await s.t.fingerprint();
      const e = await lead
        .requestChanges(id, { feedback: 'shorter', payloadDigest: `sha256:${'1'.repeat(64)}` })
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StalePayloadError);
      expect(await s.t.fingerprint()).toBe(before);
    });

    it('approving an alternative: the agent learns which, and its payload is what executes', async () => {
      const [agent, lead] = [as('agent'), as('lead')];
      const task = await agent.createTask({
        description: 'Delete backup b-7',
        humanInLoop: { approverRole: 'comms_lead' },
        payload: { backupId: 'b-7', action: 'delete' },
        aiProposal: {
          alternatives: ['Archive to cold storage instead'],
          alternativePayloads: [{ backupId: 'b-7', action: 'archive' }],
        },
      });
      const view = await lead.approvals.get(task.approvalRequest?.id as string);
      await lead.approve(view, { approvalReason: 'archive it', alternative: 0 });
      const outcome = await agent.waitForApproval(task.id);
      expect(outcome.alternative).toMatchObject({ index: 0, action: 'Archive to cold storage instead' });
      let ran: unknown;
      await agent.executeTask(task.id, {
        handler: (payload) => {
          ran = payload;
          return null;
        },
      });
      expect(ran).toEqual({ backupId: 'b-7', action: 'archive' });
    });
  });
}
