import {
  entryLeafHash,
  hexToBytes,
  openCheckpoint,
  publicKeyFromDidKey,
  rootFromInclusionProof,
  verifyDecisionSignature,
} from '@humanos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Api,
  backends,
  requestsInFlight,
  SEED_CREATE_BODY,
  startTestServer,
  type TestServer,
} from '../../../../test-support/harness.js';

for (const backend of backends()) {
  describe(`approval flow [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let dba: Api;
    let dba2: Api;

    beforeAll(async () => {
      t = await startTestServer(backend);
      agent = await t.principal('did:agent:backup-bot', []);
      dba = await t.principal('did:human:john-dba', ['dba_lead']);
      dba2 = await t.principal('did:human:jane-dba', ['dba_lead']);
    });
    afterAll(async () => t?.close());

    it("runs the seed's REST example verbatim: create, approve, execute, complete", async () => {
      const created = await agent.post('/tasks', SEED_CREATE_BODY);
      expect(created.status).toBe(201);
      const body = created.body;
      expect(body.taskId).toMatch(/^task:human:[0-9a-f]{24}$/);
      expect(body.status).toBe('awaiting_approval');
      const ar = body.approvalRequest;
      expect(ar.id).toMatch(/^approval:human:[0-9a-f]{24}$/);
      expect(ar.requestedAt).toBe('2026-01-10T15:00:00.000Z');
      expect(ar.expiresAt).toBe('2026-01-10T15:30:00.000Z');
      expect(ar.approverRole).toBe('dba_lead');
      expect(ar.aiProposal).toEqual({
        action: SEED_CREATE_BODY.description,
        reasoning: null,
        confidence: null,
        alternatives: [],
      });
      // A deletion in production is high (issue 25), and the payload bears out neither "production" (it
      // names no environment) nor "older than 90 days": one level up, and the warnings say so.
      expect(ar.riskAssessment.level).toBe('critical');
      expect(ar.riskAssessment.factors).toEqual(
        expect.arrayContaining([
          'irreversible_action',
          'production_data',
          'destructive_in_production',
          'significant_size',
          'text_payload_mismatch',
        ]),
      );
      expect(body.warnings.map((w: { code: string; claimed: string }) => [w.code, w.claimed])).toEqual([
        ['text_payload_mismatch', 'production'],
        ['text_payload_mismatch', '90'],
      ]);
      expect(ar.warnings).toEqual(body.warnings);
      expect(body.policy).toMatchObject({ gateRequired: true, id: 'builtin-default' });

      // The approver sees it in the inbox.
      const inbox = await dba.get('/approvals?status=pending');
      expect(inbox.status).toBe(200);
      expect(inbox.body.items.map((i: { id: string }) => i.id)).toContain(ar.id);

      t.clock.advance(5 * 60_000);
      const approved = await dba.post(`/approvals/${ar.id}/approve`, {
        approvedBy: 'did:human:john-dba',
        approvalReason: 'Verified backup integrity and disk space constraints. Proceeding with deletion.',
        feedback: 'AI assessment was correct. Good analysis of risk factors.',
      });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        approvalId: ar.id,
        status: 'approved',
        approvedBy: 'did:human:john-dba',
        approvedAt: '2026-01-10T15:05:00.000Z',
        taskStatus: 'approved',
      });
      const prov = approved.body.provenance;
      expect(prov.approvalSignature).toMatch(/^0x[0-9a-f]{128}$/);
      expect(prov.ledgerProof).toMatch(/^0x([0-9a-f]{64})*$/);

      // Provenance verifies with only the public key: signature, checkpoint signature, inclusion.
      const pk = publicKeyFromDidKey(prov.signer);
      const cp = openCheckpoint(prov.checkpoint, t.server.service.origin, pk);
      expect(cp.size).toBe(prov.treeSize);
      const decision = (await t.admin.get(`/ledger/entries?start=${prov.ledgerIndex}&end=${prov.ledgerIndex + 1}`)).body
        .entries[0];
      const entry = JSON.parse(decision.entry);
      expect(entry.type).toBe('approval.decided');
      expect(verifyDecisionSignature(entry.data.record, prov.approvalSignature, pk)).toBe(true);
      const root = rootFromInclusionProof(
        prov.ledgerIndex,
        prov.treeSize,
        entryLeafHash(decision.entry),
        prov.inclusionProof.map(hexToBytes),
      );
      expect(Buffer.from(root).toString('base64')).toBe(cp.rootHash);

      // Not approvable twice.
      const again = await dba2.post(`/approvals/${ar.id}/approve`, { approvalReason: 'me too', feedback: 'x' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('already_decided');

      const exec = await agent.post(`/tasks/${body.taskId}/execute`, {});
      expect(exec.status).toBe(200);
      expect(exec.body.payload).toEqual(SEED_CREATE_BODY.payload);
      expect(exec.body.status).toBe('executing');
      const done = await agent.post(`/tasks/${body.taskId}/complete`, {
        result: { deleted: true },
        executionId: exec.body.executionId,
      });
      expect(done.status).toBe(200);
      expect(done.body.status).toBe('completed');
      const task = await agent.get(`/tasks/${body.taskId}`);
      expect(task.body).toMatchObject({ status: 'completed', result: { deleted: true } });
      expect(task.body.approvals[0].decisions[0]).toMatchObject({
        principal: 'did:human:john-dba',
        verdict: 'approved',
      });
    });

    it('requireExplicitFeedback: approving without feedback is refused and changes nothing', async () => {
      const created = await agent.post('/tasks', SEED_CREATE_BODY);
      const before = await t.fingerprint();
      const r = await dba.post(`/approvals/${created.body.approvalRequest.id}/approve`, { approvalReason: 'ok' });
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(r.body.code).toBe('validation_failed');
      expect(await t.fingerprint()).toBe(before);
    });

    it('applies human edits as a JSON merge patch; only the approved payload executes', async () => {
      const created = await agent.post('/tasks', {
        description: 'Send email to client@example.com',
        requiredCapabilities: ['email_composition'],
        humanInLoop: { approverRole: 'dba_lead' },
        payload: {
          to: 'client@example.com',
          subject: 'Q4 Performance Review',
          body: 'AI-generated',
          cc: 'boss@example.com',
        },
      });
      const id = created.body.approvalRequest.id;
      const ok = await dba.post(`/approvals/${id}/approve`, {
        approvalReason: 'fix subject',
        edits: { subject: 'Q4 Review', cc: null },
      });
      expect(ok.status).toBe(200);
      const approvedPayload = { to: 'client@example.com', subject: 'Q4 Review', body: 'AI-generated' };
      const decision = await agent.get(`/tasks/${created.body.taskId}/decision`);
      expect(decision.body).toMatchObject({
        approved: true,
        edits: { subject: 'Q4 Review', cc: null },
        approvedPayload,
      });

      const before = await t.fingerprint();
      const wrong = await agent.post(`/tasks/${created.body.taskId}/execute`, {
        payload: { ...approvedPayload, subject: 'Something else' },
      });
      expect(wrong.status).toBe(409);
      expect(wrong.body.code).toBe('payload_mismatch');
      const original = await agent.post(`/tasks/${created.body.taskId}/execute`, {
        payload: {
          to: 'client@example.com',
          subject: 'Q4 Performance Review',
          body: 'AI-generated',
          cc: 'boss@example.com',
        },
      });
      expect(original.status).toBe(409);
      expect(await t.fingerprint()).toBe(before);

      // Key order does not matter: the digest is over canonical JSON.
      const same = await agent.post(`/tasks/${created.body.taskId}/execute`, {
        payload: { body: 'AI-generated', subject: 'Q4 Review', to: 'client@example.com' },
      });
      expect(same.status).toBe(200);
      expect(same.body.payload).toEqual(approvedPayload);
    });

    it('reject ends the task; it can never execute', async () => {
      const created = await agent.post('/tasks', { ...SEED_CREATE_BODY, humanInLoop: { approverRole: 'dba_lead' } });
      const r = await dba.post(`/approvals/${created.body.approvalRequest.id}/reject`, {
        rejectedBy: 'did:human:john-dba',
        rejectionReason: 'Backup is still referenced by the restore drill',
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'rejected', taskStatus: 'rejected', rejectedBy: 'did:human:john-dba' });
      const d = await agent.get(`/tasks/${created.body.taskId}/decision`);
      expect(d.body).toMatchObject({
        decided: true,
        approved: false,
        rejectedBy: 'did:human:john-dba',
        rejectionReason: 'Backup is still referenced by the restore drill',
      });
      const before = await t.fingerprint();
      const exec = await agent.post(`/tasks/${created.body.taskId}/execute`, {});
      expect(exec.status).toBe(409);
      expect(await t.fingerprint()).toBe(before);
    });

    it('rejecting needs a reason', async () => {
      const created = await agent.post('/tasks', { ...SEED_CREATE_BODY, humanInLoop: { approverRole: 'dba_lead' } });
      const r = await dba.post(`/approvals/${created.body.approvalRequest.id}/reject`, { rejectionReason: '   ' });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('validation_failed');
    });

    it('expiry: a decision after expiresAt is refused with 410; the timer expires the task; execute refused', async () => {
      const created = await agent.post('/tasks', {
        description: 'Rotate the staging certificate',
        humanInLoop: { approverRole: 'dba_lead', approvalTimeout: 3600 },
      });
      const id = created.body.approvalRequest.id;
      t.clock.advance(3600_000);
      const before = await t.fingerprint();
      const late = await dba.post(`/approvals/${id}/approve`, { approvalReason: 'late' });
      expect(late.status).toBe(410);
      expect(late.body.code).toBe('approval_expired');
      expect(await t.fingerprint()).toBe(before);

      expect(await t.server.service.timers.expireDue()).toBeGreaterThanOrEqual(1);
      const d = await agent.get(`/tasks/${created.body.taskId}/decision`);
      expect(d.body).toMatchObject({ status: 'expired', decided: true, approved: false, expired: true });
      const exec = await agent.post(`/tasks/${created.body.taskId}/execute`, {});
      expect(exec.status).toBe(410);
      const again = await dba.post(`/approvals/${id}/approve`, { approvalReason: 'later' });
      expect(again.status).toBe(410);
    });

    it("escalationPolicy 'auto' with escalateTo opens a gate for the target on expiry", async () => {
      const cto = await t.principal('did:human:cto', ['cto']);
      const created = await agent.post('/tasks', {
        description: 'Drop the legacy analytics table',
        humanInLoop: { approverRole: 'dba_lead', approvalTimeout: 600, escalationPolicy: 'auto', escalateTo: 'cto' },
      });
      t.clock.advance(600_000);
      await t.server.service.timers.expireDue();
      const d = await agent.get(`/tasks/${created.body.taskId}/decision`);
      expect(d.body.status).toBe('awaiting_approval');
      expect(d.body.approvalRequest.approverRole).toBe('cto');
      expect(d.body.approvalRequest.id).not.toBe(created.body.approvalRequest.id);
      const ok = await cto.post(`/approvals/${d.body.approvalRequest.id}/approve`, { approvalReason: 'fine' });
      expect(ok.status).toBe(200);
      expect(ok.body.taskStatus).toBe('approved');
    });

    it('long-poll returns early on a decision', async () => {
      const created = await agent.post('/tasks', {
        description: 'Publish the release notes',
        humanInLoop: { approverRole: 'dba_lead' },
      });
      const started = Date.now();
      const waiting = agent.get(`/tasks/${created.body.taskId}/decision?wait=20`);
      // Decide only once the server holds the long-poll, so the decision is what wakes it (after a
      // fixed pause, a slow start could make the poll merely read a decision already taken).
      await expect
        .poll(() => requestsInFlight(t.url, '/v1/humanos/tasks/:taskId/decision'), { timeout: 20_000 })
        .toBe(1);
      await dba.post(`/approvals/${created.body.approvalRequest.id}/approve`, { approvalReason: 'go' });
      const d = await waiting;
      expect(d.status).toBe(200);
      expect(d.body).toMatchObject({ decided: true, approved: true, approvedBy: 'did:human:john-dba' });
      expect(Date.now() - started).toBeLessThan(15_000);
    });

    it('server-sent events stream the ledger and resume with Last-Event-ID', async () => {
      const created = await agent.post('/tasks', {
        description: 'Archive old invoices',
        humanInLoop: { approverRole: 'dba_lead' },
      });
      const events = await readEvents(t.url, agent.token as string, {}, 1000, 1500);
      const mine = events.filter((e) => e.data.taskId === created.body.taskId);
      expect(mine.map((e) => e.event)).toEqual(['task.created', 'approval.requested']);
      const lastId = mine[1]?.id as string;
      await dba.post(`/approvals/${created.body.approvalRequest.id}/approve`, { approvalReason: 'ok' });
      const resumed = await readEvents(t.url, agent.token as string, { 'last-event-id': lastId }, 1);
      expect(resumed[0]).toMatchObject({ event: 'approval.decided' });
      expect(Number(resumed[0]?.id)).toBeGreaterThan(Number(lastId));
      // Another agent sees none of it.
      const stranger = await t.principal('did:agent:stranger', []);
      const none = await readEvents(t.url, stranger.token as string, {}, 1, 700);
      expect(none).toEqual([]);
    });

    it('the event stream shows a principal the tasks it may see, by the same rule as GET /tasks/{id}', async () => {
      const worker = await t.principal('did:agent:sse-worker', ['executor']);
      // An executor sees the tasks its declared capabilities cover (issue 12).
      await worker.req('PUT', '/me/capabilities', { capabilities: ['database_administration'] });
      const withCaps = await agent.post('/tasks', {
        description: 'Compact the audit tables',
        requiredCapabilities: ['database_administration'],
        humanInLoop: { approverRole: 'dba_lead' },
      });
      const plain = await agent.post('/tasks', { description: 'Say hello', humanInLoop: { approverRole: 'dba_lead' } });
      // It may claim those tasks: it sees them, here and in the stream.
      expect((await worker.get(`/tasks/${withCaps.body.taskId}`)).status).toBe(200);
      expect((await worker.get(`/tasks/${plain.body.taskId}`)).status).toBe(404);
      const events = await readEvents(t.url, worker.token as string, {}, 1000, 1500);
      const tasks = new Set(events.map((e) => e.data.taskId));
      expect(tasks.has(withCaps.body.taskId)).toBe(true);
      expect(tasks.has(plain.body.taskId)).toBe(false);
    });

    it('an earlier step’s edits move the payload on; the proposal stays visible as proposedPayload', async () => {
      const created = await agent.post('/tasks', {
        description: 'Resize the replica',
        payload: { size: '500GB', zone: 'a' },
        approvalChain: [{ role: 'dba_lead' }, { role: 'dba_lead' }],
      });
      const [s1, s2] = created.body.approvalChain.map((g: { id: string }) => g.id);
      await dba.post(`/approvals/${s1}/approve`, { approvalReason: 'smaller', edits: { size: '200GB' } });
      const mid = (await agent.get(`/tasks/${created.body.taskId}`)).body;
      expect(mid.payload).toEqual({ size: '200GB', zone: 'a' });
      expect(mid.proposedPayload).toEqual({ size: '500GB', zone: 'a' });
      // The second approver sees both in the approval request.
      const gate = (await dba2.get(`/approvals/${s2}`)).body;
      expect(gate.task.payload).toEqual({ size: '200GB', zone: 'a' });
      expect(gate.task.proposedPayload).toEqual({ size: '500GB', zone: 'a' });
      // The payload has had two versions: the approval names the one it was shown.
      await dba2.post(`/approvals/${s2}/approve`, { approvalReason: 'ok', payloadDigest: gate.currentDigest });
      expect((await agent.get(`/tasks/${created.body.taskId}`)).body.approvedPayload).toEqual({
        size: '200GB',
        zone: 'a',
      });
    });

    it('the requester withdraws a task before it runs: its gates leave the inbox, waiters learn, nothing executes', async () => {
      const created = await agent.post('/tasks', {
        description: 'Drop the staging schema',
        approvalChain: [{ role: 'dba_lead' }, { role: 'dba_lead' }],
      });
      const taskId = created.body.taskId as string;
      const gateId = created.body.approvalRequest.id as string;
      const inbox = async () =>
        ((await dba.get('/approvals?status=pending')).body.items as { id: string }[]).map((i) => i.id);
      expect(await inbox()).toContain(gateId);
      const waiting = agent.get(`/tasks/${taskId}/decision?wait=20`);

      // Refusals first, each changing nothing: an approver, a stranger, no reason.
      const stranger = await t.principal('did:agent:not-mine', []);
      const before = await t.fingerprint();
      const byApprover = await dba.post(`/tasks/${taskId}/cancel`, { reason: 'not yours' });
      expect([byApprover.status, byApprover.body.code]).toEqual([403, 'not_requester']);
      expect((await stranger.post(`/tasks/${taskId}/cancel`, { reason: 'x' })).status).toBe(404);
      expect((await agent.post(`/tasks/${taskId}/cancel`, {})).body.code).toBe('validation_failed');
      expect(await t.fingerprint()).toBe(before);

      const r = await agent.post(`/tasks/${taskId}/cancel`, { reason: 'the restore drill still needs it' });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('cancelled');
      expect(r.body.approvals.map((g: { status: string }) => g.status)).toEqual(['cancelled', 'cancelled']);
      expect((await waiting).body).toMatchObject({ decided: true, approved: false, cancelled: true });
      expect(await inbox()).not.toContain(gateId);
      const late = await dba.post(`/approvals/${gateId}/approve`, { approvalReason: 'ok' });
      expect(late.status).toBe(409);
      expect((await agent.post(`/tasks/${taskId}/execute`, {})).status).toBe(409);
      const again = await agent.post(`/tasks/${taskId}/cancel`, { reason: 'twice' });
      expect([again.status, again.body.code]).toEqual([409, 'invalid_state']);
      const history = (await agent.get(`/tasks/${taskId}/history`)).body.events as {
        type: string;
        verified: boolean;
      }[];
      expect(history.map((e) => e.type).slice(-3)).toEqual([
        'task.cancelled',
        'approval.cancelled',
        'approval.cancelled',
      ]);
      expect(history.every((e) => e.verified)).toBe(true);
    });

    it('a running task cannot be cancelled (that is an override)', async () => {
      const created = await agent.post('/tasks', { description: 'Reindex', humanInLoop: { approverRole: 'dba_lead' } });
      await dba.post(`/approvals/${created.body.approvalRequest.id}/approve`, { approvalReason: 'go' });
      expect((await agent.post(`/tasks/${created.body.taskId}/execute`, {})).status).toBe(200);
      const before = await t.fingerprint();
      const r = await agent.post(`/tasks/${created.body.taskId}/cancel`, { reason: 'changed my mind' });
      expect([r.status, r.body.code]).toEqual([409, 'invalid_state']);
      expect(r.body.detail).toContain('override');
      expect(await t.fingerprint()).toBe(before);
    });

    it('Idempotency-Key: same body replays the response; another body is refused', async () => {
      const key = 'create-42';
      const a = await agent.post('/tasks', SEED_CREATE_BODY, { 'idempotency-key': key });
      const b = await agent.post('/tasks', SEED_CREATE_BODY, { 'idempotency-key': key });
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(b.body).toEqual(a.body);
      const before = await t.fingerprint();
      const c = await agent.post('/tasks', { ...SEED_CREATE_BODY, description: 'other' }, { 'idempotency-key': key });
      expect(c.status).toBe(409);
      expect(c.body.code).toBe('idempotency_key_reused');
      expect(await t.fingerprint()).toBe(before);
    });

    it('lists tasks with a status filter and keyset pagination', async () => {
      const lister = await t.principal('did:agent:lister', []);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(
          (await lister.post('/tasks', { description: `task ${i}`, humanInLoop: { approverRole: 'dba_lead' } })).body
            .taskId,
        );
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string; status: string }[]; nextCursor: string | null } } = await lister.get(
          `/tasks?status=awaiting_approval&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((i) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
    });

    it('a task with enabled: false and low risk is auto-approved and recorded; high risk still gets a gate', async () => {
      const low = await agent.post('/tasks', {
        description: 'Summarise support tickets',
        humanInLoop: { enabled: false },
      });
      expect(low.body.status).toBe('approved');
      expect(low.body.approvalRequest).toBeUndefined();
      const high = await agent.post('/tasks', {
        description: 'Wire transfer $50,000 to vendor',
        humanInLoop: { enabled: false, approverRole: 'dba_lead' },
      });
      expect(high.body.status).toBe('awaiting_approval');
      expect(high.body.policy).toMatchObject({ floorApplied: true, gateRequired: true });
      expect(high.body.approvalRequest.riskAssessment.level).toMatch(/high|critical/);
    });

    it('serves an OpenAPI document generated from the route schemas, and /healthz', async () => {
      const doc = await t.admin.get('/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toBe('3.1.0');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/humanos/tasks',
          '/v1/humanos/approvals/{approvalId}/approve',
          '/v1/humanos/tasks/{taskId}/decision',
        ]),
      );
      const health = await fetch(`${t.url}/healthz`);
      expect(health.status).toBe(200);
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toMatch(/humanos_ledger_entries \d+/);
      // Batches rerun with savepoints: the committer's own count (none expected in a sequential test).
      expect(metrics).toContain(`humanos_write_batch_reruns_total ${t.server.service.batchReruns}`);
      expect(t.server.service.batchReruns).toBe(0);
      // Nothing waits for a batch between requests (`batchRerun.test.ts` watches it fill).
      expect(metrics).toContain('humanos_write_queue_operations 0');
      expect(metrics).toContain('humanos_http_requests_total{method="POST",route="/v1/humanos/tasks",status="201"}');
      // In flight: the scrape itself, and nothing of the requests that have been answered.
      expect(metrics).toContain('humanos_http_requests_in_flight{method="GET",route="/metrics"} 1');
      expect(metrics).toContain('humanos_http_requests_in_flight{method="POST",route="/v1/humanos/tasks"} 0');
    });
  });
}

interface SseEvent {
  id: string;
  event: string;
  data: { taskId: string | null; [k: string]: unknown };
}

/** Reads SSE events until `count` arrived or `ms` passed. */
async function readEvents(
  url: string,
  token: string,
  headers: Record<string, string>,
  count: number,
  ms = 5000,
): Promise<SseEvent[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const out: SseEvent[] = [];
  try {
    const res = await fetch(`${url}/v1/humanos/events`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      signal: ac.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    let buf = '';
    while (out.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i = buf.indexOf('\n\n');
      while (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const fields = Object.fromEntries(
          block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
        );
        if (fields.data) out.push({ id: fields.id ?? '', event: fields.event ?? '', data: JSON.parse(fields.data) });
        i = buf.indexOf('\n\n');
      }
    }
  } catch (e) {
    if (!ac.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return out;
}
