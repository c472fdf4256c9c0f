import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HumanOSClient, verifyWebhookSignature as sdkVerify } from '@human/sdk';
import {
  parseLedgerExport,
  verifyLedger,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookDelivery,
} from '@humanos/core';
import { sql } from 'kysely';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  Api,
  type Backend,
  backends,
  type ChildServer,
  createBackend,
  spawnReplicas,
  spawnServer,
  startTestServer,
  type TestServer,
} from '../../../../test-support/harness.js';

/** A real HTTP receiver on loopback that records every delivery and answers as told. */
class Receiver {
  readonly got: { headers: IncomingHttpHeaders; raw: string; body: WebhookDelivery; status: number }[] = [];
  /** Status codes to answer with, in order; 200 once they run out. */
  answers: number[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        // Test files run in parallel, and a port freed by one can be reused here while another
        // file's client still talks to it: only signed deliveries to /hook count.
        if (req.method !== 'POST' || req.url !== '/hook' || !req.headers[WEBHOOK_SIGNATURE_HEADER]) {
          res.statusCode = 404;
          res.end();
          return;
        }
        const status = this.answers.shift() ?? 200;
        this.got.push({ headers: req.headers, raw, body: JSON.parse(raw) as WebhookDelivery, status });
        res.statusCode = status;
        res.end('ok');
      });
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    return this;
  }

  forTask(taskId: string) {
    return this.got.filter((g) => g.body.data.event.taskId === taskId);
  }

  async until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${this.got.length} deliveries`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

// A Standard Webhooks secret: `whsec_` and base64 of 32 bytes.
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
// Receivers on loopback: the operator's allow-list lets webhooks reach them.
const ALLOW_LOOPBACK = { HUMANOS_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' };

for (const backend of backends()) {
  describe(`webhooks [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let approver: Api;
    let receiver: Receiver;

    beforeAll(async () => {
      t = await startTestServer(backend, ALLOW_LOOPBACK, { webhooks: { backoffBaseMs: 1000, maxAttempts: 4 } });
      agent = await t.principal('did:agent:hook-bot', []);
      approver = await t.principal('did:human:hook-approver', ['ops']);
      receiver = await new Receiver().start();
    });
    afterAll(async () => {
      await receiver?.close();
      await t?.close();
    });
    // Each test starts with no subscription and a receiver that answers 200.
    afterEach(async () => {
      receiver.answers = [];
      for (const h of (await t.admin.get('/webhooks')).body.items as { id: string; active: boolean }[]) {
        if (h.active) await t.admin.req('DELETE', `/webhooks/${h.id}`);
      }
    });
    const ledgerEntries = async () =>
      ((await t.admin.get('/ledger/entries?start=0')).body.entries as { index: number; entry: string }[]).map((e) => ({
        seq: e.index,
        ...(JSON.parse(e.entry) as { type: string; data: { id?: string } }),
      }));

    const subscribe = async (events: string[], url = receiver.url) => {
      const r = await t.admin.post('/webhooks', { url, events, secret: SECRET });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const deliveries = async (id: string) =>
      (await t.admin.get(`/webhooks/${id}/deliveries`)).body.items as {
        id: string;
        status: string;
        attempts: number;
        lastStatus: number | null;
        lastError: string | null;
        eventType: string;
        ledgerIndex: number;
      }[];

    it('delivers the subscribed events of a task in the Standard Webhooks format, each with its ledger index', async () => {
      const hook = await subscribe(['approval.*']);
      const c = await agent.post('/tasks', { description: 'Restart the cache', humanInLoop: { approverRole: 'ops' } });
      const d = await approver.post(`/approvals/${c.body.approvalRequest.id}/approve`, { approvalReason: 'ok' });
      expect(d.status).toBe(200);
      await receiver.until(() => receiver.forTask(c.body.taskId).length >= 2, 'two approval events');
      const got = receiver.forTask(c.body.taskId);
      // Only the subscribed family: no task.created.
      expect(got.map((g) => g.body.type).sort()).toEqual(['approval.decided', 'approval.requested']);
      const entries = await ledgerEntries();
      const standard = new StandardWebhook(SECRET);
      for (const g of got) {
        expect(g.headers['content-type']).toBe('application/json');
        expect(g.headers['webhook-id']).toBe(g.body.data.deliveryId);
        expect(g.headers['x-humanos-event']).toBe(g.body.data.event.type);
        expect(g.body.data.webhookId).toBe(hook);
        // The reference Standard Webhooks library verifies it over the raw bytes …
        expect(standard.verify(g.raw, g.headers as Record<string, string>)).toEqual(g.body);
        // … and so does ours; both fail for another secret, a changed body, or a stale timestamp.
        const now = Math.floor(Date.now() / 1000);
        expect(verifyWebhookSignature(SECRET, g.headers, g.raw, now)).toBe(true);
        const other = `whsec_${Buffer.alloc(32, 8).toString('base64')}`;
        expect(() => new StandardWebhook(other).verify(g.raw, g.headers as Record<string, string>)).toThrow();
        expect(verifyWebhookSignature(other, g.headers, g.raw, now)).toBe(false);
        expect(verifyWebhookSignature(SECRET, g.headers, g.raw.replace('approval', 'apprOval'), now)).toBe(false);
        expect(verifyWebhookSignature(SECRET, g.headers, g.raw, now + 3600)).toBe(false);
        // The event is the ledger entry at that index.
        expect(entries.find((e) => e.seq === g.body.data.ledgerIndex)?.type).toBe(g.body.type);
      }
      // The receiver answers before the server records the answer: wait for the record.
      await expect
        .poll(async () => (await deliveries(hook)).filter((x) => x.status === 'delivered').length)
        .toBeGreaterThanOrEqual(2);
      const ds = await deliveries(hook);
      const mine = ds.filter((x) => got.some((g) => g.body.data.deliveryId === x.id));
      expect(mine).toHaveLength(2);
      for (const x of mine) expect([x.status, x.attempts, x.lastStatus]).toEqual(['delivered', 1, 200]);
    });

    it('retries a failing receiver with exponential backoff, then records the delivery', async () => {
      const hook = await subscribe(['task.created']);
      receiver.answers = [500, 503];
      const c = await agent.post('/tasks', { description: 'Rotate logs', humanInLoop: { approverRole: 'ops' } });
      await receiver.until(() => receiver.forTask(c.body.taskId).length === 1, 'first attempt');
      // Wait for the attempt's report (the claim counts the attempt before the answer comes back).
      await expect.poll(async () => (await deliveries(hook))[0]?.lastStatus).toBe(500);
      let [x] = await deliveries(hook);
      expect([x?.status, x?.attempts]).toEqual(['pending', 1]);
      // Not due yet: nothing is sent.
      t.clock.advance(500);
      expect(await t.server.service.outbox.deliverDue({ wait: true })).toBe(0);
      t.clock.advance(500);
      expect(await t.server.service.outbox.deliverDue({ wait: true })).toBe(1);
      [x] = await deliveries(hook);
      expect([x?.status, x?.attempts, x?.lastStatus]).toEqual(['pending', 2, 503]);
      // The second backoff is twice the first.
      t.clock.advance(1000);
      expect(await t.server.service.outbox.deliverDue({ wait: true })).toBe(0);
      t.clock.advance(1000);
      expect(await t.server.service.outbox.deliverDue({ wait: true })).toBe(1);
      [x] = await deliveries(hook);
      expect([x?.status, x?.attempts, x?.lastStatus]).toEqual(['delivered', 3, 200]);
      // Every attempt carried the same delivery id, so the receiver can deduplicate.
      const ids = new Set(receiver.forTask(c.body.taskId).map((g) => g.body.data.deliveryId));
      expect(receiver.forTask(c.body.taskId)).toHaveLength(3);
      expect(ids.size).toBe(1);
    });

    it('gives up after the last attempt; an admin can queue it again', async () => {
      // Nothing listens there: connection refused.
      const dead = new Receiver();
      await dead.start();
      const deadUrl = dead.url;
      await dead.close();
      const hook = await subscribe(['task.created'], deadUrl);
      await agent.post('/tasks', { description: 'Nobody hears this', humanInLoop: { approverRole: 'ops' } });
      await expect.poll(async () => (await deliveries(hook))[0]?.lastError).toBeTruthy();
      for (let i = 0; i < 3; i++) {
        t.clock.advance(10_000);
        await t.server.service.outbox.deliverDue({ wait: true });
      }
      let [x] = await deliveries(hook);
      expect([x?.status, x?.attempts, x?.lastStatus]).toEqual(['failed', 4, null]);
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toMatch(/humanos_webhook_deliveries\{status="failed"\} 1\n/);
      t.clock.advance(60_000);
      expect(await t.server.service.outbox.deliverDue({ wait: true })).toBe(0);
      const again = await t.admin.post(`/webhooks/${hook}/deliveries/${x?.id}/retry`, {});
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('pending');
      const twice = await t.admin.post(`/webhooks/${hook}/deliveries/${x?.id}/retry`, {});
      expect([twice.status, twice.body.code]).toEqual([409, 'invalid_state']);
      await t.server.service.outbox.idle();
      await t.server.service.outbox.deliverDue({ wait: true });
      [x] = await deliveries(hook);
      expect(x?.attempts).toBe(1);
    });

    it('delivered deliveries are forgotten after the retention; pending and failed ones are kept', async () => {
      const hook = await subscribe(['task.created']);
      const c = await agent.post('/tasks', { description: 'Renew TLS', humanInLoop: { approverRole: 'ops' } });
      await receiver.until(() => receiver.forTask(c.body.taskId).length === 1, 'the delivery');
      await expect.poll(async () => (await deliveries(hook))[0]?.status).toBe('delivered');
      expect(await t.server.service.outbox.pruneDelivered()).toBe(0);
      t.clock.advance(8 * 86_400_000);
      const failedBefore = (await t.admin.get(`/webhooks/${hook}/deliveries?status=failed`)).body.items.length;
      expect(await t.server.service.outbox.pruneDelivered()).toBeGreaterThanOrEqual(1);
      expect(await deliveries(hook)).toEqual([]);
      expect((await t.admin.get(`/webhooks/${hook}/deliveries?status=failed`)).body.items.length).toBe(failedBefore);
    });

    // PostgreSQL only: a deferred constraint trigger makes the commit itself fail, after the batch
    // has read the subscriptions it queues for (SQLite has no way to refuse a commit after the fact).
    it.runIf(backend === 'postgres')(
      'a subscription whose commit failed is not remembered: the next events queue nothing for it',
      async () => {
        const run = (q: string) => sql.raw(q).execute(t.server.store.db);
        await run(`create function fail_at_commit() returns trigger language plpgsql as $$
          begin if new.url like '%fail-at-commit%' then raise exception 'refused at commit'; end if; return new; end $$`);
        await run(`create constraint trigger fail_at_commit after insert on webhooks
          deferrable initially deferred for each row execute function fail_at_commit()`);
        try {
          const r = await t.admin.post('/webhooks', {
            url: `${receiver.url}/fail-at-commit`,
            events: ['*'],
            secret: SECRET,
          });
          expect(r.status).not.toBe(201);
          const listed = (await t.admin.get('/webhooks')).body.items as { url: string }[];
          expect(listed.filter((h) => h.url.includes('fail-at-commit'))).toEqual([]);
          // Within the subscription cache's second: a cache filled by the failed batch would queue here.
          const c = await agent.post('/tasks', { description: 'Drain node 9', humanInLoop: { approverRole: 'ops' } });
          expect(c.status).toBe(201);
          const phantom = await sql<{
            sink: string;
          }>`select sink from deliveries where sink not like 'channel:%' and sink not in (select id from webhooks)`.execute(
            t.server.store.db,
          );
          expect(phantom.rows).toEqual([]);
        } finally {
          await run('drop trigger fail_at_commit on webhooks');
          await run('drop function fail_at_commit()');
        }
      },
    );

    it('a removed webhook gets nothing further and its queued deliveries are cancelled', async () => {
      const hook = await subscribe(['*']);
      receiver.answers = [500];
      const c = await agent.post('/tasks', { description: 'Drain node 7', humanInLoop: { approverRole: 'ops' } });
      await receiver.until(() => receiver.forTask(c.body.taskId).length >= 1, 'the failing attempt');
      await expect.poll(async () => (await deliveries(hook)).some((x) => x.lastStatus === 500)).toBe(true);
      const del = await t.admin.req('DELETE', `/webhooks/${hook}`);
      expect([del.status, del.body.active]).toEqual([200, false]);
      expect((await deliveries(hook)).filter((x) => x.status === 'pending')).toEqual([]);
      const before = receiver.got.length;
      const c2 = await agent.post('/tasks', { description: 'Drain node 8', humanInLoop: { approverRole: 'ops' } });
      t.clock.advance(60_000);
      await t.server.service.outbox.deliverDue({ wait: true });
      expect(receiver.forTask(c2.body.taskId)).toEqual([]);
      expect(receiver.got.length).toBe(before);
      const listed = (await t.admin.get('/webhooks')).body.items as { id: string; active: boolean }[];
      expect(listed.find((h) => h.id === hook)?.active).toBe(false);
      // The subscription's life is in the ledger.
      const entries = await ledgerEntries();
      expect(entries.filter((e) => e.data.id === hook).map((e) => e.type)).toEqual([
        'webhook.created',
        'webhook.removed',
      ]);
    });

    it('the SDK manages subscriptions and verifies deliveries', async () => {
      const sdk = new HumanOSClient({ baseUrl: t.url, apiKey: t.admin.token as string });
      const hook = await sdk.createWebhook({ url: receiver.url, events: ['task.created'] });
      expect(hook.secret).toMatch(/^whsec_/);
      expect((await sdk.listWebhooks()).items.map((h) => h.id)).toContain(hook.id);
      const c = await agent.post('/tasks', { description: 'Page the on-call', humanInLoop: { approverRole: 'ops' } });
      await receiver.until(() => receiver.forTask(c.body.taskId).length === 1, 'the task.created delivery');
      const [g] = receiver.forTask(c.body.taskId);
      expect(sdkVerify(hook.secret, g?.headers ?? {}, g?.raw as string)).toBe(true);
      expect(new StandardWebhook(hook.secret).verify(g?.raw as string, g?.headers as Record<string, string>)).toEqual(
        g?.body,
      );
      await expect
        .poll(async () => (await sdk.webhookDeliveries(hook.id, { status: 'delivered' })).items.length)
        .toBe(1);
      expect((await sdk.removeWebhook(hook.id)).active).toBe(false);
    });

    it('a refused request queues nothing; only admins manage webhooks; bad input is a 400 and changes nothing', async () => {
      const hook = await subscribe(['*']);
      const c = await agent.post('/tasks', { description: 'Reboot', humanInLoop: { approverRole: 'ops' } });
      await receiver.until(() => receiver.forTask(c.body.taskId).length >= 2, 'created + requested');
      const queued = (await deliveries(hook)).length;
      await t.server.service.outbox.idle(); // their attempts' reports, settled
      const before = await t.fingerprint();
      // The requester may not approve its own task: refused, and no event, no delivery.
      const refused = await agent.post(`/approvals/${c.body.approvalRequest.id}/approve`, {});
      expect(refused.status).toBe(403);
      for (const [who, body] of [
        [approver, { url: receiver.url }],
        [agent, { url: receiver.url }],
        [t.admin, { url: 'ftp://example.com/x' }],
        [t.admin, { url: 'not a url' }],
        [t.admin, { url: receiver.url, events: ['approval.*', 'DROP TABLE'] }],
        [t.admin, { url: receiver.url, secret: 'short' }],
        // Not a Standard Webhooks secret (`whsec_` + base64 of at least 16 bytes).
        [t.admin, { url: receiver.url, secret: 'whsec_test_0123456789abcdef' }],
        [t.admin, { url: receiver.url, secret: 'this-is-a-long-enough-plain-secret' }],
        [t.admin, { url: receiver.url, active: true }],
        [t.admin, { url: 'http://user:pw@127.0.0.1/x' }],
      ] as const) {
        const r = await (who as Api).post('/webhooks', body);
        expect(r.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(typeof r.body.code).toBe('string');
      }
      expect((await approver.get('/webhooks')).status).toBe(403);
      expect((await approver.req('DELETE', `/webhooks/${hook}`)).status).toBe(403);
      expect((await t.admin.get('/webhooks/webhook:000000000000000000000000/deliveries')).status).toBe(404);
      expect((await t.admin.get('/webhooks/nope/deliveries')).status).toBe(400);
      expect(await t.fingerprint()).toBe(before);
      expect((await deliveries(hook)).length).toBe(queued);
    });
  });
}

describe('webhooks across crashes and replicas', () => {
  let backend: Backend | undefined;
  let receiver: Receiver | undefined;
  const children: ChildServer[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) await c.kill();
    await receiver?.close();
    await backend?.drop();
  });

  for (const name of backends()) {
    it(`[${name}] queued deliveries survive kill -9: a receiver that was failing gets every event after restart`, async () => {
      backend = await createBackend(name);
      receiver = await new Receiver().start();
      const env = { ...backend.env, ...ALLOW_LOOPBACK, HUMANOS_TIMER_INTERVAL_MS: '50' };
      const first = await spawnServer(env);
      children.push(first);
      const admin = new Api(first.url, ADMIN_TOKEN);
      const hook = (await admin.post('/webhooks', { url: receiver.url, events: ['task.created'], secret: SECRET })).body
        .id as string;
      const agent = admin.as((await admin.post('/principals', { id: 'did:agent:bot', roles: [] })).body.token);
      receiver.answers = Array(1000).fill(500);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          (await agent.post('/tasks', { description: `job ${i}`, humanInLoop: { approverRole: 'ops' } })).body.taskId,
        );
      }
      const r = receiver;
      await r.until(() => ids.every((id) => r.forTask(id).length > 0), 'a failed attempt for every task');
      // Kill only once the server has recorded those failures: an attempt killed before its report
      // is retried after the 60 s claim instead, which this test does not wait for.
      await expect
        .poll(
          async () =>
            ((await admin.get(`/webhooks/${hook}/deliveries`)).body.items as { lastStatus: number | null }[]).filter(
              (d) => d.lastStatus === 500,
            ).length,
          { timeout: 10_000 },
        )
        .toBe(5);
      await first.kill('SIGKILL');
      r.answers = [];
      const second = await spawnServer(env);
      children.push(second);
      // The first retry is due 5 s (the default backoff) after the failed attempt.
      await r.until(
        () => ids.every((id) => r.forTask(id).some((g) => g.status === 200)),
        'every event delivered after the restart',
        15_000,
      );
      const after = new Api(second.url, ADMIN_TOKEN);
      // The receiver sees a 200 before the server records it: wait for the record.
      await expect
        .poll(
          async () =>
            ((await after.get(`/webhooks/${hook}/deliveries`)).body.items as { status: string }[]).map((d) => d.status),
          { timeout: 10_000 },
        )
        .toEqual(Array(5).fill('delivered'));
    }, 40_000);
  }

  if (backends().includes('postgres')) {
    it('[postgres] two replicas share one outbox: every delivery is sent exactly once', async () => {
      backend = await createBackend('postgres');
      receiver = await new Receiver().start();
      const [a, b] = await spawnReplicas(backend, { ...ALLOW_LOOPBACK, HUMANOS_TIMER_INTERVAL_MS: '20' });
      children.push(a, b);
      const adminA = new Api(a.url, ADMIN_TOKEN);
      const hook = (await adminA.post('/webhooks', { url: receiver.url, secret: SECRET })).body.id as string;
      const token = (await adminA.post('/principals', { id: 'did:agent:bot', roles: [] })).body.token as string;
      const agents = [new Api(a.url, token), new Api(b.url, token)];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          agents[i % 2]?.post('/tasks', { description: `job ${i}`, humanInLoop: { approverRole: 'ops' } }),
        ),
      );
      // 20 × (task.created + approval.requested), plus the principal and the webhook's own creation.
      const listed = async () =>
        (await adminA.get(`/webhooks/${hook}/deliveries?limit=200`)).body.items as { id: string; status: string }[];
      await expect
        .poll(async () => (await listed()).filter((d) => d.status === 'delivered').length, { timeout: 10_000 })
        .toBe(42);
      const ids = receiver.got.map((g) => g.body.data.deliveryId);
      expect(ids.sort()).toEqual((await listed()).map((d) => d.id).sort());
      expect(new Set(ids).size).toBe(42);
      // Claims and reports wrote no ledger entries of their own, and the log is still one clean tree.
      const exported = await fetch(`${a.url}/v1/humanos/ledger/export`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const bundle = parseLedgerExport(await exported.text());
      expect(verifyLedger(bundle).ok).toBe(true);
      // The 42 delivered events and the admin's own creation, from before the subscription.
      expect(bundle.entries).toHaveLength(43);
    }, 40_000);
  }
});
