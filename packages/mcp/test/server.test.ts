import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type CallToolResult, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { call, connectHumanOS, eventually, suffix, type TransportKind, textOf } from './helpers.js';

const TOOLS = [
  'complete_task',
  'fail_task',
  'get_task',
  'report_progress',
  'request_approval',
  'revise_request',
  'start_execution',
  'wait_for_decision',
];

for (const backend of backends()) {
  describe(`HumanOS MCP server [${backend}]`, () => {
    let t: TestServer;
    let approver: Api;
    beforeAll(async () => {
      t = await startTestServer(backend);
      approver = await t.principal(`did:human:ops-${suffix()}`, ['ops_lead']);
    });
    afterAll(async () => t?.close());

    for (const kind of ['stdio', 'http'] as TransportKind[]) {
      describe(`over ${kind}`, () => {
        let agent: Api;
        let mcp: Client;
        beforeAll(async () => {
          agent = await t.principal(`did:agent:mcp-${kind}-${suffix()}`, []);
          mcp = await connectHumanOS(kind, t.url, agent.token);
        });
        afterAll(async () => mcp?.close());

        const request = (extra: Record<string, unknown> = {}) =>
          call(mcp, 'request_approval', {
            description: 'Delete the stale build artefacts',
            action: 'rm -rf /srv/builds/old',
            reasoning: 'They are older than 90 days and the disk is 95% full',
            confidence: 0.8,
            risk: 'high',
            payload: { path: '/srv/builds/old', mode: 'fast' },
            approverRole: 'ops_lead',
            ...extra,
          });

        it('lists the tools with schemas, and none that decides', async () => {
          const { tools } = await mcp.listTools();
          expect(tools.map((x) => x.name).sort()).toEqual(TOOLS);
          const req = tools.find((x) => x.name === 'request_approval');
          expect(req?.inputSchema.required).toEqual(['description']);
          expect(Object.keys(req?.inputSchema.properties ?? {})).toEqual(
            expect.arrayContaining(['payload', 'approverRole', 'approvalTimeout', 'escalationPolicy', 'risk']),
          );
          expect(tools.some((x) => /approve|reject|decide/.test(x.name))).toBe(false);
          for (const tool of tools) expect(tool.description?.length).toBeGreaterThan(40);
        });

        it('request → human approves (with edits) through REST → approved with provenance; runs and completes', async () => {
          const created = await request();
          expect(created).toMatchObject({ status: 'awaiting_approval', approverRole: 'ops_lead', risk: 'high' });
          expect(created.taskId).toMatch(/^task:human:/);
          expect(created.approvalId).toMatch(/^approval:human:/);
          const updated: string[] = [];
          mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
          await mcp.subscribeResource({ uri: created.resource });

          const pending = await call(mcp, 'wait_for_decision', { taskId: created.taskId, waitSeconds: 1 });
          expect(pending).toMatchObject({ outcome: 'pending', taskStatus: 'awaiting_approval' });
          expect(pending.message).toMatch(/call wait_for_decision again/i);

          const decided = await approver.post(`/approvals/${created.approvalId}/approve`, {
            approvalReason: 'Checked: nothing references them',
            edits: { mode: 'safe' },
          });
          expect(decided.status).toBe(200);
          await eventually(() => (updated.includes(created.resource) ? true : undefined));

          const approved = await call(mcp, 'wait_for_decision', { taskId: created.taskId });
          expect(approved).toMatchObject({
            outcome: 'approved',
            approvedPayload: { path: '/srv/builds/old', mode: 'safe' },
            edits: { mode: 'safe' },
            edited: true,
            approvedBy: approver.token ? expect.stringMatching(/^did:human:ops-/) : undefined,
            reason: 'Checked: nothing references them',
          });
          const prov = approved.provenance;
          expect(prov.signer).toMatch(/^did:key:/);
          expect(prov.decisions).toHaveLength(1);
          expect(prov.decisions[0]).toMatchObject({ verdict: 'approved', inLedger: true });
          expect(prov.decisions[0].signature).toBe(decided.body.provenance.approvalSignature);
          expect(prov.decisions[0].ledgerIndex).toBe(decided.body.provenance.ledgerIndex);

          const started = await call(mcp, 'start_execution', { taskId: created.taskId });
          expect(started).toMatchObject({ status: 'executing', approvedPayload: { mode: 'safe' } });
          expect(started.grant.signature).toMatch(/^0x/);
          const again = await call(mcp, 'start_execution', { taskId: created.taskId });
          expect(again.executionId).toBe(started.executionId);
          const beat = await call(mcp, 'report_progress', {
            taskId: created.taskId,
            progress: 'half',
            confidence: 0.9,
          });
          expect(beat).toMatchObject({ action: 'continue', status: 'executing' });
          const done = await call(mcp, 'complete_task', { taskId: created.taskId, result: { freedGb: 120 } });
          expect(done).toMatchObject({ status: 'completed', executionId: started.executionId });

          const task = await agent.get(`/tasks/${created.taskId}`);
          expect(task.body).toMatchObject({ status: 'completed', result: { freedGb: 120 } });
          const view = await call(mcp, 'get_task', { taskId: created.taskId });
          expect(view).toMatchObject({ status: 'completed', result: { freedGb: 120 } });
          // What the human saw is what executed: the payload as every channel shows it, the edit marked.
          expect(view.approvals[0].whatWillExecute).toEqual(['Mode: safe (edited)', 'Path: /srv/builds/old']);
          expect(view.approvals[0].display).toMatchObject({ hiddenFields: 0, tooLarge: false, template: null });
          const read = await mcp.readResource({ uri: created.resource });
          expect(JSON.parse((read.contents[0] as { text: string }).text).status).toBe('completed');
        });

        it('low confidence while executing pauses the task; report_progress waits for the review', async () => {
          const created = await request({ pauseBelowConfidence: 0.5 });
          await approver.post(`/approvals/${created.approvalId}/approve`, { approvalReason: 'go' });
          await call(mcp, 'start_execution', { taskId: created.taskId });
          const reporting = call(mcp, 'report_progress', { taskId: created.taskId, confidence: 0.2, progress: 'odd' });
          const review = await eventually(async () => {
            const task = (await t.admin.get(`/tasks/${created.taskId}`)).body;
            return task.approvals.find(
              (g: { kind: string; status: string }) => g.kind === 'review' && g.status === 'pending',
            );
          });
          expect((await agent.get(`/tasks/${created.taskId}`)).body.status).toBe('paused');
          expect(
            (await approver.post(`/approvals/${review.id}/approve`, { approvalReason: 'looks fine' })).status,
          ).toBe(200);
          expect(await reporting).toMatchObject({ action: 'continue', status: 'executing' });
          const failed = await call(mcp, 'fail_task', { taskId: created.taskId, error: 'disk vanished' });
          expect(failed.status).toBe('failed');
          expect((await agent.get(`/tasks/${created.taskId}`)).body.error).toEqual({ message: 'disk vanished' });
        });

        it('a rejection comes back with the reason, phrased for the model; the task cannot be completed', async () => {
          const created = await request();
          const r = await approver.post(`/approvals/${created.approvalId}/reject`, {
            rejectionReason: 'Use the archive job instead of deleting',
          });
          expect(r.status).toBe(200);
          const out = await call(mcp, 'wait_for_decision', { taskId: created.taskId });
          expect(out).toMatchObject({ outcome: 'rejected', reason: 'Use the archive job instead of deleting' });
          expect(out.message).toMatch(/REJECTED.*Use the archive job.*Do not carry out/s);
          const complete = (await mcp.callTool({
            name: 'complete_task',
            arguments: { taskId: created.taskId, result: {} },
          })) as CallToolResult;
          expect(complete.isError).toBe(true);
          expect(textOf(complete)).toMatch(/invalid_state/);
          expect((await agent.get(`/tasks/${created.taskId}`)).body.status).toBe('rejected');
        });

        it('an unanswered request expires (escalationPolicy reject) and says so', async () => {
          const created = await request({ approvalTimeout: 60, escalationPolicy: 'reject' });
          t.clock.advance(61_000);
          await t.server.service.timers.expireDue();
          const out = await call(mcp, 'wait_for_decision', { taskId: created.taskId });
          expect(out).toMatchObject({ outcome: 'expired', taskStatus: 'expired' });
          expect(out.message).toMatch(/must NOT be carried out/);
        });

        it('an agent cannot decide: no tool for it, and its token is refused by the REST API', async () => {
          const created = await request();
          const before = await t.fingerprint();
          const viaMcp = await mcp.callTool({ name: 'approve', arguments: { approvalId: created.approvalId } }).then(
            (r) => r as CallToolResult,
            (e: Error) => ({ isError: true, content: [{ type: 'text' as const, text: e.message }] }),
          );
          expect(viaMcp.isError).toBe(true);
          const viaRest = await agent.post(`/approvals/${created.approvalId}/approve`, {});
          expect(viaRest.status).toBe(403);
          expect(viaRest.body.code).toMatch(/agent_cannot_decide|forbidden|role_required/);
          expect(await t.fingerprint()).toBe(before);
          const out = await call(mcp, 'wait_for_decision', { taskId: created.taskId, waitSeconds: 0 });
          expect(out.outcome).toBe('pending');
        });

        it('another principal cannot see or act on the task', async () => {
          const created = await request();
          const other = await t.principal(`did:agent:other-${suffix()}`, []);
          const otherMcp = await connectHumanOS(kind, t.url, other.token);
          try {
            const r = (await otherMcp.callTool({
              name: 'get_task',
              arguments: { taskId: created.taskId },
            })) as CallToolResult;
            expect(r.isError).toBe(true);
            expect(textOf(r)).toMatch(/not_found/);
          } finally {
            await otherMcp.close();
          }
        });
      });
    }
  });
}
