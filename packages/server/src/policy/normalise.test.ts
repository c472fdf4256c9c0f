import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { loadPolicy, PolicyFileError } from './policyFile.js';

/**
 * Policy rules that cannot be dodged by the shape of a value or the spelling of a word, on a real
 * server: string amounts, unreadable amounts (fail closed, flagged), homoglyph / zero-width /
 * full-width descriptions, for tasks and in-run decisions; and a ReDoS-shaped pattern that runs in
 * linear time.
 */
const POLICY = {
  name: 'acme-normalise',
  version: 1,
  rules: [
    {
      id: 'large-wire',
      description: 'wires above 10k need finance and the CFO',
      match: { descriptionMatches: 'wire|transfer', payload: [{ path: 'amount', gt: 10000 }] },
      require: { approvalChain: [{ role: 'finance_manager' }, { role: 'cfo' }] },
    },
    {
      // An operator's careless pattern: catastrophic backtracking in a backtracking engine.
      id: 'vendor-wire',
      match: { descriptionMatches: String.raw`(wire|transfer)\s+(\w+\s*)+to vendor` },
      require: { approverRole: 'finance_manager' },
    },
  ],
};

type Gate = { id: string; approverRole: string; status: string; reason: string | null };

for (const backend of backends()) {
  describe(`policy matching normalises before comparing, and fails closed [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let manager: Api;

    beforeAll(async () => {
      const file = `/tmp/humanos-normalise-${process.pid}-${backend}.json`;
      writeFileSync(file, JSON.stringify(POLICY));
      t = await startTestServer(backend, { HUMANOS_POLICY: file });
      agent = await t.principal(`did:agent:wirer-${backend}`, []);
      manager = await t.principal(`did:human:manager-${backend}`, ['finance_manager']);
      await t.principal(`did:human:cfo-${backend}`, ['cfo']);
    });
    afterAll(async () => t?.close());

    const gatesOf = async (taskId: string) => (await agent.get(`/tasks/${taskId}`)).body.approvals as Gate[];
    const chainRoles = async (taskId: string) => (await gatesOf(taskId)).map((g) => g.approverRole);

    it('string amounts ("50000", "50,000.00", "€50.000,00") get the finance_manager → cfo chain', async () => {
      for (const amount of ['50000', '50,000.00', '€50.000,00', '50 000 USD']) {
        const c = await agent.post('/tasks', { description: 'Wire to ACME', payload: { amount } });
        expect(c.status, JSON.stringify(c.body)).toBe(201);
        expect(c.body.policy.rulesApplied, amount).toContain('large-wire');
        expect(await chainRoles(c.body.taskId), amount).toEqual(['finance_manager', 'cfo']);
        expect(c.body.policy.flags).toEqual([]);
      }
      // A small amount written the same ways does not match: the rule compares numbers.
      for (const amount of ['9000', '9,000.00', '€9.000,00']) {
        const dry = await agent.post('/policy/evaluate', { description: 'Wire to ACME', payload: { amount } });
        expect(dry.body.policy.rulesApplied, amount).not.toContain('large-wire');
      }
    });

    it('an amount the policy cannot compare applies the rule (fail closed) and is flagged to the approver and the dry run', async () => {
      const body = { description: 'Wire to ACME', payload: { amount: 'fifty thousand' } };
      const dry = await agent.post('/policy/evaluate', body);
      expect(dry.status).toBe(200);
      expect(dry.body.policy.rulesApplied).toContain('large-wire');
      expect(dry.body.policy.flags).toEqual([
        expect.objectContaining({ rule: 'large-wire', path: 'payload.amount', code: 'not_comparable' }),
      ]);
      expect(dry.body.policy.reason).toContain('"fifty thousand"');
      const c = await agent.post('/tasks', body);
      expect(await chainRoles(c.body.taskId)).toEqual(['finance_manager', 'cfo']);
      expect(c.body.policy.flags[0]).toMatchObject({ code: 'not_comparable', path: 'payload.amount' });
      // The approver sees why: the gate's reason names the value the rule could not read.
      const gate = (await gatesOf(c.body.taskId))[0] as Gate;
      const seen = await manager.get(`/approvals/${gate.id}`);
      expect(seen.body.reason).toContain('payload.amount is "fifty thousand"');
      // Objects and lists are not numbers either.
      for (const amount of [{ value: 50000 }, [50000], null]) {
        const d = await agent.post('/policy/evaluate', { description: 'Wire to ACME', payload: { amount } });
        expect(d.body.policy.rulesApplied, JSON.stringify(amount)).toContain('large-wire');
        expect(d.body.policy.flags[0]?.code).toBe('not_comparable');
      }
    });

    it('homoglyph, zero-width and full-width descriptions match descriptionMatches; the original is shown', async () => {
      for (const description of ['Wіre to ACME', 'W\u200Bire to ACME', 'ｗｉｒｅ to ACME', 'T\u202Eransfer to ACME']) {
        const c = await agent.post('/tasks', { description, payload: { amount: 50000 } });
        expect(c.body.policy.rulesApplied, description).toContain('large-wire');
        expect(await chainRoles(c.body.taskId), description).toEqual(['finance_manager', 'cfo']);
        expect((await agent.get(`/tasks/${c.body.taskId}`)).body.description).toBe(description);
      }
    });

    it('in-run decisions: a string amount or a homoglyph action is not auto-approved and gets the chain', async () => {
      const created = await agent.post('/tasks', {
        description: 'Tidy the vendor folder',
        humanInLoop: { enabled: false },
      });
      expect(created.body.status).toBe('approved');
      expect((await agent.post(`/tasks/${created.body.taskId}/execute`, {})).status).toBe(200);
      for (const [action, amount] of [
        ['Wire to ACME', '50,000.00'],
        ['Wіre to ACME', 50000],
        ['Wire to ACME', 'fifty thousand'],
      ] as const) {
        const d = await agent.post(`/tasks/${created.body.taskId}/decisions`, { action, payload: { amount } });
        expect(d.status, JSON.stringify(d.body)).toBe(201);
        expect(d.body, `${action} ${amount}`).toMatchObject({ status: 'pending', autoApproved: false });
        expect(d.body.policy.rulesApplied).toContain('large-wire');
        const chain = (d.body.approvalChain as { approverRole: string }[]).map((g) => g.approverRole);
        expect(chain).toEqual(['finance_manager', 'cfo']);
      }
      const history = await agent.get(`/tasks/${created.body.taskId}/history`);
      expect(history.body.events.map((e: { type: string }) => e.type)).not.toContain('task.decision_auto_approved');
    });

    it('the ReDoS-shaped pattern runs in linear time: the longest description returns and the server keeps answering', async () => {
      const description = `wire ${'a'.repeat(1990)}!`; // the HTTP cap is 2 000 characters
      const [dry, health] = await Promise.all([
        agent.post('/policy/evaluate', { description, payload: {} }),
        fetch(`${t.url}/healthz`),
      ]);
      expect(dry.status).toBe(200);
      expect(dry.body.policy.rulesApplied).not.toContain('vendor-wire');
      expect(health.status).toBe(200);
      const short = await agent.post('/policy/evaluate', {
        description: 'wire aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!',
        payload: {},
      });
      expect(short.status).toBe(200);
      const hit = await agent.post('/policy/evaluate', {
        description: 'Wire the March invoice to vendor',
        payload: {},
      });
      expect(hit.body.policy.rulesApplied).toContain('vendor-wire');
    });
  });
}

describe('policy validate: patterns the linear-time engine cannot run are refused', () => {
  const file = (descriptionMatches: string) => {
    const f = `/tmp/humanos-regex-${process.pid}-${Math.random().toString(36).slice(2)}.json`;
    writeFileSync(
      f,
      JSON.stringify({
        ...POLICY,
        rules: [{ id: 'r', match: { descriptionMatches }, require: { approverRole: 'cfo' } }],
      }),
    );
    return f;
  };

  it('backreferences and lookaround: unsupported_regex, naming the rule and the engine', () => {
    for (const pattern of [String.raw`(wire)\s+\1`, '(?=wire)wire', '(?<!no )wire', '(?!x)wire']) {
      let error: unknown;
      try {
        loadPolicy(file(pattern), 'approver');
      } catch (e) {
        error = e;
      }
      expect(error, pattern).toBeInstanceOf(PolicyFileError);
      expect((error as PolicyFileError).code).toBe('unsupported_regex');
      expect((error as Error).message).toMatch(
        /^HUMANOS_POLICY: .*rule r: descriptionMatches .* is refused \(unsupported_regex\)/,
      );
    }
  });

  it('the ReDoS-shaped pattern is accepted: RE2 runs it in linear time', () => {
    expect(loadPolicy(file(String.raw`(wire|transfer)\s+(\w+\s*)+to vendor`), 'approver').source).toBe('file');
  });
});
