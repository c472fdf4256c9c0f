/**
 * The seed's TypeScript snippets (testdata/seed/human-in-the-loop.md, a copy of the product
 * description) compile under `strict` against the SDK as written, and the runnable ones behave as the
 * seed says against a real server (SQLite and PostgreSQL), with approvers and workers played here.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { configureHumanOS, HumanOSClient, type Task, Worker } from '../src/index.js';
import { loadSeed, preludeFor, type Snippet, typeCheck, writeSnippets } from './seed-snippets.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const snippets = loadSeed();
const SDK_SOURCE = join(import.meta.dirname, '../src/index.ts');

describe('the seed’s TypeScript snippets', () => {
  it('are all found: one fenced example and six bare snippets', () => {
    expect(snippets.map((s) => [s.line, s.fenced])).toEqual([
      [58, true],
      [290, false],
      [306, false],
      [316, false],
      [327, false],
      [342, false],
      [357, false],
    ]);
    expect(snippets[4]?.code).toContain('task.confidence < 0.6');
  });

  it('type-check under strict against the SDK, each with only the declarations it lacks', () => {
    const { files } = writeSnippets(snippets);
    const diagnostics = [...typeCheck(files).values()].flat();
    expect(diagnostics).toEqual([]);
    // The prelude never declares what a snippet defines itself.
    expect(preludeFor(snippets[0]?.code ?? '')).toContain('interface Invoice');
    expect(preludeFor('declare const taskId: string;\nconst taskId = 1')).not.toContain('taskId');
  });

  it('a snippet that misuses the SDK fails the check (the check can fail)', () => {
    const bad: Snippet = { section: 'x', line: 0, fenced: false, code: 'await HumanOS.createTask({ descripton: 1 });' };
    const { files } = writeSnippets([bad]);
    expect([...typeCheck(files).values()].flat().join('\n')).toMatch(/descripton/);
  });
});

/** The snippet as a runnable module: the SDK from source, the seed's placeholders from `globalThis.seed`. */
function runnable(s: Snippet, dir: string, name: string): string {
  const prelude = preludeFor(s.code)
    .replace("from '@human/sdk'", `from '${SDK_SOURCE}'`)
    .replace('declare const taskId: string;', 'const taskId: string = (globalThis as any).seed.taskId;')
    .replace(
      /declare function completeTaskManually\([^;]*;/,
      'const completeTaskManually = (globalThis as any).seed.completeTaskManually;',
    );
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, `${prelude}\n${s.code.replace("from '@human/sdk'", `from '${SDK_SOURCE}'`)}\nexport {};\n`);
  return file;
}

for (const backend of backends()) {
  describe(`the seed’s snippets run against the server [${backend}]`, () => {
    let t: TestServer;
    let admin: HumanOSClient;
    let dir: string;
    const as = async (kind: 'human' | 'agent', roles: string[], capabilities: string[] = [], name?: string) => {
      const id = name ?? `did:${kind}:seed-${Math.random().toString(36).slice(2, 10)}`;
      const p = await admin.createPrincipal({ id, roles, capabilities });
      return { id, token: p.token, client: new HumanOSClient({ baseUrl: t.url, apiKey: p.token, retries: 1 }) };
    };
    const run = async (i: number, env: { token: string }, seed: Record<string, unknown> = {}) => {
      configureHumanOS({ baseUrl: t.url, apiKey: env.token, retries: 1 });
      (globalThis as { seed?: unknown }).seed = seed;
      await import(runnable(snippets[i] as Snippet, dir, `run${i}-${Math.random().toString(36).slice(2, 8)}`));
    };
    const until = async <T>(f: () => Promise<T | undefined>, what: string): Promise<T> => {
      for (let i = 0; i < 300; i++) {
        const v = await f();
        if (v !== undefined) return v;
        await sleep(50);
      }
      throw new Error(`timed out waiting for ${what}`);
    };

    beforeAll(async () => {
      t = await startTestServer(backend);
      admin = new HumanOSClient({ baseUrl: t.url, apiKey: t.admin.token as string });
      dir = writeSnippets([]).dir;
    });
    afterAll(async () => t?.close());

    it('the invoice example: the finance manager approves, a worker runs it, the task completes', async () => {
      const agent = await as('agent', []);
      const manager = await as('human', ['finance_manager']);
      const worker = await as('agent', ['executor'], ['accounting', 'invoice_processing']);
      const w = new Worker(worker.client, {
        capabilities: ['accounting', 'invoice_processing'],
        pollMs: 50,
        handler: async () => ({ processed: true }),
      });
      w.start();
      try {
        await run(0, agent); // calls processInvoiceWithApproval(invoice) without awaiting it
        const gate = await until(
          async () => (await manager.client.inbox()).items.find((g) => g.task.description.includes('INV-2026-001')),
          'the approval request',
        );
        expect(gate).toMatchObject({ approverRole: 'finance_manager', kind: 'execution' });
        await manager.client.approve(gate.id, { approvalReason: 'matches the PO' });
        const done = await until(async () => {
          const task = await agent.client.getTask(gate.taskId);
          return task.status === 'completed' ? task : undefined;
        }, 'completion');
        expect(done).toMatchObject({
          description: 'Process invoice INV-2026-001 for $5000',
          result: { processed: true },
        });
        expect(done.execution?.executor).toBe(worker.id);
      } finally {
        await w.stop();
      }
    });

    it('escalation, sequential, parallel and gradual-autonomy snippets create the tasks they describe', async () => {
      const agent = await as('agent', []);
      for (const i of [1, 2, 3, 6]) await run(i, agent);
      const tasks = (await agent.client.listTasks()).items;
      const byDesc = (d: string) => tasks.find((x) => x.description === d) as Task;
      expect(byDesc('Analyze customer sentiment from support tickets')).toBeDefined();
      const wire = await agent.client.getTask(byDesc('Wire transfer $50,000 to vendor').id);
      expect(wire.approvals.map((g) => g.approverRole)).toEqual(['finance_analyst', 'finance_manager', 'cfo']);
      const merge = await agent.client.getTask(byDesc('Merge PR to production branch').id);
      expect(merge.approvals[0]).toMatchObject({
        required: 2,
        eligibleRoles: ['senior_engineer', 'tech_lead', 'architect'],
      });
      // Gradual Autonomy creates four tasks without a description: the server names them.
      expect(tasks.filter((x) => x.description === 'Untitled task')).toHaveLength(4);
    });

    it('the override snippet takes over a low-confidence run; the feedback snippet rates it', async () => {
      const agent = await as('agent', []);
      const lead = await as('human', ['ops']);
      const alice = await as('human', ['ops'], [], 'did:human:alice'); // the snippet names her
      const task = await agent.client.createTask({
        description: 'Reconcile ledgers',
        humanInLoop: { approverRole: 'ops' },
      });
      await lead.client.approve(task.approvalRequest?.id as string, { approvalReason: 'go' });
      let aborted = false;
      const running = agent.client
        .executeTask(task.id, {
          handler: async (_payload, ctx) => {
            await ctx.report({ confidence: 0.5, progress: 'half way' });
            await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
            aborted = true;
          },
        })
        .catch((e: unknown) => e);
      await until(async () => {
        const x = await agent.client.getTask(task.id);
        return x.status === 'executing' && x.confidence === 0.5 ? x : undefined;
      }, 'the reported confidence');
      const manual = { reconciled: 12, by: 'hand' };
      await run(4, alice, { taskId: task.id, completeTaskManually: async () => manual });
      const done = await alice.client.getTask(task.id);
      expect(done).toMatchObject({ status: 'completed', result: manual, overriddenBy: alice.id });
      await running;
      expect(aborted).toBe(true);
      await run(5, alice, { taskId: task.id });
      const calibration = await admin.calibration(agent.id);
      expect(calibration.samples).toBe(1); // the heartbeat's 0.5 against "correct"
      expect(calibration.byStage).toEqual({
        creation: { samples: 0, brierScore: null }, // the agent stated no confidence at creation
        heartbeat: { samples: 1, brierScore: 0.25 }, // (0.5 − 1)²
        decision: { samples: 0, brierScore: null },
      });
    });
  });
}
