/**
 * The SDK pins the largest checkpoint it has seen per log and requires every newer one to extend it
 * (issue 12): a shrunk log or another root at a seen size is refused, an honest longer log passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { type CheckpointStore, HumanOSApiError, HumanOSClient, type PinnedCheckpoint } from '../src/index.js';

for (const backend of backends()) {
  describe(`pinned checkpoints in the SDK [${backend}]`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(backend);
    });
    afterAll(() => t?.close());

    const storeWith = (pin?: PinnedCheckpoint): CheckpointStore & { pins: PinnedCheckpoint[] } => {
      const pins: PinnedCheckpoint[] = pin ? [pin] : [];
      return { pins, get: () => pins.at(-1), set: (p) => void pins.push(p) };
    };

    it('an honest, growing log is accepted and re-pinned; an agent (no auditor role) can check it', async () => {
      const agent = await t.principal('did:agent:pin-watcher', []);
      const store = storeWith();
      const client = new HumanOSClient({ baseUrl: t.url, apiKey: agent.token, checkpointStore: store });
      const first = await client.ledger.checkedCheckpoint();
      await t.admin.post('/principals', { id: 'did:human:pin-grow', roles: [] });
      const second = await client.ledger.checkedCheckpoint();
      expect(second.size).toBeGreaterThan(first.size);
      expect(store.pins.map((p) => p.size)).toEqual([first.size, second.size]);
    });

    it('a log shorter than the pinned checkpoint is refused', async () => {
      const cp = (await t.admin.get('/ledger/checkpoint')).body as { size: number; rootHash: string; origin: string };
      const store = storeWith({ origin: cp.origin, size: cp.size + 5, rootHash: cp.rootHash });
      const client = new HumanOSClient({ baseUrl: t.url, apiKey: ADMIN_TOKEN, checkpointStore: store });
      const e = await client.ledger.checkedCheckpoint().catch((x) => x);
      expect(e).toBeInstanceOf(HumanOSApiError);
      expect(e.code).toBe('ledger_inconsistent');
      expect(e.message).toContain(`shrank from ${cp.size + 5}`);
      // And the offline verification of the export against the pin fails too, naming the size.
      const report = await client.ledger.verify();
      expect(report.ok).toBe(false);
      expect(report.reason).toContain(`trusted checkpoint of size ${cp.size + 5}`);
    });

    it('another root at a pinned size, or a pinned prefix the log does not extend, is refused', async () => {
      const cp = (await t.admin.get('/ledger/checkpoint')).body as { size: number; origin: string };
      const forged = `0x${'ab'.repeat(32)}`;
      const same = new HumanOSClient({
        baseUrl: t.url,
        apiKey: ADMIN_TOKEN,
        checkpointStore: storeWith({ origin: cp.origin, size: cp.size, rootHash: forged }),
      });
      expect((await same.ledger.checkedCheckpoint().catch((x) => x)).message).toMatch(/history rewritten/);
      const older = new HumanOSClient({
        baseUrl: t.url,
        apiKey: ADMIN_TOKEN,
        checkpointStore: storeWith({ origin: cp.origin, size: 1, rootHash: forged }),
      });
      expect((await older.ledger.checkedCheckpoint().catch((x) => x)).code).toBe('ledger_inconsistent');
    });
  });
}
