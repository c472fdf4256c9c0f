import { parseLedgerExport, verifyLedger } from '@humanos/core';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, type TestServer, useTestServer } from '../../../../test-support/harness.js';

/**
 * Issue 22, attack 3: an insider with database write access (no signing key) moves some of a task's
 * ledger entries to another task by editing the plain index column `ledger_entries.task_id` (the
 * entries themselves, and so every signed root, stay intact) and marks the task approved. The grant
 * proves the task's entries complete against the signed task-heads map, so a hidden cancellation,
 * chain step or rejection refuses with integrity_violation, and offline verification names the
 * edited column.
 */
for (const backend of backends()) {
  describe(`a detached ledger entry cannot steer a grant [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:payer', []],
        exec: ['did:agent:wire-runner', ['executor']],
        ann: ['did:human:ann', ['approver']],
        fm: ['did:human:fm', ['finance_manager']],
        cfo: ['did:human:cfo', ['cfo']],
      },
    });
    let t: TestServer;
    let agent: Api;
    let exec: Api;
    let ann: Api;
    let fm: Api;
    let cfo: Api;
    let decoy: string;
    beforeAll(async () => {
      ({ t } = s);
      ({ agent, exec, ann, fm, cfo } = s.as);
      await exec.req('PUT', '/me/capabilities', { capabilities: ['wires'] });
      // The task the moved entries are re-labelled to.
      decoy = (await agent.post('/tasks', { description: 'Decoy', payload: {}, humanInLoop: { enabled: false } })).body
        .taskId;
    });

    const run = (q: string) => sql.raw(q).execute(t.server.store.db);
    const rows = async (q: string) => (await sql.raw<Record<string, unknown>>(q).execute(t.server.store.db)).rows;
    const violations = async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      return Number(/^humanos_integrity_violations_total (\d+)/m.exec(text)?.[1] ?? 'NaN');
    };
    /** The seqs of a task's entries of one type (and gate), by their signed content. */
    const seqsOf = async (taskId: string, type: string, approvalId?: string) =>
      (await rows(`select seq, entry from ledger_entries where task_id = '${taskId}' order by seq`))
        .filter((r) => {
          const e = JSON.parse(String(r.entry));
          return e.type === type && (approvalId === undefined || e.approvalId === approvalId);
        })
        .map((r) => Number(r.seq));
    const detach = async (taskId: string, seqs: number[]) => {
      expect(seqs.length).toBeGreaterThan(0);
      await run(`update ledger_entries set task_id = '${decoy}' where seq in (${seqs.join(',')})`);
      await run(
        `update tasks set status = 'approved', approved_payload = payload, approved_digest = payload_digest where id = '${taskId}'`,
      );
    };
    const exportReport = async () => {
      const text = await (
        await fetch(`${t.url}/v1/humanos/ledger/export`, { headers: { authorization: `Bearer ${t.admin.token}` } })
      ).text();
      return verifyLedger(parseLedgerExport(text));
    };
    /** Execute and claim both refuse, nothing is written, each refusal is counted. */
    const expectRefused = async (taskId: string, why: RegExp) => {
      const before = await t.fingerprint();
      const count = await violations();
      const r = await agent.post(`/tasks/${taskId}/execute`, {});
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('integrity_violation');
      expect(r.body.detail).toMatch(why);
      const claimed = await exec.post('/executions/claim', { capabilities: ['wires'], limit: 5 });
      expect(claimed.status).toBe(200);
      expect(claimed.body.items).toEqual([]);
      expect(await t.fingerprint()).toBe(before);
      expect(await violations()).toBe(count + 2);
    };
    const restore = async (seqs: number[], taskId: string) =>
      run(`update ledger_entries set task_id = '${taskId}' where seq in (${seqs.join(',')})`);
    const chain = async () => {
      const c = await agent.post('/tasks', {
        description: 'Wire 50000 EUR to vendor',
        payload: { amount: 50000, iban: 'DE89370400440532013000' },
        requiredCapabilities: ['wires'],
        approvalChain: [{ role: 'finance_manager' }, { role: 'cfo' }],
      });
      expect(c.status).toBe(201);
      const [step1, step2] = c.body.approvalChain.map((g: { id: string }) => g.id) as [string, string];
      expect((await fm.post(`/approvals/${step1}/approve`, { approvalReason: 'budget ok' })).status).toBe(200);
      return { taskId: c.body.taskId as string, step2 };
    };

    it('a task the log says was cancelled: its hidden task.cancelled refuses the grant; the export names the column', async () => {
      const c = await agent.post('/tasks', {
        description: 'Pay the invoice',
        payload: { amount: 10 },
        requiredCapabilities: ['wires'],
        humanInLoop: { approverRole: 'approver' },
      });
      expect((await ann.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' })).status).toBe(
        200,
      );
      expect((await agent.post(`/tasks/${c.body.taskId}/cancel`, { reason: 'vendor is a fraud' })).status).toBe(200);
      const hidden = await seqsOf(c.body.taskId, 'task.cancelled');
      await detach(c.body.taskId, hidden);
      // Every entry is untouched: the log verifies as a log, but the edited column is named.
      const report = await exportReport();
      expect(report.ok).toBe(false);
      expect(report.firstBadIndex).toBe(hidden[0]);
      expect(report.reason).toMatch(/taskId column/);
      await expectRefused(c.body.taskId, /hidden, moved or missing/);
      // The history no longer claims the remaining entries are the whole story.
      const h = await t.admin.get(`/tasks/${c.body.taskId}/history`);
      expect(h.body.complete).toBe(false);
      await restore(hidden, c.body.taskId);
      await run(`update tasks set status = 'cancelled' where id = '${c.body.taskId}'`);
      expect((await exportReport()).ok).toBe(true);
    });

    it('a finance_manager → cfo chain whose CFO step never decided: hiding the step refuses the grant', async () => {
      const { taskId, step2 } = await chain();
      const hidden = await seqsOf(taskId, 'approval.requested', step2);
      await detach(taskId, hidden);
      await expectRefused(taskId, /hidden, moved or missing/);
      await restore(hidden, taskId);
      await run(`update tasks set status = 'awaiting_approval' where id = '${taskId}'`);
    });

    it('a chain the CFO rejected: hiding the rejection (and its step) refuses the grant', async () => {
      const { taskId, step2 } = await chain();
      expect((await cfo.post(`/approvals/${step2}/reject`, { rejectionReason: 'no' })).status).toBe(200);
      const hidden = [
        ...(await seqsOf(taskId, 'approval.requested', step2)),
        ...(await seqsOf(taskId, 'approval.decided', step2)),
      ];
      expect(hidden.length).toBeGreaterThanOrEqual(2);
      await detach(taskId, hidden);
      await expectRefused(taskId, /hidden, moved or missing/);
      await restore(hidden, taskId);
      await run(`update tasks set status = 'rejected' where id = '${taskId}'`);
    });

    it('an edited stored head is never extended and signed over: the next write on the task refuses, nothing written', async () => {
      const c = await agent.post('/tasks', {
        description: 'Pay the other invoice',
        payload: { amount: 7 },
        humanInLoop: { approverRole: 'approver' },
      });
      // An insider "fixes" the head to match the chain without its next entry, hoping the seal
      // would carry the edit into the next signed root.
      await run(`update task_heads set count = count + 5 where task_id = '${c.body.taskId}'`);
      const before = await t.fingerprint();
      const r = await ann.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' });
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('integrity_violation');
      expect(r.body.detail).toMatch(/not the one the last signed checkpoint commits to/);
      expect(await t.fingerprint()).toBe(before);
      await run(`update task_heads set count = count - 5 where task_id = '${c.body.taskId}'`);
      expect((await ann.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' })).status).toBe(
        200,
      );
      expect((await exportReport()).ok).toBe(true);
    });

    it('an edited stored task head, node or position is refused; restored, the honest grant goes through', async () => {
      const c = await agent.post('/tasks', {
        description: 'Pay the small invoice',
        payload: { amount: 5 },
        humanInLoop: { approverRole: 'approver' },
      });
      expect((await ann.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' })).status).toBe(
        200,
      );
      // One more task, so that this one's leaf has a sibling whatever its position.
      await agent.post('/tasks', { description: 'Neighbour', payload: {}, humanInLoop: { enabled: false } });
      const [head] = await rows(`select * from task_heads where task_id = '${c.body.taskId}'`);
      expect(head).toBeDefined();
      const pos = Number(head?.pos);
      // A node on the task's proof path: its sibling leaf (the task is not the only one).
      const [sibling] = await rows(`select hash from task_head_nodes where level = 0 and idx = ${pos ^ 1}`);
      expect(sibling).toBeDefined();
      const zero = '0'.repeat(64);
      const edits: [string, string, RegExp][] = [
        [
          `update task_heads set count = count + 1 where task_id = '${c.body.taskId}'`,
          `update task_heads set count = count - 1 where task_id = '${c.body.taskId}'`,
          /was edited/,
        ],
        [
          `update task_heads set pos = 1000000 where task_id = '${c.body.taskId}'`,
          `update task_heads set pos = ${pos} where task_id = '${c.body.taskId}'`,
          /outside the signed map/,
        ],
        [
          `update task_head_nodes set hash = '${zero}' where level = 0 and idx = ${pos ^ 1}`,
          `update task_head_nodes set hash = '${sibling?.hash}' where level = 0 and idx = ${pos ^ 1}`,
          /hidden, moved or missing, or the head was edited/,
        ],
      ];
      for (const [edit, undo, why] of edits) {
        await run(edit);
        const before = await t.fingerprint();
        const r = await agent.post(`/tasks/${c.body.taskId}/execute`, {});
        expect(r.body.code).toBe('integrity_violation');
        expect(r.body.detail).toMatch(why);
        expect(await t.fingerprint()).toBe(before);
        await run(undo);
      }
      const ok = await agent.post(`/tasks/${c.body.taskId}/execute`, {});
      expect(ok.status).toBe(200);
      expect((await exportReport()).ok).toBe(true);
    });
    it('a task head moved to the position of another task (both inside the map) is refused; moved back, the grant goes through', async () => {
      // The grant fetches the proof's nodes of the position this process placed the task at, with
      // the row: the stored row decides, so a swapped position is proved (and refused) at its own.
      const c = await agent.post('/tasks', {
        description: 'Pay the swapped invoice',
        payload: { amount: 3 },
        humanInLoop: { approverRole: 'approver' },
      });
      expect((await ann.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' })).status).toBe(
        200,
      );
      const n = await agent.post('/tasks', { description: 'Other', payload: {}, humanInLoop: { enabled: false } });
      const posOf = async (taskId: string) =>
        Number((await rows(`select pos from task_heads where task_id = '${taskId}'`))[0]?.pos);
      const [mine, theirs] = [await posOf(c.body.taskId), await posOf(n.body.taskId)];
      expect(mine).not.toBe(theirs);
      const swap = async (a: number, b: number) => {
        await run(`update task_heads set pos = 999999999 where task_id = '${c.body.taskId}'`);
        await run(`update task_heads set pos = ${a} where task_id = '${n.body.taskId}'`);
        await run(`update task_heads set pos = ${b} where task_id = '${c.body.taskId}'`);
      };
      await swap(mine, theirs);
      const before = await t.fingerprint();
      const r = await agent.post(`/tasks/${c.body.taskId}/execute`, {});
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('integrity_violation');
      expect(r.body.detail).toMatch(/hidden, moved or missing, or the head was edited/);
      expect(await t.fingerprint()).toBe(before);
      await swap(theirs, mine);
      expect((await agent.post(`/tasks/${c.body.taskId}/execute`, {})).status).toBe(200);
      expect((await exportReport()).ok).toBe(true);
    });
  });
}
