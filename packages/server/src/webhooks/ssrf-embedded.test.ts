import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/** IPv6 addresses that carry a loopback, private or link-local IPv4 address (each form once). */
const EMBEDDED = [
  '::ffff:0:7f00:1', // IPv4-translated (SIIT): 127.0.0.1
  '64:ff9b:1::7f00:1', // local-use NAT64 (RFC 8215)
  '2002:7f00:1::1', // 6to4: 127.0.0.1
  '2002:a9fe:a9fe::1', // 6to4: 169.254.169.254 (cloud metadata)
  '2001:0:7f00:1::', // Teredo server 127.0.0.1
  '2001:0:5db8:d822:0:0:f5ff:fffe', // Teredo client 10.0.0.1 (inverted), public server
  '::ffff:7f00:1', // IPv4-mapped
  '::7f00:1', // IPv4-compatible
  '64:ff9b::a9fe:a9fe', // NAT64 well-known prefix: 169.254.169.254
];

/** Names the tests resolve: public at first; `dns[name] = …` changes the answer (DNS rebinding). */
const dns: Record<string, string[]> = {};
const resolve = async (host: string) => dns[host] ?? [];

for (const backend of backends()) {
  describe(`webhooks: IPv6 forms that embed IPv4 are refused [${backend}]`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(backend, {}, { webhooks: { resolve } });
    });
    afterAll(async () => t?.close());

    it('at subscription: each literal and each name resolving to one is 400, nothing written', async () => {
      const before = await t.fingerprint();
      for (const [i, addr] of EMBEDDED.entries()) {
        const literal = await t.admin.post('/webhooks', { url: `http://[${addr}]:8080/hook`, events: ['*'] });
        expect([literal.status, literal.body.code], addr).toEqual([400, 'validation_failed']);
        expect(literal.body.detail, addr).toMatch(/loopback|private|link-local|NAT64/);
        dns[`aaaa-${i}.test`] = ['93.184.216.34', addr];
        const named = await t.admin.post('/webhooks', { url: `https://aaaa-${i}.test/hook`, events: ['*'] });
        expect([named.status, named.body.code], addr).toEqual([400, 'validation_failed']);
        expect(named.body.detail).toContain(`resolves to ${addr}`);
      }
      expect(await t.fingerprint()).toBe(before);
    });

    it('at send time: a name that now resolves to one is refused, and nothing is sent', async () => {
      const hooks: string[] = [];
      for (const [i, addr] of EMBEDDED.entries()) {
        const name = `rebind-${backend}-${i}.test`;
        dns[name] = ['93.184.216.34'];
        const hook = await t.admin.post('/webhooks', { url: `https://${name}/hook`, events: ['task.created'] });
        expect(hook.status).toBe(201);
        hooks.push(hook.body.id);
        // After the check the name is rebound to an address that carries a private IPv4.
        dns[name] = [addr];
      }
      const bot = await t.principal(`did:agent:rebind6-${backend}`, []);
      expect(
        (await bot.post('/tasks', { description: 'must not leak', humanInLoop: { approverRole: 'ops' } })).status,
      ).toBe(201);
      await t.server.service.outbox.idle();
      for (const [i, id] of hooks.entries()) {
        const ds = (await t.admin.get(`/webhooks/${id}/deliveries`)).body.items;
        expect(ds, EMBEDDED[i]).toHaveLength(1);
        expect(ds[0].status).toBe('pending');
        expect(ds[0].lastError, EMBEDDED[i]).toMatch(/^refused: .*(loopback|private|link-local|NAT64)/);
        expect(ds[0].lastError).toContain(EMBEDDED[i]);
      }
    });
  });
}
