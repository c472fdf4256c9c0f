/**
 * `humanos show` prints the payload's digest; `humanos approve` names the version approved
 * (`--digest`, or on a terminal the version it showed before asking y/N); a stale or missing digest
 * is told plainly (what changed, how to approve the current version) and records nothing. The CLI
 * runs in-process (`runCli` with a scripted terminal) against a real server on both backends.
 */
import { describe, expect, it } from 'vitest';
import { backends, useTestServer } from '../../../test-support/harness.js';
import { type Io, runCli } from '../src/index.js';

interface Term {
  io: Io;
  out: string[];
  err: string[];
  asked: string[];
}

/** A terminal (or not) that answers the CLI's prompts from `answers`; `beforeAnswer` runs first. */
function term(
  url: string,
  token: string,
  opts: { tty: boolean; answers?: string[]; beforeAnswer?: (n: number) => Promise<void> },
): Term {
  const t: Term = { io: undefined as unknown as Io, out: [], err: [], asked: [] };
  const answers = [...(opts.answers ?? [])];
  t.io = {
    stdout: (s) => void t.out.push(s),
    stderr: (s) => void t.err.push(s),
    env: { HUMANOS_URL: url, HUMANOS_API_KEY: token, HUMANOS_CONFIG: '/nonexistent', NO_COLOR: '1' },
    isTTY: opts.tty,
    async prompt(q) {
      t.asked.push(q);
      await opts.beforeAnswer?.(t.asked.length);
      const a = answers.shift();
      if (a === undefined) throw new Error(`unexpected prompt: ${q}`);
      return a;
    },
  };
  return t;
}

const DE = 'DE89370400440532013000';
const GB = 'GB33BUKB20201555555555';

for (const backend of backends()) {
  describe(`humanos approve names the payload version [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:payer', []],
        ann: ['did:human:ann', ['treasury']],
        mal: ['did:human:mal', ['treasury']],
        bob: ['did:human:bob', ['treasury']],
      },
    });
    /** A 2-of-N payment; Mal approves it with the IBAN changed. Returns the gate's id. */
    const editedPayment = async (edit = true) => {
      const r = await s.as.agent.post('/tasks', {
        description: 'Pay supplier invoice 2231',
        approvalPolicy: { type: 'threshold', required: 2, eligible: ['treasury'] },
        // The invoice its text names is in the payload (else a text/payload warning raises the risk).
        payload: { iban: DE, amount: 5000, invoice: 2231 },
      });
      expect(r.status).toBe(201);
      const id = r.body.approvalRequest.id as string;
      const seen = (await s.as.ann.get(`/approvals/${id}`)).body.currentDigest as string;
      if (edit) {
        const m = await s.as.mal.post(`/approvals/${id}/approve`, {
          approvalReason: 'new account',
          edits: { iban: GB },
        });
        expect(m.status).toBe(200);
      }
      return { id, taskId: r.body.taskId as string, seen };
    };
    const cli = (argv: string[], t: Term) => runCli(argv, t.io);
    const approvals = async (id: string) => (await s.t.admin.get(`/approvals/${id}`)).body;

    it('show prints the digest of the payload as it stands', async () => {
      const { id } = await editedPayment();
      const t = term(s.t.url, s.as.ann.token as string, { tty: false });
      expect(await cli(['show', id], t)).toBe(0);
      const now = (await approvals(id)).currentDigest as string;
      expect(now).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(t.out.join('')).toContain(`digest:      ${now}`);
      expect(t.out.join('')).toContain(GB);
    });

    it('--digest of a version that is no longer current: exit 5, what changed and how to approve it; nothing recorded', async () => {
      const { id, seen } = await editedPayment();
      const before = await s.t.fingerprint();
      const t = term(s.t.url, s.as.ann.token as string, { tty: false });
      expect(await cli(['approve', id, '--digest', seen, '--reason', 'checked'], t)).toBe(5);
      const err = t.err.join('');
      const now = (await approvals(id)).currentDigest as string;
      expect(err).toContain('stale_payload');
      expect(err).toContain(`/iban: "${DE}" → "${GB}"`);
      expect(err).toContain(`humanos approve ${id} --digest ${now}`);
      expect(t.out).toEqual([]);
      expect(await s.t.fingerprint()).toBe(before);
      // With the digest it printed, the approval counts (for the edited payload) and completes the quorum.
      const ok = term(s.t.url, s.as.ann.token as string, { tty: false });
      expect(await cli(['approve', id, '--digest', now, '--reason', 'checked the new IBAN', '--json'], ok)).toBe(0);
      expect(JSON.parse(ok.out.join(''))).toMatchObject({ status: 'approved', payloadDigest: now });
    });

    it('no --digest and no terminal on an edited payload: exit 5, told to name the version; nothing recorded', async () => {
      const { id } = await editedPayment();
      const before = await s.t.fingerprint();
      const t = term(s.t.url, s.as.ann.token as string, { tty: false });
      expect(await cli(['approve', id, '--reason', 'ok'], t)).toBe(5);
      expect(t.err.join('')).toContain('payload_digest_required');
      expect(t.err.join('')).toContain(`humanos show ${id}`);
      expect(await s.t.fingerprint()).toBe(before);
    });

    it('no --digest and no terminal on an unedited payload: accepted (its single version)', async () => {
      const { id } = await editedPayment(false);
      const t = term(s.t.url, s.as.ann.token as string, { tty: false });
      expect(await cli(['approve', id, '--reason', 'ok'], t)).toBe(0);
      expect((await approvals(id)).approvals).toBe(1);
    });

    it('a malformed --digest is a usage error before any request', async () => {
      const t = term(s.t.url, s.as.ann.token as string, { tty: false });
      expect(await cli(['approve', 'approval:human:0123456789abcdef01234567', '--digest', 'abc'], t)).toBe(2);
      expect(t.err.join('')).toContain('sha256:<64 hex>');
    });

    it('on a terminal: shows payload and digest, asks y/N, and approves exactly the version shown', async () => {
      const { id } = await editedPayment();
      const now = (await approvals(id)).currentDigest as string;
      const t = term(s.t.url, s.as.ann.token as string, { tty: true, answers: ['y'] });
      expect(await cli(['approve', id, '--reason', 'new IBAN confirmed by phone'], t)).toBe(0);
      expect(t.err.join('')).toContain(GB);
      expect(t.err.join('')).toContain(`digest:      ${now}`);
      expect(t.asked).toEqual([`Approve this version (${now})? [y/N] `]);
      const gate = await approvals(id);
      expect(gate.status).toBe('approved');
      expect(gate.decisions.find((d: { principal: string }) => d.principal === 'did:human:ann').payloadDigest).toBe(
        now,
      );
    });

    it('on a terminal, "n" records nothing', async () => {
      const { id } = await editedPayment();
      const before = await s.t.fingerprint();
      const t = term(s.t.url, s.as.ann.token as string, { tty: true, answers: [''] });
      expect(await cli(['approve', id], t)).toBe(1);
      expect(t.err.join('')).toContain('not approved');
      expect(await s.t.fingerprint()).toBe(before);
    });

    it('on a terminal, an edit landing while the approver reads: refused, the change shown, asked again about the new version', async () => {
      const { id } = await editedPayment(false);
      const shown = (await approvals(id)).currentDigest as string;
      const t = term(s.t.url, s.as.ann.token as string, {
        tty: true,
        answers: ['y', 'y'],
        // Mal edits while Ann looks at the first version.
        beforeAnswer: async (n) => {
          if (n === 1)
            expect(
              (await s.as.mal.post(`/approvals/${id}/approve`, { edits: { iban: GB }, payloadDigest: shown })).status,
            ).toBe(200);
        },
      });
      expect(await cli(['approve', id, '--reason', 'ok'], t)).toBe(0);
      const gate = await approvals(id);
      expect(t.asked[0]).toContain(shown);
      expect(t.asked[1]).toContain(gate.currentDigest);
      expect(t.err.join('')).toContain('The payload changed while you were deciding');
      expect(t.err.join('')).toContain(`/iban: "${DE}" → "${GB}"`);
      const ann = gate.decisions.filter((d: { principal: string }) => d.principal === 'did:human:ann');
      expect(ann).toHaveLength(1);
      expect(ann[0].payloadDigest).toBe(gate.currentDigest);
      expect(gate.status).toBe('approved');
    });

    it('reject --digest of a stale version: exit 5, nothing recorded', async () => {
      const { id, seen } = await editedPayment();
      const before = await s.t.fingerprint();
      const t = term(s.t.url, s.as.bob.token as string, { tty: false });
      expect(await cli(['reject', id, '--reason', 'no', '--digest', seen], t)).toBe(5);
      expect(t.err.join('')).toContain(`humanos reject ${id} --digest`);
      expect(await s.t.fingerprint()).toBe(before);
    });
  });
}
