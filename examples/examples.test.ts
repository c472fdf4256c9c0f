import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, REPO_ROOT, spawnNode, startTestServer, type TestServer } from '../test-support/harness.js';

function run(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // One process (not the tsx wrapper and its child), tied to this one: nothing outlives the suite.
    const p = spawnNode(['--import', 'tsx', join(REPO_ROOT, 'examples', script), ...args], {
      env: { ...process.env, ...env },
    });
    let out = '';
    p.stdout?.on('data', (d) => {
      out += d;
    });
    p.stderr?.on('data', (d) => {
      out += d;
    });
    p.on('exit', (code) => resolve({ code, out }));
  });
}

for (const backend of backends()) {
  describe(`the seed's TypeScript example, verbatim [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let manager: Api;
    beforeAll(async () => {
      t = await startTestServer(backend);
      agent = await t.principal('did:agent:invoice-bot', []);
      manager = await t.principal('did:human:finance-manager', ['finance_manager']);
    });
    afterAll(async () => t?.close());

    it('creates the task, waits, is approved by the finance manager, executes the approved payload', async () => {
      const [example, approver] = await Promise.all([
        run('invoice.ts', { HUMANOS_URL: t.url, HUMANOS_API_KEY: agent.token as string }),
        run('approve-invoice.ts', { HUMANOS_URL: t.url, HUMANOS_API_KEY: manager.token as string }),
      ]);
      expect(approver.code, approver.out).toBe(0);
      expect(example.code, example.out).toBe(0);
      expect(example.out).toMatch(/Task created: task:human:[0-9a-f]{24}/);
      expect(example.out).toContain('📋 Approval requested:');
      expect(example.out).toContain(' Task: Process invoice INV-2026-001 for $5000');
      expect(example.out).toContain(' AI Recommendation: Process invoice INV-2026-001 for $5000');
      expect(example.out).toContain(' Alternatives: 0');
      expect(example.out).toContain('✅ Approved by did:human:finance-manager');
      expect(example.out).toContain(' Feedback: Amount and vendor verified');
      const taskId = /Task created: (task:human:[0-9a-f]{24})/.exec(example.out)?.[1] as string;
      const task = await agent.get(`/tasks/${taskId}`);
      expect(task.body.status).toBe('executing');
      expect(task.body.execution.executor).toBe('did:agent:invoice-bot');
    });

    it('the rejected path prints the rejection and fails the way the seed says', async () => {
      const [example] = await Promise.all([
        run('invoice.ts', { HUMANOS_URL: t.url, HUMANOS_API_KEY: agent.token as string }),
        run('approve-invoice.ts', { HUMANOS_URL: t.url, HUMANOS_API_KEY: manager.token as string }, ['--reject']),
      ]);
      expect(example.out).toContain('❌ Rejected by did:human:finance-manager');
      expect(example.out).toContain(' Reason: Vendor is not on the approved list');
      expect(example.out).toContain('HITL processing failed: Error: Task rejected: Vendor is not on the approved list');
    });
  });
}
