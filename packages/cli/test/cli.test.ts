import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, REPO_ROOT, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { humanos } from './run.js';

const _CLI = join(REPO_ROOT, 'packages/cli/dist/main.js');

for (const backend of backends()) {
  describe(`humanos CLI end to end [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let env: (token: string) => Record<string, string>;
    let approverToken: string;

    beforeAll(async () => {
      // The webhook test subscribes a loopback URL: the operator allow-list permits it (the SSRF guard refuses it otherwise).
      t = await startTestServer(backend, { HUMANOS_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
      agent = await t.principal('did:agent:deploy-bot', []);
      env = (token) => ({ HUMANOS_URL: t.url, HUMANOS_API_KEY: token });
    });
    afterAll(async () => t?.close());

    it('principals add prints the token (only) on stdout and the message on stderr', async () => {
      const r = await humanos(
        ['principals', 'add', 'did:human:sre-lead', '--role', 'senior_engineer', '--role', 'oncall'],
        env(t.admin.token as string),
      );
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toMatch(/^hos_[A-Za-z0-9_-]+$/);
      expect(r.stderr).toContain('created did:human:sre-lead (human) with roles [senior_engineer, oncall]');
      approverToken = r.stdout.trim();
      const list = await humanos(['principals', 'list', '--json'], env(t.admin.token as string));
      expect(JSON.parse(list.stdout).items.map((p: { id: string }) => p.id)).toContain('did:human:sre-lead');
    });

    it('inbox, show, approve; a second approve is a conflict (exit 5)', async () => {
      const created = await agent.post('/tasks', {
        description: 'Deploy checkout v4.2 to production',
        humanInLoop: { approverRole: 'senior_engineer', approvalTimeout: 600 },
        aiProposal: {
          action: 'Roll out checkout v4.2',
          reasoning: 'All canaries green',
          confidence: 0.91,
          alternatives: ['Wait for Monday'],
        },
        payload: { service: 'checkout', version: '4.2.0' },
      });
      const id = created.body.approvalRequest.id as string;
      const inbox = await humanos(['inbox'], env(approverToken));
      expect(inbox.code).toBe(0);
      expect(inbox.stdout).toContain(id);
      const inboxJson = await humanos(['inbox', '--json'], env(approverToken));
      expect(JSON.parse(inboxJson.stdout).items[0].id).toBe(id);

      const refund = await agent.post('/tasks', {
        description: 'Refund EUR 24.99 to customer C-1042',
        humanInLoop: { approverRole: 'senior_engineer', approvalTimeout: 600 },
        payload: { amount: 2499, currency: 'EUR', iban: 'DE89370400440532013000' },
      });
      const shownRefund = await humanos(['show', refund.body.approvalRequest.id], {
        ...env(approverToken),
        NO_COLOR: '1',
      });
      // The agent's text as its claim, then the payload that executes: 2499, not 24.99.
      expect(shownRefund.stdout).toContain(
        '  The agent says (its claim — check it against what will execute):\n    description: Refund EUR 24.99 to customer C-1042',
      );
      expect(shownRefund.stdout).toContain(
        '  What will execute:\n    Amount: 2499\n    Currency: EUR\n    IBAN: DE89370400440532013000\n',
      );

      const show = await humanos(['show', id], { ...env(approverToken), NO_COLOR: '1' });
      expect(show.code).toBe(0);
      expect(show.stdout).toContain('Roll out checkout v4.2');
      expect(show.stdout).toContain('All canaries green');
      expect(show.stdout).toContain('0.91');
      expect(show.stdout).toContain('- Wait for Monday');
      expect(show.stdout).toContain('What will execute:');
      expect(show.stdout).toContain('Version: 4.2.0');
      expect(show.stdout).toContain('Service: checkout');
      expect(show.stdout).not.toContain('\x1b[');

      const ok = await humanos(
        ['approve', id, '--reason', 'canaries green', '--edits', '{"version":"4.2.1"}', '--json'],
        env(approverToken),
      );
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'approved', approvedBy: 'did:human:sre-lead' });
      const again = await humanos(['approve', id, '--reason', 'again'], env(approverToken));
      expect(again.code).toBe(5);
      expect(again.stderr).toContain('already_decided');
      const task = await agent.get(`/tasks/${created.body.taskId}`);
      expect(task.body.approvedPayload).toEqual({ service: 'checkout', version: '4.2.1' });
    });

    it('distinct exit codes: forbidden 3, not found 4, expired 6, usage 2', async () => {
      const created = await agent.post('/tasks', {
        description: 'Restart search',
        humanInLoop: { approverRole: 'senior_engineer', approvalTimeout: 60 },
      });
      const id = created.body.approvalRequest.id as string;
      expect((await humanos(['approve', id, '--reason', 'x'], env(agent.token as string))).code).toBe(3); // agents never decide
      expect((await humanos(['approve', id, '--reason', 'x'], env('hos_wrong'))).code).toBe(3);
      expect((await humanos(['show', 'approval:human:0123456789abcdef01234567'], env(approverToken))).code).toBe(4);
      expect((await humanos(['reject', id], env(approverToken))).code).toBe(2); // not a TTY: no prompt
      expect((await humanos(['frobnicate'], env(approverToken))).code).toBe(2);
      t.clock.advance(61_000);
      const late = await humanos(['approve', id, '--reason', 'late'], env(approverToken));
      expect(late.code).toBe(6);
      expect(late.stderr).toContain('approval_expired');
      // The refusal writes nothing; test servers run no background sweeps, so the test expires the
      // gate itself, here, rather than leaving it due for a later test's "nothing changed" check.
      await t.server.service.timers.expireDue();
      expect((await agent.get(`/tasks/${created.body.taskId}`)).body.status).toBe('expired');
    });

    it('ledger export and verify: ok (0) on the real export, 7 with the index on a tampered one', async () => {
      const file = join(t.backend.dataDir, 'ledger.jsonl');
      const exp = await humanos(['ledger', 'export', '--out', file], env(t.admin.token as string));
      expect(exp.code).toBe(0);
      const key = (await t.admin.get('/ledger/public-key')).body.publicKey as string;
      const ok = await humanos(['ledger', 'verify', '--file', file, '--public-key', key], {});
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^ok: \d+ entries/);
      const lines = readFileSync(file, 'utf8').split('\n');
      const i = lines.findIndex((l) => l.includes('approval.decided'));
      lines[i] = (lines[i] as string).replace('canaries green', 'canaries red');
      writeFileSync(file, lines.join('\n'));
      const bad = await humanos(['ledger', 'verify', '--file', file, '--public-key', key, '--json'], {});
      expect(bad.code).toBe(7);
      expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, firstBadIndex: JSON.parse(lines[i] as string).index });
      const live = await humanos(['ledger', 'verify', '--public-key', key], env(t.admin.token as string));
      expect(live.code).toBe(0);
    });

    it('principals rotate, roles, disable and enable: tokens stop and start working as the commands say', async () => {
      const admin = env(t.admin.token as string);
      const added = await humanos(['principals', 'add', 'did:agent:cron', '--role', 'ops'], admin);
      const oldToken = added.stdout.trim();
      const rotated = await humanos(['principals', 'rotate', 'did:agent:cron'], admin);
      expect(rotated.code).toBe(0);
      const newToken = rotated.stdout.trim();
      expect(newToken).toMatch(/^hos_/);
      expect(rotated.stderr).toContain('shown only once');
      expect((await humanos(['tasks'], env(oldToken))).code).toBe(3);
      expect((await humanos(['tasks'], env(newToken))).code).toBe(0);

      const roles = await humanos(['principals', 'roles', 'did:agent:cron', '--role', 'ops', '--role', 'batch'], admin);
      expect(roles.code).toBe(0);
      expect(roles.stdout).toBe('did:agent:cron\tagent\tops,batch\tenabled\n');
      const off = await humanos(['principals', 'disable', 'did:agent:cron', '--json'], admin);
      expect(JSON.parse(off.stdout).disabledAt).not.toBeNull();
      expect((await humanos(['tasks'], env(newToken))).code).toBe(3);
      expect((await humanos(['principals', 'list'], admin)).stdout).toContain(
        'did:agent:cron\tagent\tops,batch\tdisabled',
      );
      expect((await humanos(['principals', 'enable', 'did:agent:cron'], admin)).code).toBe(0);
      expect((await humanos(['tasks'], env(newToken))).code).toBe(0);
      // Not an admin: forbidden (3); an admin locking itself out: conflict (5); no --role: usage (2).
      expect((await humanos(['principals', 'disable', 'did:human:admin'], env(newToken))).code).toBe(3);
      const self = await humanos(['principals', 'disable', 'did:human:admin'], admin);
      expect(self.code).toBe(5);
      expect(self.stderr).toContain('self_lockout');
      expect((await humanos(['principals', 'roles', 'did:agent:cron'], admin)).code).toBe(2);
      expect((await humanos(['principals', 'rotate', 'did:agent:nobody'], admin)).code).toBe(4);
      const shortLived = await humanos(
        ['principals', 'add', 'did:agent:brief', '--expires-in', '120', '--json'],
        admin,
      );
      expect(shortLived.code).toBe(0);
      expect(Date.parse(JSON.parse(shortLived.stdout).tokenExpiresAt)).toBe(t.clock.now() + 120_000);
      expect(shortLived.stderr).toContain('expires at');
      expect((await humanos(['principals', 'rotate', 'did:agent:brief', '--expires-in', 'soon'], admin)).code).toBe(2);
      expect((await humanos(['principals', 'rotate', 'did:agent:brief', '--expires-in', '5'], admin)).code).toBe(2);
    });

    it('webhooks add (secret once), list, deliveries, retry of a non-failed delivery (5), remove', async () => {
      const admin = env(t.admin.token as string);
      // Nothing listens on port 9 here: attempts fail and stay pending for their backoff.
      const added = await humanos(['webhooks', 'add', 'http://127.0.0.1:9/hook', '--event', 'task.*'], admin);
      expect(added.code).toBe(0);
      const [id, secret] = added.stdout.trim().split('\t') as [string, string];
      expect(id).toMatch(/^webhook:/);
      expect(secret).toMatch(/^whsec_/);
      expect(added.stderr).toContain('shown only once');
      const list = await humanos(['webhooks', 'list', '--json'], admin);
      expect(JSON.parse(list.stdout).items.find((h: { id: string }) => h.id === id)).toMatchObject({
        url: 'http://127.0.0.1:9/hook',
        events: ['task.*'],
        active: true,
      });
      expect(list.stdout).not.toContain(secret);
      await agent.post('/tasks', { description: 'nightly report', humanInLoop: { approverRole: 'ops' } });
      const deliveries = await humanos(['webhooks', 'deliveries', id, '--json'], admin);
      const items = JSON.parse(deliveries.stdout).items as { id: string; eventType: string; status: string }[];
      expect(items.map((d) => d.eventType)).toEqual(['task.created']);
      const retry = await humanos(['webhooks', 'retry', id, items[0]?.id as string], admin);
      expect(retry.code).toBe(5);
      expect(retry.stderr).toContain('invalid_state');
      const removed = await humanos(['webhooks', 'remove', id], admin);
      expect(removed.code).toBe(0);
      expect(removed.stdout).toContain(`${id}\tremoved`);
      expect((await humanos(['webhooks', 'remove', 'webhook:000000000000000000000000'], admin)).code).toBe(4);
      expect((await humanos(['webhooks', 'list'], env(approverToken))).code).toBe(3);
    });

    it('policy validate (offline), check (a dry run) and show', async () => {
      const good = join(t.backend.dataDir, 'policy.json');
      writeFileSync(
        good,
        JSON.stringify({
          name: 'acme',
          version: 3,
          rules: [{ id: 'big', match: { payload: [{ path: 'amount', gt: 100 }] }, require: { approverRole: 'cfo' } }],
        }),
      );
      const ok = await humanos(['policy', 'validate', good], {});
      expect(ok.code).toBe(0);
      expect(ok.stderr).toContain('ok: acme v3, 1 rules');
      const bad = join(t.backend.dataDir, 'bad-policy.json');
      writeFileSync(bad, JSON.stringify({ name: 'acme', version: 0, rules: [] }));
      const refused = await humanos(['policy', 'validate', bad, '--json'], {});
      expect(refused.code).toBe(2);
      expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false });
      expect(refused.stderr).toContain('/version');

      const task = join(t.backend.dataDir, 'task.json');
      writeFileSync(
        task,
        JSON.stringify({
          description: 'Rotate the signing keys',
          approvalChain: [{ role: 'senior_engineer' }, { role: 'security' }],
        }),
      );
      const before = await t.fingerprint();
      const check = await humanos(['policy', 'check', task], env(agent.token as string));
      expect(check.code).toBe(0);
      expect(check.stdout).toContain('gate 1: 1 of senior_engineer');
      expect(check.stdout).toContain('gate 2: 1 of security');
      // Nobody holds `security`: the dry run says the task would only expire.
      expect(check.stdout).toMatch(
        /warning: gate_undecidable: Nobody can decide step 2: no enabled human holds role security/,
      );
      expect(await t.fingerprint()).toBe(before);
      const show = await humanos(['policy', 'show', '--json'], env(t.admin.token as string));
      expect(JSON.parse(show.stdout).source).toBe('built-in');
      expect((await humanos(['policy', 'show'], env(agent.token as string))).code).toBe(3);
    });

    it('cancel withdraws the caller’s task (0), then it is a conflict (5); no reason is a usage error (2)', async () => {
      const created = await agent.post('/tasks', { description: 'Rotate logs', humanInLoop: { approverRole: 'ops' } });
      const id = created.body.taskId as string;
      expect((await humanos(['cancel', id], env(agent.token as string))).code).toBe(2);
      const r = await humanos(['cancel', id, '--reason', 'not needed'], env(agent.token as string));
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${id}\tcancelled\n`);
      expect((await humanos(['cancel', id, '--reason', 'again'], env(agent.token as string))).code).toBe(5);
    });

    it('tasks lists the caller’s tasks', async () => {
      const r = await humanos(['tasks', '--status', 'approved'], env(agent.token as string));
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Deploy checkout v4.2 to production');
    });
  });
}

describe('humanos CLI: version, help, usage errors (no server)', () => {
  it('--version (and -V) prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await humanos([flag], {});
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
    }
  });

  it('per-command help: humanos <command> --help and humanos help <command>, exit 0 on stdout', async () => {
    const approve = await humanos(['approve', '--help'], {});
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain('Usage: humanos approve [options] <approvalId>');
    expect(approve.stdout).toContain('--edits <json>');
    expect(approve.stdout).toContain('--assign-to <did>');
    const rotate = await humanos(['help', 'principals'], {});
    expect(rotate.code).toBe(0);
    expect(rotate.stdout).toContain('rotate [options] <did>');
    const nested = await humanos(['principals', 'rotate', '--help'], {});
    expect(nested.stdout).toContain('--expires-in <seconds>');
    const top = await humanos(['--help'], {});
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Exit codes: 0 ok');
    const bare = await humanos([], {});
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Usage: humanos');
  });

  it('an unknown command or option is a short usage error (2) with a suggestion', async () => {
    const r = await humanos(['inbx'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'inbx'");
    expect(r.stderr).toContain('Did you mean inbox?');
    expect(r.stderr.split('\n').length).toBeLessThan(6); // not the whole usage
    const sub = await humanos(['principals', 'rotat', 'did:agent:x'], {});
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('Did you mean rotate?');
    const opt = await humanos(['approve', 'approval:human:0123456789abcdef01234567', '--reson', 'x'], {});
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain('Did you mean --reason?');
  });

  it('numeric flags are validated before any request: --limit, --expires-in', async () => {
    // No server at this URL: a request would fail with exit 1, so exit 2 proves nothing was sent.
    const env = { HUMANOS_URL: 'http://127.0.0.1:9', HUMANOS_API_KEY: 'hos_x' };
    for (const args of [
      ['inbox', '--limit', 'ten'],
      ['inbox', '--limit', '0'],
      ['tasks', '--limit', '2.5'],
      ['webhooks', 'deliveries', 'webhook:000000000000000000000000', '--limit', '999'],
      ['principals', 'add', 'did:agent:x', '--expires-in', 'soon'],
      ['principals', 'rotate', 'did:agent:x', '--expires-in', '5'],
    ]) {
      const r = await humanos(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/takes a whole number from \d+ to \d+/);
    }
    expect((await humanos(['inbox', '--limit', '5'], env)).code).toBe(1); // valid: it tried the network
  });
});

for (const backend of backends()) {
  describe(`humanos CLI global flags [${backend}]`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer(backend);
    });
    afterAll(async () => t?.close());

    it('--url, --token and --json work before the command, after it, and after a subcommand', async () => {
      const token = t.admin.token as string;
      const shapes = [
        ['--url', t.url, '--token', token, '--json', 'principals', 'list'],
        ['principals', 'list', '--url', t.url, '--token', token, '--json'],
        ['principals', '--json', 'list', '--token', token, '--url', t.url],
        ['--json', 'principals', 'list', `--url=${t.url}`, `--token=${token}`],
      ];
      for (const args of shapes) {
        const r = await humanos(args, {});
        expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
        expect(JSON.parse(r.stdout).items.map((p: { id: string }) => p.id)).toContain('did:human:admin');
      }
      // Flags beat the environment, which beats the config file.
      const r = await humanos(['tasks', '--token', token], { HUMANOS_URL: t.url, HUMANOS_API_KEY: 'hos_wrong' });
      expect(r.code).toBe(0);
    });

    it('the config file is used when neither flags nor environment say otherwise', async () => {
      const file = join(t.backend.dataDir, 'cli-config.json');
      writeFileSync(file, JSON.stringify({ url: t.url, token: t.admin.token }));
      const r = await humanos(['inbox', '--json'], { HUMANOS_CONFIG: file });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ items: [], nextCursor: null });
      writeFileSync(file, '{ not json');
      const bad = await humanos(['inbox'], { HUMANOS_CONFIG: file });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('cannot read config file');
    });
  });
}
