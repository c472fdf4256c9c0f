import { parseLedgerExport, verifyLedger } from '@humanos/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  Api,
  type Backend,
  backends,
  type ChildServer,
  createBackend,
  spawnReplicas,
  spawnServer,
} from '../../../../test-support/harness.js';

describe('crash safety (kill -9)', () => {
  let backend: Backend | undefined;
  const children: ChildServer[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) await c.kill();
    await backend?.drop();
  });

  for (const name of backends()) {
    it(`[${name}] every acknowledged decision survives kill -9 and restart`, async () => {
      backend = await createBackend(name);
      const first = await spawnServer(backend.env);
      children.push(first);
      const admin = new Api(first.url, ADMIN_TOKEN);
      const agentTok = (await admin.post('/principals', { id: 'did:agent:bot', roles: [] })).body.token;
      const approvers: string[] = [];
      for (let i = 0; i < 4; i++)
        approvers.push((await admin.post('/principals', { id: `did:human:a${i}`, roles: ['ops'] })).body.token);
      const agent = admin.as(agentTok);
      const gates: { taskId: string; approvalId: string }[] = [];
      for (let i = 0; i < 60; i++) {
        const r = await agent.post('/tasks', {
          description: `Restart worker ${i}`,
          humanInLoop: { approverRole: 'ops' },
        });
        gates.push({ taskId: r.body.taskId, approvalId: r.body.approvalRequest.id });
      }

      // Approve everything concurrently and pull the plug once half are acknowledged.
      const acked: string[] = [];
      let killed = false;
      const inFlight = gates.map(async (g, i) => {
        const api = admin.as(approvers[i % approvers.length]);
        try {
          const r = await api.post(`/approvals/${g.approvalId}/approve`, { approvalReason: 'ok' });
          if (r.status === 200) acked.push(g.taskId);
        } catch {
          // connection died with the process: not acknowledged, may or may not be recorded
        }
        if (!killed && acked.length >= 30) {
          killed = true;
          first.proc.kill('SIGKILL');
        }
      });
      await Promise.all(inFlight);
      await first.kill();
      expect(acked.length).toBeGreaterThanOrEqual(30);

      const second = await spawnServer(backend.env);
      children.push(second);
      const admin2 = new Api(second.url, ADMIN_TOKEN);
      for (const taskId of acked) {
        const t = await admin2.get(`/tasks/${taskId}`);
        expect(t.status).toBe(200);
        expect(t.body.status).toBe('approved');
        expect(t.body.approvals[0].decisions).toHaveLength(1);
      }
      // And the ledger is whole: every entry, every checkpoint and decision signature verifies.
      const exported = await fetch(`${second.url}/v1/humanos/ledger/export`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const report = verifyLedger(parseLedgerExport(await exported.text()));
      expect(report, JSON.stringify(report)).toMatchObject({ ok: true });
      expect(report.decisionsVerified).toBeGreaterThanOrEqual(acked.length);
    }, 120_000);
  }

  for (const name of backends()) {
    it(`[${name}] deadlines are durable: a timer due while the server was dead fires after restart`, async () => {
      backend = await createBackend(name);
      const env = { ...backend.env, HUMANOS_TIMER_INTERVAL_MS: '100' };
      const first = await spawnServer(env);
      children.push(first);
      const admin = new Api(first.url, ADMIN_TOKEN);
      const agent = admin.as((await admin.post('/principals', { id: 'did:agent:bot', roles: [] })).body.token);
      const plain = await agent.post('/tasks', {
        description: 'Restart cache',
        humanInLoop: { approverRole: 'ops', approvalTimeout: 2 },
      });
      const escalating = await agent.post('/tasks', {
        description: 'Restart queue',
        humanInLoop: { approverRole: 'ops', approvalTimeout: 2, escalationPolicy: 'auto', escalateTo: 'ops_lead' },
      });
      await first.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 2500));
      const second = await spawnServer(env);
      children.push(second);
      const admin2 = new Api(second.url, ADMIN_TOKEN);
      await expect
        .poll(async () => (await admin2.get(`/tasks/${plain.body.taskId}`)).body.status, { timeout: 10_000 })
        .toBe('expired');
      await expect
        .poll(
          async () =>
            (
              (await admin2.get(`/tasks/${escalating.body.taskId}`)).body.approvals as {
                approverRole: string;
                status: string;
              }[]
            ).map((g) => `${g.approverRole}:${g.status}`),
          { timeout: 10_000 },
        )
        .toEqual(['ops:escalated', 'ops_lead:pending']);
    }, 60_000);
  }

  if (backends().includes('postgres')) {
    it('[postgres] two replicas sweeping the same deadlines fire each timer exactly once', async () => {
      backend = await createBackend('postgres');
      const [a, b] = await spawnReplicas(backend, { HUMANOS_TIMER_INTERVAL_MS: '20' });
      children.push(a, b);
      const admin = new Api(a.url, ADMIN_TOKEN);
      const agent = admin.as((await admin.post('/principals', { id: 'did:agent:bot', roles: [] })).body.token);
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        const body =
          i % 2
            ? { description: `job ${i}`, humanInLoop: { approverRole: 'ops', approvalTimeout: 1 } }
            : {
                description: `job ${i}`,
                humanInLoop: {
                  approverRole: 'ops',
                  approvalTimeout: 1,
                  escalationPolicy: 'auto',
                  escalateTo: 'ops_lead',
                },
              };
        ids.push((await agent.post('/tasks', body)).body.taskId);
      }
      await new Promise((r) => setTimeout(r, 2500));
      const exported = await fetch(`${a.url}/v1/humanos/ledger/export`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const bundle = parseLedgerExport(await exported.text());
      expect(verifyLedger(bundle).ok).toBe(true);
      const fired = new Map<string, number>();
      for (const e of bundle.entries) {
        const entry = JSON.parse(e.entry);
        if (entry.type === 'approval.expired' || entry.type === 'approval.escalated')
          fired.set(entry.approvalId, (fired.get(entry.approvalId) ?? 0) + 1);
      }
      // 30 original deadlines, plus the escalation targets' own 1 s deadlines that also passed.
      expect(fired.size).toBeGreaterThanOrEqual(30);
      for (const n of fired.values()) expect(n).toBe(1);
      for (const [i, id] of ids.entries()) {
        const task = (await admin.get(`/tasks/${id}`)).body;
        if (i % 2) expect(task.status).toBe('expired');
        else
          expect(task.approvals.filter((g: { approverRole: string }) => g.approverRole === 'ops_lead')).toHaveLength(1);
      }
    }, 60_000);

    it('[postgres] two replicas: a waiter on one wakes when the other decides; one log, no forks', async () => {
      backend = await createBackend('postgres');
      const [a, b] = await spawnReplicas(backend);
      children.push(a, b);
      const adminA = new Api(a.url, ADMIN_TOKEN);
      const adminB = new Api(b.url, ADMIN_TOKEN);
      const agent = adminA.as((await adminA.post('/principals', { id: 'did:agent:bot', roles: [] })).body.token);
      const approverOnB = adminB.as(
        (await adminA.post('/principals', { id: 'did:human:ann', roles: ['ops'] })).body.token,
      );

      for (let round = 0; round < 3; round++) {
        const created = await agent.post('/tasks', {
          description: `Scale cluster ${round}`,
          humanInLoop: { approverRole: 'ops' },
        });
        const started = Date.now();
        const waiting = agent.get(`/tasks/${created.body.taskId}/decision?wait=30`);
        await new Promise((r) => setTimeout(r, 300));
        const decided = await approverOnB.post(`/approvals/${created.body.approvalRequest.id}/approve`, {
          approvalReason: 'ok',
        });
        expect(decided.status).toBe(200);
        const woke = await waiting;
        expect(woke.body).toMatchObject({ decided: true, approved: true, approvedBy: 'did:human:ann' });
        // Far below the 30 s wait: the NOTIFY (or at worst the 1 s poll) woke it.
        expect(Date.now() - started).toBeLessThan(5000);
      }

      // Concurrent writes through both replicas still make one gap-free, verifiable log.
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? adminA : adminB)
            .as(agent.token as string)
            .post('/tasks', { description: `t${i}`, humanInLoop: { approverRole: 'ops' } }),
        ),
      );
      const exported = await fetch(`${b.url}/v1/humanos/ledger/export`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const report = verifyLedger(parseLedgerExport(await exported.text()));
      expect(report, JSON.stringify(report)).toMatchObject({ ok: true });
    }, 120_000);

    it('[postgres] a replica started with a different signing key refuses to start', async () => {
      backend = await createBackend('postgres');
      const a = await spawnServer({ ...backend.env, HUMANOS_DATA_DIR: `${backend.dataDir}/a` });
      children.push(a);
      await expect(spawnServer({ ...backend.env, HUMANOS_DATA_DIR: `${backend.dataDir}/b` })).rejects.toThrow(
        /HUMANOS_SIGNING_KEY_FILE/,
      );
    }, 60_000);
  }

  it('invalid configuration stops start-up with one line naming the setting', async () => {
    await expect(spawnServer({ PORT: 'eighty' })).rejects.toThrow(
      /invalid configuration: PORT: must be a whole number/,
    );
    await expect(spawnServer({ DATABASE_URL: 'mysql://x' })).rejects.toThrow(/DATABASE_URL: must start with postgres/);
  });
});
