/**
 * `humanos request-changes` and `humanos approve --alternative` against a real server on both
 * backends (the CLI runs in-process with a scripted terminal): the feedback reaches the agent's
 * decision; a stale digest is explained and records nothing; on a terminal the version shown is the
 * one changes are asked for; an alternative is approved by index.
 */
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../test-support/harness.js';
import { type Io, runCli } from '../src/index.js';

function term(url: string, token: string, tty: boolean, answers: string[] = []) {
  const t = { out: [] as string[], err: [] as string[], io: undefined as unknown as Io };
  t.io = {
    stdout: (s) => void t.out.push(s),
    stderr: (s) => void t.err.push(s),
    env: { HUMANOS_URL: url, HUMANOS_API_KEY: token, HUMANOS_CONFIG: '/nonexistent', NO_COLOR: '1' },
    isTTY: tty,
    async prompt(q) {
      const a = answers.shift();
      if (a === undefined) throw new Error(`unexpected prompt: ${q}`);
      return a;
    },
  };
  return t;
}

for (const backend of backends()) {
  describe(`humanos request-changes [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: { agent: ['did:agent:cli-drafter', []], lead: ['did:human:cli-lead', ['comms_lead']] },
    });
    const create = async (extra: Record<string, unknown> = {}) =>
      (
        await s.as.agent.post('/tasks', {
          description: 'Send the newsletter',
          humanInLoop: { approverRole: 'comms_lead' },
          payload: { subject: 'June' },
          ...extra,
        })
      ).body as { taskId: string; approvalRequest: { id: string } };

    it('with --digest and --feedback: the task goes back to the agent with the feedback', async () => {
      const c = await create();
      const gate = (await s.as.lead.get(`/approvals/${c.approvalRequest.id}`)).body;
      const t = term(s.t.url, s.as.lead.token as string, false);
      const code = await runCli(
        ['request-changes', gate.id, '--digest', gate.currentDigest, '--feedback', 'Say July, not June'],
        t.io,
      );
      expect(code, t.err.join('')).toBe(0);
      expect(t.out.join('')).toMatch(/changes_requested\tversion 1\tledger #\d+/);
      const d = (await s.as.agent.get(`/tasks/${c.taskId}/decision`)).body;
      expect(d).toMatchObject({ changesRequested: true, feedback: 'Say July, not June' });
    });

    it('a stale digest is explained and records nothing; no digest off a terminal is a usage error', async () => {
      const c = await create();
      const before = await s.t.fingerprint();
      const t = term(s.t.url, s.as.lead.token as string, false);
      const stale = `sha256:${'2'.repeat(64)}`;
      expect(await runCli(['request-changes', c.approvalRequest.id, '--digest', stale, '--feedback', 'x'], t.io)).toBe(
        5,
      );
      expect(t.err.join('')).toMatch(
        /stale_payload: not recorded — the payload changed since the version you asked changes for/,
      );
      const u = term(s.t.url, s.as.lead.token as string, false);
      expect(await runCli(['request-changes', c.approvalRequest.id, '--feedback', 'x'], u.io)).toBe(2);
      expect(await s.t.fingerprint()).toBe(before);
    });

    it('on a terminal: shows the version, asks y/N, asks for the feedback', async () => {
      const c = await create();
      const t = term(s.t.url, s.as.lead.token as string, true, ['Add the unsubscribe link', 'y']);
      expect(await runCli(['request-changes', c.approvalRequest.id], t.io), t.err.join('')).toBe(0);
      expect(t.err.join('')).toMatch(/June/);
      expect((await s.as.agent.get(`/tasks/${c.taskId}`)).body.status).toBe('changes_requested');
    });

    it('approve --alternative approves that alternative; its payload is what the task runs', async () => {
      const c = await create({
        aiProposal: { alternatives: ['Send it next week'], alternativePayloads: [{ subject: 'June', delay: '7d' }] },
      });
      const gate = (await s.as.lead.get(`/approvals/${c.approvalRequest.id}`)).body;
      const t = term(s.t.url, s.as.lead.token as string, false);
      const code = await runCli(
        ['approve', gate.id, '--digest', gate.currentDigest, '--alternative', '0', '--reason', 'later'],
        t.io,
      );
      expect(code, t.err.join('')).toBe(0);
      expect((await s.as.agent.get(`/tasks/${c.taskId}`)).body.approvedPayload).toEqual({
        subject: 'June',
        delay: '7d',
      });
    });
  });
}
