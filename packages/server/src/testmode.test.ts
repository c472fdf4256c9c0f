import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test-support/harness.js';
import { ConfigError, loadConfig } from './config.js';

const DAY = 86_400_000;
const GRACE = 5 * 60_000;
const OFFSET = 'HUMANOS_TEST_REVIEW_CLOCK_OFFSET_MS';

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

/**
 * Settings for the test suites only (the SDK suites spawn a real server whose clock they cannot
 * move): refused unless `HUMANOS_TEST_MODE=1`, so production cannot turn them on by accident.
 */
describe('test-only settings', () => {
  it('the review clock offset is refused without HUMANOS_TEST_MODE=1', () => {
    const envs: Record<string, string>[] = [
      { [OFFSET]: '86700000' },
      { [OFFSET]: '0' },
      { [OFFSET]: '1', HUMANOS_TEST_MODE: '' },
    ];
    for (const env of envs) {
      const e = refusal(env);
      expect(e.setting).toBe(OFFSET);
      expect(e.message).toMatch(/test setting: refused unless HUMANOS_TEST_MODE=1/);
    }
    expect(refusal({ HUMANOS_TEST_MODE: 'true', [OFFSET]: '1' }).setting).toBe('HUMANOS_TEST_MODE');
    expect(refusal({ HUMANOS_TEST_MODE: '1', [OFFSET]: '-5' }).setting).toBe(OFFSET);
  });

  it('is off by default and taken with HUMANOS_TEST_MODE=1', () => {
    expect(loadConfig({}).testReviewClockOffsetMs).toBe(0);
    expect(loadConfig({ HUMANOS_TEST_MODE: '1' }).testReviewClockOffsetMs).toBe(0);
    expect(loadConfig({ HUMANOS_TEST_MODE: '1', [OFFSET]: '86700000' }).testReviewClockOffsetMs).toBe(86_700_000);
  });

  describe('with the offset, the sweeper reviews the running day now; the times it records stay real', () => {
    let t: TestServer;
    afterAll(async () => t?.close());

    it('opens the daily review of a run created today', async () => {
      t = await startTestServer('sqlite', {
        HUMANOS_TEST_MODE: '1',
        [OFFSET]: String(DAY + GRACE),
        HUMANOS_TIMER_INTERVAL_MS: '20',
      });
      const agent = await t.principal('did:agent:tm-bot');
      const auditor = await t.principal('did:human:tm-audra', ['auditor']);
      const created = await agent.post('/tasks', {
        description: 'Nightly cleanup',
        humanInLoop: { enabled: false },
        auditFrequency: 'daily',
      });
      expect(created.status).toBe(201);
      let items: Record<string, unknown>[] = [];
      for (let i = 0; i < 200 && items.length === 0; i++) {
        items = (await auditor.get('/audit/reviews')).body.items;
        if (items.length === 0) await new Promise((r) => setTimeout(r, 25));
      }
      // The test clock says 2026-01-10T15:00Z: the day has not ended, yet its review is open.
      expect(items).toMatchObject([
        {
          frequency: 'daily',
          periodStart: '2026-01-10T00:00:00.000Z',
          status: 'open',
          taskCount: 1,
          openedAt: '2026-01-10T15:00:00.000Z',
        },
      ]);
    });
  });
});
