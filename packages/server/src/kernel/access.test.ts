import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/**
 * The policy's `auditorRole` is honoured everywhere an auditor may read: the policy, the ledger and
 * calibration (the ledger routes and calibration used to check the literal `auditor` role).
 */
for (const backend of backends()) {
  describe(`auditorRole from the policy [${backend}]`, () => {
    let t: TestServer;
    let compliance: Api;
    let plainAuditor: Api;
    beforeAll(async () => {
      const file = `/tmp/humanos-auditor-role-${process.pid}-${backend}.json`;
      writeFileSync(file, JSON.stringify({ name: 'audited', version: 1, auditorRole: 'compliance', rules: [] }));
      t = await startTestServer(backend, { HUMANOS_POLICY: file });
      compliance = await t.principal('did:human:carol-compliance', ['compliance']);
      plainAuditor = await t.principal('did:human:dave-auditor', ['auditor']);
    });
    afterAll(() => t?.close());

    const reads = ['/policy', '/ledger/entries?start=0', '/ledger/export', '/calibration?agent=did:agent:x'];

    it.each(reads)('the policy’s auditor role may read %s', async (path) => {
      expect((await compliance.get(path)).status).toBe(200);
    });

    it.each(reads)('a principal with only the literal `auditor` role may not read %s', async (path) => {
      const r = await plainAuditor.get(path);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('forbidden');
      expect(r.body.detail).toContain('compliance');
    });
  });
}
