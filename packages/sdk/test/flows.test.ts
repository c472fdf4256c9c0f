/**
 * SDK flows against a real server (SQLite and PostgreSQL): executeTask without a handler (the
 * workers run it), routing with assignTo, capabilities, the approver calls of the HumanOS facade, and
 * requireApproval (approve, approve with edits, reject, throw, timeout).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import {
  ApprovalDeniedError,
  configureHumanOS,
  HumanOS,
  HumanOSApiError,
  HumanOSClient,
  requireApproval,
  Worker,
} from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of backends()) {
  describe(`SDK flows against the server [${backend}]`, () => {
    let t: TestServer;
    let admin: HumanOSClient;
    let n = 0;
    /** A new principal and a client acting as it. */
    const as = async (kind: 'human' | 'agent', roles: string[], capabilities: string[] = []) => {
      const id = `did:${kind}:p${++n}-${Math.random().toString(36).slice(2, 8)}`;
      const p = await admin.createPrincipal({ id, roles, capabilities });
      return { id, client: new HumanOSClient({ baseUrl: t.url, apiKey: p.token, retries: 1 }), created: p };
    };
    /** The approver's side: wait for the task's gate in the inbox, then decide it. */
    const decideWhenAsked = async (
      approver: HumanOSClient,
      taskId: string,
      decide: (id: string) => Promise<unknown>,
    ) => {
      for (let i = 0; i < 200; i++) {
        const gate = (await approver.inbox()).items.find((a) => a.taskId === taskId);
        if (gate) return decide(gate.id);
        await sleep(50);
      }
      throw new Error(`no gate for ${taskId} reached the inbox`);
    };
    /** Resolves with the id of the next task the agent creates (its newest one not in `seen`). */
    const nextTaskOf = async (agent: HumanOSClient, seen: Set<string>) => {
      for (let i = 0; i < 200; i++) {
        const task = (await agent.listTasks()).items.find((x) => !seen.has(x.id));
        if (task) return task.id;
        await sleep(50);
      }
      throw new Error('the guarded call created no task');
    };

    beforeAll(async () => {
      t = await startTestServer(backend);
      admin = new HumanOSClient({ baseUrl: t.url, apiKey: t.admin.token as string });
    });
    afterAll(async () => t?.close());

    it('createPrincipal takes capabilities; registerCapabilities replaces the caller’s own', async () => {
      const w = await as('agent', ['executor'], ['accounting', 'reporting']);
      expect(w.created).toMatchObject({
        kind: 'agent',
        roles: ['executor'],
        capabilities: ['accounting', 'reporting'],
      });
      expect(await w.client.me()).toMatchObject({ id: w.id, roles: ['executor'] });
      expect(await w.client.principals.registerCapabilities(['billing', 'billing'])).toEqual({
        id: w.id,
        capabilities: ['billing'],
      });
      expect((await admin.getPrincipal(w.id)).capabilities).toEqual(['billing']);
    });

    it('routing: approve with assignTo; executeTask without a handler waits until the assigned worker completes it', async () => {
      const agent = await as('agent', []);
      const lead = await as('human', ['ops']);
      const a = await as('agent', ['executor'], ['backups']);
      const b = await as('agent', ['executor'], ['backups']);
      const task = await agent.client.createTask({
        description: 'Prune backups older than 90 days',
        requiredCapabilities: ['backups'],
        routing: { approverRole: 'ops' },
        humanInLoop: { approverRole: 'ops' },
        payload: { olderThanDays: 90 },
      });
      expect(task.approvalRequest?.kind).toBe('routing');
      expect(task.approvalChain?.map((g) => g.kind)).toEqual(['routing', 'execution']);
      const routed = await lead.client.approve(task.approvalRequest?.id as string, {
        approvalReason: 'b is on call',
        assignTo: b.id,
      });
      expect(routed).toMatchObject({ status: 'approved', taskStatus: 'awaiting_approval', approvedBy: lead.id });
      expect(routed.provenance.ledgerIndex).toBeGreaterThan(0);
      const execGate = (await lead.client.inbox()).items.find((g) => g.taskId === task.id);
      const approved = await lead.client.approve(execGate?.id as string, {
        approvalReason: 'go',
        edits: { olderThanDays: 120 },
      });
      expect(approved).toMatchObject({ taskStatus: 'approved', edits: { olderThanDays: 120 } });

      // Both workers poll; only the assignee may claim it.
      const ran: string[] = [];
      const workers = [a, b].map(
        (w) =>
          new Worker(w.client, {
            capabilities: ['backups'],
            pollMs: 50,
            handler: async (payload) => {
              ran.push(w.id);
              return { pruned: 3, olderThanDays: payload.olderThanDays };
            },
          }),
      );
      const started = Date.now();
      const waiting = agent.client.executeTask(task.id, { timeoutMs: 20_000 });
      await sleep(300);
      for (const w of workers) w.start();
      const done = await waiting;
      await Promise.all(workers.map((w) => w.stop()));
      expect(done.status).toBe('completed');
      expect(done.result).toEqual({ pruned: 3, olderThanDays: 120 });
      expect(done.execution?.executor).toBe(b.id);
      expect(ran).toEqual([b.id]);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('executeTask without a handler returns a task the worker failed, with its error', async () => {
      const agent = await as('agent', []);
      const lead = await as('human', ['ops']);
      const w = await as('agent', ['executor'], ['mail']);
      const task = await agent.client.createTask({
        description: 'Send the renewal notices',
        requiredCapabilities: ['mail'],
        humanInLoop: { approverRole: 'ops' },
      });
      await lead.client.approve(task.approvalRequest?.id as string, { approvalReason: 'ok' });
      const worker = new Worker(w.client, {
        capabilities: ['mail'],
        pollMs: 50,
        handler: () => {
          throw new Error('SMTP relay refused the connection');
        },
        onError: () => {},
      });
      worker.start();
      const done = await agent.client.executeTask(task.id, { timeoutMs: 20_000 });
      await worker.stop();
      expect(done.status).toBe('failed');
      expect(done.error).toEqual({ message: 'SMTP relay refused the connection' });
    });

    it('executeTask without a handler: timeout, abort, and tasks no worker can ever take', async () => {
      const agent = await as('agent', []);
      const lead = await as('human', ['ops']);
      const make = async (caps: string[]) => {
        const task = await agent.client.createTask({
          description: 'Reindex search',
          requiredCapabilities: caps,
          humanInLoop: { approverRole: 'ops' },
        });
        return task;
      };
      const withCaps = await make(['search']);
      await lead.client.approve(withCaps.approvalRequest?.id as string, { approvalReason: 'ok' });
      // Nobody runs it: the bounded wait ends with `timeout`.
      const t0 = Date.now();
      const late = await agent.client.executeTask(withCaps.id, { timeoutMs: 400 }).catch((e) => e);
      expect(late).toBeInstanceOf(HumanOSApiError);
      expect(late.code).toBe('timeout');
      expect(Date.now() - t0).toBeLessThan(3000);
      // The caller cancels.
      const ac = new AbortController();
      const reason = new Error('the user closed the chat');
      setTimeout(() => ac.abort(reason), 200);
      await expect(agent.client.executeTask(withCaps.id, { signal: ac.signal })).rejects.toBe(reason);
      // No capabilities: only its requester runs it, so waiting would be forever.
      const bare = await make([]);
      await lead.client.approve(bare.approvalRequest?.id as string, { approvalReason: 'ok' });
      const none = await agent.client.executeTask(bare.id).catch((e) => e);
      expect(none).toMatchObject({ code: 'invalid_state' });
      expect(none.message).toContain('pass a handler');
      // Rejected: it will never run.
      const rejected = await make(['search']);
      await lead.client.reject(rejected.approvalRequest?.id as string, { rejectionReason: 'not now' });
      expect(await agent.client.executeTask(rejected.id).catch((e) => e)).toMatchObject({ code: 'invalid_state' });
      // With a handler it runs here, as before.
      const here = await agent.client.executeTask(withCaps.id, { handler: (p) => ({ reindexed: true, p }) });
      expect(here).toMatchObject({ status: 'completed', result: { reindexed: true, p: {} } });
    });

    it('executeTask without a handler refuses a payload that is not the approved one (payload_mismatch); nothing runs', async () => {
      const agent = await as('agent', []);
      const lead = await as('human', ['finance']);
      const task = await agent.client.createTask({
        description: 'Pay ACME',
        requiredCapabilities: ['payments'],
        humanInLoop: { approverRole: 'finance' },
        payload: { to: 'ACME', amount: 100 },
      });
      await lead.client.approve(task.approvalRequest?.id as string, { approvalReason: 'ok' });
      const approved = await agent.client.getTask(task.id);
      const before = await admin.ledger.checkpoint();
      const e = await agent.client
        .executeTask(task.id, { payload: { to: 'ACME', amount: 100_000 }, timeoutMs: 5_000 })
        .catch((x) => x);
      expect(e).toBeInstanceOf(HumanOSApiError);
      expect(e).toMatchObject({ code: 'payload_mismatch', status: 409 });
      expect(e.problem).toMatchObject({ approvedDigest: approved.payloadDigest });
      // Nothing ran and nothing was written: still approved, never started, the ledger unchanged.
      const after = await agent.client.getTask(task.id);
      expect(after).toMatchObject({ status: 'approved', execution: null, result: null });
      expect((await admin.ledger.checkpoint()).size).toBe(before.size);
      // The approved payload (keys in any order) is accepted: the call waits for the workers.
      const wait = await agent.client
        .executeTask(task.id, { payload: { amount: 100, to: 'ACME' }, timeoutMs: 300 })
        .catch((x) => x);
      expect(wait).toMatchObject({ code: 'timeout' });
    });

    it('waitForApproval announces a gate decided before it first looked', async () => {
      const agent = await as('agent', []);
      const lead = await as('human', ['comms']);
      const task = await agent.client.createTask({
        description: 'Send the Q4 email',
        humanInLoop: { approverRole: 'comms' },
        payload: { to: 'a@b.c' },
      });
      await lead.client.approve(task.approvalRequest?.id as string, { approvalReason: 'fine' });
      const seen: string[] = [];
      const approval = await agent.client.waitForApproval(task.id, { onApprovalRequest: (g) => void seen.push(g.id) });
      expect(approval.approved).toBe(true);
      expect(seen).toEqual([task.approvalRequest?.id]);
    });

    it('the HumanOS facade has the approver calls: inbox, getApproval, approve, reject', async () => {
      const agent = await as('agent', []);
      const approver = await as('human', ['finance_manager']);
      const one = await agent.client.createTask({
        description: 'Pay invoice 7',
        humanInLoop: { approverRole: 'finance_manager' },
        aiProposal: { action: 'Pay $70', confidence: 0.8 },
      });
      const two = await agent.client.createTask({
        description: 'Pay invoice 8',
        humanInLoop: { approverRole: 'finance_manager' },
      });
      configureHumanOS({ baseUrl: t.url, apiKey: approver.created.token });
      const inbox = await HumanOS.inbox();
      expect(inbox.items.map((a) => a.taskId).sort()).toEqual([one.id, two.id].sort());
      const gate = await HumanOS.getApproval(one.approvalRequest?.id as string);
      expect(gate.aiProposal).toMatchObject({ action: 'Pay $70', confidence: 0.8 });
      const ok = await HumanOS.approve(gate.id, { approvalReason: 'matches the PO' }, { idempotencyKey: 'k1' });
      expect(ok).toMatchObject({ status: 'approved', taskStatus: 'approved', approvalReason: 'matches the PO' });
      const no = await HumanOS.reject(two.approvalRequest?.id as string, { rejectionReason: 'duplicate' });
      expect(no).toMatchObject({ status: 'rejected', taskStatus: 'rejected', rejectionReason: 'duplicate' });
      expect((await HumanOS.inbox()).items).toEqual([]);
      // The same call with the same key (a retry after a lost answer) gets the first answer back; a new
      // call (a fresh key) is a second decision and is refused; the key with another body too.
      expect(await HumanOS.approve(gate.id, { approvalReason: 'matches the PO' }, { idempotencyKey: 'k1' })).toEqual(
        ok,
      );
      const again = await HumanOS.approve(gate.id, { approvalReason: 'again' }).catch((e) => e);
      expect(again).toMatchObject({ code: 'already_decided', status: 409 });
      const reused = await HumanOS.approve(gate.id, { approvalReason: 'again' }, { idempotencyKey: 'k1' }).catch(
        (e) => e,
      );
      expect(reused).toMatchObject({ code: 'idempotency_key_reused', status: 409 });
      // Confidence is a number when the proposal gave one, null when not.
      expect((await agent.client.getTask(one.id)).confidence).toBe(0.8);
      expect((await agent.client.getTask(two.id)).confidence).toBeNull();
    });

    describe('requireApproval', () => {
      it('approved: the function runs once with the arguments and its result is the task’s', async () => {
        const agent = await as('agent', []);
        const lead = await as('human', ['comms_lead']);
        const sent: unknown[][] = [];
        const sendEmail = agent.client.requireApproval(
          async function send_email(to: string, body: string) {
            sent.push([to, body]);
            return { messageId: 'm-1', to };
          },
          {
            humanInLoop: { approverRole: 'comms_lead' },
            aiProposal: { reasoning: 'the customer asked', confidence: 0.9 },
          },
        );
        const seen = new Set((await agent.client.listTasks()).items.map((x) => x.id));
        const call = sendEmail('ann@example.com', 'Your refund is on its way');
        const taskId = await nextTaskOf(agent.client, seen);
        const gate = await lead.client.approvals.inbox().then((r) => r.items.find((a) => a.taskId === taskId));
        expect(gate?.aiProposal).toMatchObject({
          action: 'send_email',
          reasoning: 'the customer asked',
          confidence: 0.9,
        });
        expect(gate?.task.description).toBe('Call send_email("ann@example.com","Your refund is on its way")');
        await lead.client.approve(gate?.id as string, { approvalReason: 'fine' });
        expect(await call).toEqual({ messageId: 'm-1', to: 'ann@example.com' });
        expect(sent).toEqual([['ann@example.com', 'Your refund is on its way']]);
        const task = await agent.client.getTask(taskId);
        expect(task).toMatchObject({
          status: 'completed',
          proposedPayload: { args: ['ann@example.com', 'Your refund is on its way'] },
          result: { messageId: 'm-1', to: 'ann@example.com' },
        });
      });

      it('approved with edits: the function runs with the human’s arguments', async () => {
        const agent = await as('agent', []);
        const lead = await as('human', ['treasurer']);
        const paid: [string, number][] = [];
        const pay = agent.client.requireApproval(
          (vendor: string, amount: number) => {
            paid.push([vendor, amount]);
            return `paid ${vendor} ${amount}`;
          },
          { action: 'pay_vendor', humanInLoop: { approverRole: 'treasurer' } },
        );
        const seen = new Set((await agent.client.listTasks()).items.map((x) => x.id));
        const call = pay('ACME', 5000);
        const taskId = await nextTaskOf(agent.client, seen);
        await decideWhenAsked(lead.client, taskId, (id) =>
          lead.client.approve(id, { approvalReason: 'partial', edits: { args: ['ACME', 4500] } }),
        );
        expect(await call).toBe('paid ACME 4500');
        expect(paid).toEqual([['ACME', 4500]]);
        expect((await agent.client.getTask(taskId)).approvedPayload).toEqual({ args: ['ACME', 4500] });
      });

      it('rejected: the function does not run; the rejection comes back as text an LLM can read, or thrown', async () => {
        const agent = await as('agent', []);
        const lead = await as('human', ['dba_lead']);
        let ran = 0;
        const drop = async function drop_table(name: string) {
          ran++;
          return name;
        };
        const opts = { humanInLoop: { approverRole: 'dba_lead' }, client: agent.client };
        const seen = new Set<string>();
        const asText = requireApproval(drop, opts);
        const call = asText('orders_2019');
        const taskId = await nextTaskOf(agent.client, seen);
        seen.add(taskId);
        await decideWhenAsked(lead.client, taskId, (id) =>
          lead.client.reject(id, { rejectionReason: 'still referenced by the restore drill' }),
        );
        const answer = await call;
        expect(answer).toBe(
          `The human ${lead.id} rejected drop_table: still referenced by the restore drill. Do not retry it unchanged.`,
        );

        const asError = requireApproval(drop, { ...opts, onReject: 'throw' });
        const thrown = asError('orders_2020').catch((e) => e);
        const second = await nextTaskOf(agent.client, seen);
        seen.add(second);
        await decideWhenAsked(lead.client, second, (id) => lead.client.reject(id, { rejectionReason: 'no' }));
        const e = await thrown;
        expect(e).toBeInstanceOf(ApprovalDeniedError);
        expect(e.denial).toMatchObject({
          taskId: second,
          action: 'drop_table',
          outcome: 'rejected',
          rejectedBy: lead.id,
          reason: 'no',
        });

        const asObject = requireApproval(drop, { ...opts, onReject: (d) => ({ denied: true, why: d.reason }) });
        const objected = asObject('orders_2021');
        const third = await nextTaskOf(agent.client, seen);
        await decideWhenAsked(lead.client, third, (id) => lead.client.reject(id, { rejectionReason: 'later' }));
        expect(await objected).toEqual({ denied: true, why: 'later' });
        expect(ran).toBe(0);
        expect((await agent.client.getTask(third)).status).toBe('rejected');
      });

      it('no decision within timeoutMs: the task is withdrawn and the call denied', async () => {
        const agent = await as('agent', []);
        const guarded = agent.client.requireApproval(
          async function restart_db() {
            throw new Error('must not run');
          },
          { humanInLoop: { approverRole: 'nobody_here' }, timeoutMs: 300, onReject: 'throw' },
        );
        const e = await guarded().catch((x) => x);
        expect(e).toBeInstanceOf(ApprovalDeniedError);
        expect(e.denial.outcome).toBe('timed_out');
        expect((await agent.client.getTask(e.denial.taskId)).status).toBe('cancelled');
      });
    });
  });
}
