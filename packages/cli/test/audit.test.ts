import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test-support/harness.js';
import { humanos } from './run.js';

/** `humanos audit …` against a real server (SQLite): list, read and complete a periodic review. */
describe('humanos audit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(() => t?.close());

  it('lists, shows and completes a review; refuses bad options with a usage error and a second sign-off as a conflict', async () => {
    const agent = await t.principal('did:agent:cli-nightly');
    const auditor = await t.principal('did:human:cli-audra', ['auditor']);
    const created = await agent.post('/tasks', {
      description: 'Vacuum the analytics database',
      humanInLoop: { enabled: false },
      auditFrequency: 'daily',
    });
    expect(created.status).toBe(201);
    t.clock.advance(24 * 3_600_000);
    expect(await t.server.service.auditReviews.openDue()).toBe(1);
    const env = { HUMANOS_URL: t.url, HUMANOS_API_KEY: auditor.token as string };

    const list = await humanos(['audit', 'reviews', '--status', 'open'], env);
    expect(list.code).toBe(0);
    const [id, frequency, period, status, runs] = list.stdout.trim().split('\t');
    expect([frequency, period, status, runs]).toEqual(['daily', '2026-01-10..2026-01-10', 'open', '1 runs']);

    const shown = await humanos(['audit', 'review', id as string], env);
    expect(shown.stdout).toContain(created.body.taskId);
    expect(shown.stdout).toContain('Vacuum the analytics database');

    expect((await humanos(['audit', 'reviews', '--status', 'pending'], env)).code).toBe(2);
    expect((await humanos(['audit', 'complete', id as string, '--outcome', 'fine', '--findings', 'x'], env)).code).toBe(
      2,
    );
    expect((await humanos(['audit', 'complete', id as string, '--outcome', 'no_issues'], env)).code).toBe(2);

    const done = await humanos(
      [
        'audit',
        'complete',
        id as string,
        '--outcome',
        'issues_found',
        '--findings',
        'ran twice',
        '--flag',
        created.body.taskId,
        '--json',
      ],
      env,
    );
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      status: 'completed',
      completedBy: 'did:human:cli-audra',
      flaggedTaskIds: [created.body.taskId],
    });
    const again = await humanos(['audit', 'complete', id as string, '--outcome', 'no_issues', '--findings', 'x'], env);
    expect(again.code).toBe(5);
    const asAgent = await humanos(['audit', 'reviews'], { HUMANOS_URL: t.url, HUMANOS_API_KEY: agent.token as string });
    expect(asAgent.code).toBe(3);
  });
});
