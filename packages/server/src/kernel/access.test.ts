import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/**
 * The policy's `auditorRole` is honoured everywhere an auditor may read: the policy, the ledger,
 * calibration and audit reviews (the ledger routes and calibration used to check the literal
 * `auditor` role), and `GET /me` says whether the caller may audit (the console used the literal).
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

    const reads = [
      '/policy',
      '/ledger/entries?start=0',
      '/ledger/export',
      '/calibration?agent=did:agent:x',
      '/audit/reviews',
    ];

    it('GET /me says who may audit, so a client need not know the role’s name', async () => {
      expect((await compliance.get('/me')).body).toMatchObject({ roles: ['compliance'], auditor: true });
      expect((await plainAuditor.get('/me')).body).toMatchObject({ roles: ['auditor'], auditor: false });
      expect((await t.admin.get('/me')).body.auditor).toBe(true);
    });

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
