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
import { channelEnv, FakeSlack, SmtpSink, until } from '../../../../test-support/integrations.js';

type Delivery = { sink: string; status: string; lastError: string | null; target: { op: string } | null };

/** An approver linked to Slack and e-mail, and an agent, on a fresh server. */
async function setUp(url: string): Promise<{ admin: Api; agent: Api }> {
  const admin = new Api(url, ADMIN_TOKEN);
  await admin.post('/principals', { id: 'did:human:ann', roles: ['finance'] });
  await admin.req('PUT', '/channels/links/did:human:ann', { slackUserId: 'U0ANN', email: 'ann@example.com' });
  const agent = admin.as((await admin.post('/principals', { id: 'did:agent:bot', roles: [] })).body.token);
  return { admin, agent };
}

const okPosts = (slack: FakeSlack) => slack.of('chat.postMessage').length;

describe('notification outbox across crashes and replicas', () => {
  let backend: Backend | undefined;
  let slack: FakeSlack | undefined;
  let smtp: SmtpSink | undefined;
  const children: ChildServer[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) await c.kill();
    await slack?.close();
    await smtp?.close();
    await backend?.drop();
  });

  for (const name of backends()) {
    it(`[${name}] queued notifications survive kill -9: Slack and SMTP that were failing get every message after restart`, async () => {
      backend = await createBackend(name);
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      const env = { ...backend.env, ...channelEnv(slack, smtp), HUMANOS_TIMER_INTERVAL_MS: '50' };
      const first = await spawnServer(env);
      children.push(first);
      const { admin, agent } = await setUp(first.url);
      slack.fail.set('chat.postMessage', 'internal_error');
      smtp.reject = true;
      const deliveries = async (a: Api) => (await a.get('/channels/deliveries?limit=200')).body.items as Delivery[];
      for (let i = 0; i < 3; i++) {
        await agent.post('/tasks', { description: `job ${i}`, humanInLoop: { approverRole: 'finance' } });
      }
      // Kill only once every message's failed attempt is recorded (an unrecorded one waits for its 60 s claim).
      await expect
        .poll(async () => (await deliveries(admin)).filter((d) => d.sink !== 'channel:plan' && d.lastError).length, {
          timeout: 15_000,
        })
        .toBe(6);
      expect(okPosts(slack)).toBe(3);
      await first.kill('SIGKILL');
      slack.fail.clear();
      smtp.reject = false;
      const calls = slack.calls.length;
      const second = await spawnServer(env);
      children.push(second);
      // The first retry is due 5 s (the default backoff) after the failed attempt.
      await until(
        () => smtp?.mails.length === 3 && slack?.calls.length === calls + 3,
        'every message after the restart',
        20_000,
      );
      const after = new Api(second.url, ADMIN_TOKEN);
      await expect
        .poll(async () => (await deliveries(after)).map((d) => d.status), { timeout: 10_000 })
        .toEqual(Array(9).fill('delivered'));
      expect(new Set(smtp.mails.map((m) => m.subject)).size).toBe(3);
    }, 60_000);
  }

  if (backends().includes('postgres')) {
    it('[postgres] two replicas share the notification outbox: each message is sent once', async () => {
      backend = await createBackend('postgres');
      slack = await new FakeSlack().start();
      smtp = await new SmtpSink().start();
      const [a, b] = await spawnReplicas(backend, { ...channelEnv(slack, smtp), HUMANOS_TIMER_INTERVAL_MS: '20' });
      children.push(a, b);
      const { agent } = await setUp(a.url);
      const agents = [agent, new Api(b.url, agent.token)];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          agents[i % 2]?.post('/tasks', { description: `job ${i}`, humanInLoop: { approverRole: 'finance' } }),
        ),
      );
      await until(
        () => slack?.of('chat.postMessage').length === 20 && smtp?.mails.length === 20,
        '20 posts and 20 mails',
        20_000,
      );
      // Nothing more arrives: no replica sent anything twice.
      await new Promise((r) => setTimeout(r, 1000));
      const texts = slack.of('chat.postMessage').map((c) => String(c.body.text));
      expect(texts).toHaveLength(20);
      expect(new Set(texts).size).toBe(20);
      expect(smtp.mails).toHaveLength(20);
      expect(new Set(smtp.mails.map((m) => m.subject)).size).toBe(20);
      const admin = new Api(b.url, ADMIN_TOKEN);
      const items = (await admin.get('/channels/deliveries?limit=200')).body.items as Delivery[];
      expect(items.filter((d) => d.status === 'delivered')).toHaveLength(60);
    }, 60_000);
  }
});
