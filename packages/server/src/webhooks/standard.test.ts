import { lookup } from 'node:dns/promises';
import type { WebhookDelivery } from '@humanos/core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { HookReceiver, until } from '../../../../test-support/integrations.js';

const secret = (fill: number) => `whsec_${Buffer.alloc(32, fill).toString('base64')}`;
const PUBLIC_URL = 'https://humanos.example.com';

/** Names the tests resolve: a public address, then (DNS changed) loopback; the rest as the system does. */
const dns: Record<string, string[]> = { 'relay.test': ['93.184.216.34'], 'inside.test': ['10.20.30.40'] };
const resolve = async (host: string) =>
  dns[host] ?? (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

const SSRF_URLS = [
  'http://127.0.0.1/hook',
  'http://127.1:8080/hook',
  'http://localhost/hook',
  'http://LOCALHOST./hook',
  'http://[::1]/hook',
  'http://[::]/hook',
  'http://0.0.0.0/hook',
  'http://0/hook',
  'http://2130706433/hook',
  'http://0x7f000001/hook',
  'http://0177.0.0.1/hook',
  'http://0x7f.1/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:a9fe:a9fe]/hook',
  'http://[64:ff9b::7f00:1]/hook',
  'http://10.0.0.1/hook',
  'http://172.16.5.4/hook',
  'http://192.168.1.1/hook',
  'http://100.64.0.1/hook',
  'http://[fd00::1]/hook',
  'http://[fe80::1]/hook',
  'https://inside.test/hook',
];

for (const backend of backends()) {
  describe(`webhooks: SSRF guard, isolation, rotation, context [${backend}]`, () => {
    // No allow-list: the production default.
    let strict: TestServer;
    // Loopback allowed (receivers run here), hanging attempts time out after 1.5 s.
    let t: TestServer;
    let agent: Api;
    const receivers: HookReceiver[] = [];
    const receiver = async () => {
      const r = await new HookReceiver().start();
      receivers.push(r);
      return r;
    };

    beforeAll(async () => {
      strict = await startTestServer(backend, {}, { webhooks: { resolve } });
      t = await startTestServer(
        backend,
        { HUMANOS_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', HUMANOS_PUBLIC_URL: PUBLIC_URL },
        { webhooks: { resolve, timeoutMs: 1500 } },
      );
      agent = await t.principal('did:agent:relay-bot', []);
    });
    afterAll(async () => {
      for (const r of receivers) await r.close();
      await strict?.close();
      await t?.close();
    });

    it('refuses every spelling of a loopback, private, link-local or unspecified destination: 400, nothing written', async () => {
      const before = await strict.fingerprint();
      for (const url of SSRF_URLS) {
        const r = await strict.admin.post('/webhooks', { url, events: ['*'] });
        expect([r.status, r.body.code], url).toEqual([400, 'validation_failed']);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body.detail, url).toMatch(/loopback|private|link-local|unspecified|shared/);
      }
      expect(await strict.fingerprint()).toBe(before);
      // A public destination is accepted (nothing is sent to it: no event matches).
      const ok = await strict.admin.post('/webhooks', { url: 'https://relay.test/hook', events: ['nothing.ever'] });
      expect(ok.status).toBe(201);
      expect(ok.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    });

    it('checks again when sending: a name that now resolves to loopback is refused and nothing is sent', async () => {
      const r = await receiver();
      const port = new URL(r.url).port;
      dns['rebind.test'] = ['93.184.216.34'];
      const hook = await strict.admin.post('/webhooks', {
        url: `http://rebind.test:${port}/hook`,
        events: ['task.created'],
      });
      expect(hook.status).toBe(201);
      // The DNS answer changes after the check (rebinding): it now points at this machine.
      dns['rebind.test'] = ['127.0.0.1'];
      const bot = await strict.principal(`did:agent:rebind-${backend}`, []);
      await bot.post('/tasks', { description: 'Should not leak', humanInLoop: { approverRole: 'ops' } });
      await strict.server.service.outbox.idle();
      const ds = (await strict.admin.get(`/webhooks/${hook.body.id}/deliveries`)).body.items;
      expect(ds).toHaveLength(1);
      expect(ds[0].status).toBe('pending');
      expect(ds[0].lastError).toMatch(/^refused: .*127\.0\.0\.1.*loopback/);
      expect(r.got).toEqual([]);
    });

    it('a hanging receiver delays only itself; it times out and is retried', async () => {
      const slow = await receiver();
      slow.hang = true;
      const fast = await receiver();
      const hSlow = (await t.admin.post('/webhooks', { url: slow.url, events: ['task.created'], secret: secret(1) }))
        .body.id as string;
      const hFast = (await t.admin.post('/webhooks', { url: fast.url, events: ['task.created'], secret: secret(2) }))
        .body.id as string;
      // When each task was committed (its POST answered): its deliveries were queued by then.
      const committed = new Map<string, number>();
      for (let i = 0; i < 10; i++) {
        const task = await agent.post('/tasks', { description: `job ${i}`, humanInLoop: { approverRole: 'ops' } });
        committed.set(task.body.taskId as string, Date.now());
      }
      await until(() => fast.got.length === 10, 'ten deliveries to the fast receiver', 5000);
      // Each arrived sooner after its task than a hanging attempt takes to time out: none waited
      // behind the slow receiver. (Measured per task, not from the first POST, so that a loaded
      // machine's slow POSTs do not count against the outbox.)
      for (const g of fast.got) {
        const taskId = (JSON.parse(g.raw) as { data: { event: { taskId: string } } }).data.event.taskId;
        expect(g.at - (committed.get(taskId) as number)).toBeLessThan(1500);
      }
      expect(slow.got.length).toBeGreaterThan(0);
      expect(slow.got.length).toBeLessThanOrEqual(4);
      await expect
        .poll(async () => (await t.admin.get(`/webhooks/${hFast}/deliveries?status=delivered`)).body.items.length)
        .toBe(10);
      // The slow receiver's attempts end with a timeout and wait for their retry.
      await expect
        .poll(
          async () =>
            ((await t.admin.get(`/webhooks/${hSlow}/deliveries`)).body.items as { lastError: string | null }[]).some(
              (d) => d.lastError === 'timeout after 1500 ms',
            ),
          { timeout: 5000 },
        )
        .toBe(true);
      await t.admin.req('DELETE', `/webhooks/${hSlow}`);
      await t.admin.req('DELETE', `/webhooks/${hFast}`);
    });

    it('rotating a secret sends both signatures during the overlap, then only the new one', async () => {
      const r = await receiver();
      const old = secret(3);
      const hook = (await t.admin.post('/webhooks', { url: r.url, events: ['task.created'], secret: old })).body
        .id as string;
      const rotated = await t.admin.post(`/webhooks/${hook}/rotate-secret`, { overlapSeconds: 3600 });
      expect(rotated.status).toBe(200);
      const fresh = rotated.body.secret as string;
      expect(fresh).not.toBe(old);
      expect(rotated.body.previousSecretExpiresAt).toBe(new Date(t.clock.now() + 3_600_000).toISOString());
      await agent.post('/tasks', { description: 'during overlap', humanInLoop: { approverRole: 'ops' } });
      await until(() => r.got.length === 1, 'the delivery during the overlap');
      const during = r.got[0] as (typeof r.got)[0];
      expect((during.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
      for (const s of [fresh, old]) {
        expect(new StandardWebhook(s).verify(during.raw, during.headers as Record<string, string>)).toBeTruthy();
      }
      t.clock.advance(3_601_000);
      await agent.post('/tasks', { description: 'after overlap', humanInLoop: { approverRole: 'ops' } });
      await until(() => r.got.length === 2, 'the delivery after the overlap');
      const after = r.got[1] as (typeof r.got)[0];
      expect((after.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
      expect(new StandardWebhook(fresh).verify(after.raw, after.headers as Record<string, string>)).toBeTruthy();
      expect(() => new StandardWebhook(old).verify(after.raw, after.headers as Record<string, string>)).toThrow();
      // The rotation is in the ledger, without either secret.
      const entries = (await t.admin.get('/ledger/entries?start=0')).body.entries as { entry: string }[];
      const rot = entries.map((e) => e.entry).find((e) => e.includes('webhook.secret_rotated')) as string;
      expect(rot).toContain(hook);
      expect(rot).not.toContain(old.slice(6, 20));
      expect(rot).not.toContain(fresh.slice(6, 20));
      await t.admin.req('DELETE', `/webhooks/${hook}`);
    });

    it('approval events carry what a chat message needs, and a read-only integration principal can read more', async () => {
      const r = await receiver();
      const hook = (await t.admin.post('/webhooks', { url: r.url, events: ['approval.requested'], secret: secret(4) }))
        .body.id as string;
      const c = await agent.post('/tasks', {
        description: 'Wire $9,000 to ACME',
        humanInLoop: { approverRole: 'finance', approvalTimeout: 900 },
        aiProposal: { action: 'Pay invoice 42', reasoning: 'Matches PO 7', confidence: 0.8 },
        riskAssessment: { level: 'medium', factors: ['payment'] },
      });
      expect(c.status).toBe(201);
      await until(() => r.got.length === 1, 'approval.requested');
      const body = JSON.parse((r.got[0] as (typeof r.got)[0]).raw) as WebhookDelivery;
      const approvalId = c.body.approvalRequest.id as string;
      expect(body.type).toBe('approval.requested');
      expect(body.data.approval).toMatchObject({
        id: approvalId,
        status: 'pending',
        description: 'Wire $9,000 to ACME',
        approverRoles: ['finance'],
        required: 1,
        approvals: 0,
        expiresAt: new Date(t.clock.now() + 900_000).toISOString(),
        url: `${PUBLIC_URL}/approvals/${encodeURIComponent(approvalId)}`,
        aiProposal: { action: 'Pay invoice 42', reasoning: 'Matches PO 7', confidence: 0.8 },
      });
      expect(typeof body.data.approval?.riskLevel).toBe('string');
      expect(body.data.task?.id).toBe(c.body.taskId);
      // A relay reads the approval and task with the integration role, and can change nothing.
      const relay = await t.principal(`did:agent:chat-relay-${backend}`, ['integration']);
      expect((await relay.get(`/approvals/${approvalId}`)).body.task.description).toBe('Wire $9,000 to ACME');
      expect((await relay.get(`/tasks/${c.body.taskId}`)).status).toBe(200);
      await t.server.service.outbox.idle();
      const before = await t.fingerprint();
      for (const [path, b] of [
        [`/approvals/${approvalId}/approve`, { approvalReason: 'relay' }],
        [`/approvals/${approvalId}/reject`, { rejectionReason: 'relay' }],
        ['/tasks', { description: 'relay makes work', humanInLoop: { approverRole: 'ops' } }],
        [`/tasks/${c.body.taskId}/cancel`, { reason: 'relay' }],
      ] as const) {
        const res = await relay.post(path, b);
        expect([res.status, res.body.code], path).toEqual([403, 'forbidden']);
      }
      expect(await t.fingerprint()).toBe(before);
      await t.admin.req('DELETE', `/webhooks/${hook}`);
    });
  });
}
