/**
 * Issue 26 over MCP, with the official MCP SDK client (stdio and Streamable HTTP), on both backends:
 * a human requests changes, `wait_for_decision` answers "changes requested: <feedback>", the model
 * revises with `revise_request`, the human approves the new version and the model runs exactly it;
 * and a human approving one of the proposal's alternatives is reported as such.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { call, connectHumanOS, suffix, type TransportKind } from './helpers.js';

for (const backend of backends()) {
  describe(`request changes and revise over MCP [${backend}]`, () => {
    let t: TestServer;
    let approver: Api;
    beforeAll(async () => {
      t = await startTestServer(backend);
      approver = await t.principal(`did:human:ops-${suffix()}`, ['ops_lead']);
    });
    afterAll(async () => t?.close());

    /** The approver's view of the task's open gate (with the digest shown). */
    const gateOf = async (approvalId: string) => (await approver.get(`/approvals/${approvalId}`)).body;

    for (const kind of ['stdio', 'http'] as TransportKind[]) {
      describe(`over ${kind}`, () => {
        let mcp: Client;
        beforeAll(async () => {
          const agent = await t.principal(`did:agent:mcp-rev-${kind}-${suffix()}`, []);
          mcp = await connectHumanOS(kind, t.url, agent.token);
        });
        afterAll(async () => mcp?.close());

        it('changes requested → the model revises → re-approved → runs the revision', async () => {
          const created = await call(mcp, 'request_approval', {
            description: 'Email the customer about the outage',
            payload: { to: 'c@example.com', body: 'Sorry for the outage.' },
            approverRole: 'ops_lead',
          });
          const gate = await gateOf(created.approvalId);
          const asked = await approver.post(`/approvals/${gate.id}/request-changes`, {
            feedback: 'Say when service was restored',
            payloadDigest: gate.currentDigest,
          });
          expect(asked.status).toBe(200);
          const out = await call(mcp, 'wait_for_decision', { taskId: created.taskId });
          expect(out).toMatchObject({ outcome: 'changes_requested', feedback: 'Say when service was restored' });
          expect(out.message).toMatch(/^changes requested: "Say when service was restored"/);
          expect(out.message).toMatch(/revise_request/);

          const body = 'Sorry for the outage; service was restored at 14:05.';
          const revised = await call(mcp, 'revise_request', {
            taskId: created.taskId,
            payload: { to: 'c@example.com', body },
            reasoning: 'added the restore time',
          });
          expect(revised).toMatchObject({ status: 'awaiting_approval', version: 2 });
          const pending = await call(mcp, 'wait_for_decision', { taskId: created.taskId, waitSeconds: 0 });
          expect(pending.outcome).toBe('pending');
          const again = await gateOf(revised.approvalId);
          expect(
            (await approver.post(`/approvals/${again.id}/approve`, { payloadDigest: again.currentDigest })).status,
          ).toBe(200);
          const approved = await call(mcp, 'wait_for_decision', { taskId: created.taskId });
          expect(approved).toMatchObject({ outcome: 'approved', approvedPayload: { to: 'c@example.com', body } });
          const started = await call(mcp, 'start_execution', { taskId: created.taskId });
          expect(started.approvedPayload).toEqual({ to: 'c@example.com', body });
        });

        it('revising is only for a request whose approver asked for changes', async () => {
          const created = await call(mcp, 'request_approval', {
            description: 'Restart the cache',
            payload: { node: 'cache-1' },
            approverRole: 'ops_lead',
          });
          const r = await mcp.callTool({
            name: 'revise_request',
            arguments: { taskId: created.taskId, payload: { node: 'cache-2' } },
          });
          expect(r.isError).toBe(true);
          expect((await approver.get(`/tasks/${created.taskId}`)).body.payload).toEqual({ node: 'cache-1' });
        });

        it('an approved alternative is reported with its payload', async () => {
          const created = await call(mcp, 'request_approval', {
            description: 'Delete backup b-9',
            payload: { backupId: 'b-9', action: 'delete' },
            alternatives: ['Archive it instead'],
            alternativePayloads: [{ backupId: 'b-9', action: 'archive' }],
            approverRole: 'ops_lead',
          });
          const gate = await gateOf(created.approvalId);
          const r = await approver.post(`/approvals/${gate.id}/approve`, {
            payloadDigest: gate.currentDigest,
            approvalReason: 'archive',
            alternative: 0,
          });
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          const out = await call(mcp, 'wait_for_decision', { taskId: created.taskId });
          expect(out).toMatchObject({
            outcome: 'approved',
            approvedPayload: { backupId: 'b-9', action: 'archive' },
            alternative: { index: 0, action: 'Archive it instead' },
          });
          expect(out.message).toMatch(/chose your alternative 0/);
        });
      });
    }
  });
}
