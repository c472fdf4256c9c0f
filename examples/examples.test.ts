import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, REPO_ROOT, spawnNode, startTestServer, type TestServer } from '../test-support/harness.js';

const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');

interface Running {
  child: ChildProcess;
  done: Promise<{ code: number | null; out: string; stdout: string }>;
}

function start(script: string, env: Record<string, string>, args: string[] = []): Running {
  // One process (not the tsx wrapper and its child), tied to this one: nothing outlives the suite.
  const child = spawnNode(['--import', 'tsx', join(REPO_ROOT, 'examples', script), ...args], {
    env: { ...process.env, ...env },
  });
  let out = '';
  let stdout = '';
  child.stdout?.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, stdout }))) };
}

function run(script: string, env: Record<string, string>, args: string[] = []) {
  return start(script, env, args).done;
}

/** The `export NAME='value'` lines setup.ts prints, as a map. */
function exportsOf(stdout: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of stdout.trim().split('\n')) {
    const m = /^export ([A-Z_]+)='([^']*)'$/.exec(line);
    if (!m) throw new Error(`not an export line: ${line}`);
    vars[m[1] as string] = m[2] as string;
  }
  return vars;
}

for (const backend of backends()) {
  describe(`the seed's TypeScript example, verbatim [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let manager: Api;
    let keys: Record<string, string>;
    let worker: Running | undefined;
    // setup.ts writes the keys file; the suite's goes to a temporary directory, never the checkout's .humanos/.
    const keysFile = join(mkdtempSync(join(tmpdir(), 'humanos-keys-')), 'keys.env');
    beforeAll(async () => {
      t = await startTestServer(backend);
      // The README's path: setup.ts creates the principals and prints `export` lines for `eval`.
      const setup = await run('setup.ts', {
        HUMANOS_URL: t.url,
        HUMANOS_API_KEY: t.admin.token as string,
        HUMANOS_KEYS_FILE: keysFile,
      });
      if (setup.code !== 0) throw new Error(setup.out);
      keys = exportsOf(setup.stdout);
      agent = t.admin.as(keys.AGENT_KEY);
      manager = t.admin.as(keys.APPROVER_KEY);
    });
    afterAll(async () => {
      worker?.child.kill('SIGTERM');
      await worker?.done;
      await t?.close();
    });

    it('setup.ts prints only eval-able export lines, and a second run rotates the tokens instead of failing', async () => {
      expect(Object.keys(keys).sort()).toEqual(['AGENT_KEY', 'APPROVER_KEY', 'WORKER_KEY']);
      const again = await run('setup.ts', {
        HUMANOS_URL: t.url,
        HUMANOS_API_KEY: t.admin.token as string,
        HUMANOS_KEYS_FILE: keysFile,
      });
      expect(again.code, again.out).toBe(0);
      expect(again.out).toContain('existed, token rotated');
      expect(again.out).not.toContain('    at '); // no stack trace
      const rotated = exportsOf(again.stdout);
      // The keys file holds the same lines, owner-only (live tokens).
      expect(exportsOf(readFileSync(keysFile, 'utf8'))).toEqual(rotated);
      expect(statSync(keysFile).mode & 0o777).toBe(0o600);
      expect((await t.admin.as(keys.AGENT_KEY).get('/me')).status).toBe(401);
      expect((await t.admin.as(rotated.AGENT_KEY).get('/me')).body).toMatchObject({ id: 'did:agent:invoice-bot' });
      // What the README runs: eval the output in a shell, then use the keys.
      const shell = await new Promise<string>((resolve, reject) => {
        const sh = spawn(
          'bash',
          [
            '-c',
            `eval "$("${TSX}" "${join(REPO_ROOT, 'examples/setup.ts')}" 2>/dev/null)" && echo "$AGENT_KEY $APPROVER_KEY $WORKER_KEY"`,
          ],
          {
            env: {
              ...process.env,
              HUMANOS_URL: t.url,
              HUMANOS_API_KEY: t.admin.token as string,
              HUMANOS_KEYS_FILE: keysFile,
            },
          },
        );
        let out = '';
        sh.stdout.on('data', (d) => {
          out += d;
        });
        sh.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`bash exited ${code}`))));
      });
      const [AGENT_KEY, APPROVER_KEY, WORKER_KEY] = shell.trim().split(' ') as [string, string, string];
      expect((await t.admin.as(rotated.AGENT_KEY).get('/me')).status).toBe(401); // rotated once more
      expect((await t.admin.as(AGENT_KEY).get('/me')).body).toMatchObject({ id: 'did:agent:invoice-bot' });
      expect((await t.admin.as(APPROVER_KEY).get('/me')).body).toMatchObject({ id: 'did:human:finance-manager' });
      expect((await t.admin.as(WORKER_KEY).get('/me')).body).toMatchObject({ id: 'did:agent:invoice-worker' });
      keys = { AGENT_KEY, APPROVER_KEY, WORKER_KEY };
      agent = t.admin.as(keys.AGENT_KEY);
      manager = t.admin.as(keys.APPROVER_KEY);
      const w = await t.admin.get('/principals/did:agent:invoice-worker');
      expect(w.body).toMatchObject({ roles: ['executor'], capabilities: ['accounting', 'invoice_processing'] });
    });

    it('creates the task, shows the proposal, is approved, and a worker completes the approved payload', async () => {
      worker = start('worker.ts', { HUMANOS_URL: t.url, HUMANOS_API_KEY: keys.WORKER_KEY as string }, [
        'accounting',
        'invoice_processing',
      ]);
      const [example, approver] = await Promise.all([
        run('invoice.ts', { HUMANOS_URL: t.url, HUMANOS_API_KEY: keys.AGENT_KEY as string }),
        run('approve-invoice.ts', { HUMANOS_URL: t.url, HUMANOS_API_KEY: keys.APPROVER_KEY as string }),
      ]);
      expect(approver.code, approver.out).toBe(0);
      expect(example.code, example.out).toBe(0);
      expect(example.out).toMatch(/Task created: task:human:[0-9a-f]{24}/);
      expect(example.out).toContain('📋 Approval requested:');
      expect(example.out).toContain(' Task: Process invoice INV-2026-001 for $5000');
      expect(example.out).toContain(' AI Recommendation: Pay Acme Corp $5000 for invoice INV-2026-001');
      expect(example.out).toContain(' AI Reasoning: The invoice matches an open purchase order from Acme Corp');
      expect(example.out).toContain(' AI Confidence: 0.87');
      expect(example.out).not.toContain('null');
      expect(example.out).toContain(' Alternatives: 1');
      expect(example.out).toMatch(/ Approval: approval:human:[0-9a-f]{24} {3}\(npx humanos approve approval:human:/);
      expect(example.out).toContain('✅ Approved by did:human:finance-manager');
      expect(example.out).toContain(' Feedback: Amount and vendor verified');
      expect(example.out).toContain('🏁 Task completed: {"processed":{"invoiceId":"INV-2026-001"');
      const taskId = /Task created: (task:human:[0-9a-f]{24})/.exec(example.out)?.[1] as string;
      const task = await agent.get(`/tasks/${taskId}`);
      expect(task.body.status).toBe('completed');
      expect(task.body.execution.executor).toBe('did:agent:invoice-worker');
      expect(task.body.result).toEqual({ processed: { invoiceId: 'INV-2026-001', amount: 5000, vendor: 'Acme Corp' } });
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
