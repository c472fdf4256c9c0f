import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Api, backends, useTestServer } from '../../../../test-support/harness.js';

const HOUR = 3_600_000;

/** A review as the API answers (the members these tests read). */
interface ReviewJson {
  id: string;
  frequency: string;
  periodStart: string;
  taskCount: number;
  ledgerIndex: number;
  sample: { taskId: string; reason: string }[];
  [member: string]: unknown;
}
const DAY = 24 * HOUR;

/**
 * Issue 14: `auditFrequency` daily / weekly / monthly opens one periodic audit review per UTC period
 * covering that period's unattended runs, with a sample, for the auditor role; an auditor completes
 * it with findings. Both steps are ledger entries. The clock starts Saturday 2026-01-10 15:00 UTC.
 */
for (const backend of backends()) {
  describe(`periodic audit reviews [${backend}]`, () => {
    const s = useTestServer(backend, {
      principals: {
        agent: ['did:agent:nightly-bot', []],
        auditor: ['did:human:audra', ['auditor']],
        botAuditor: ['did:agent:audit-bot', ['auditor']],
        ops: ['did:human:opal', ['ops']],
      },
    });
    const service = () => s.t.server.service;

    async function unattended(description: string, auditFrequency: string, extra: Record<string, unknown> = {}) {
      const r = await s.as.agent.post('/tasks', {
        description,
        humanInLoop: { enabled: false },
        auditFrequency,
        payload: { n: description },
        ...extra,
      });
      expect(r.status).toBe(201);
      return r.body.taskId as string;
    }

    async function run(taskId: string, outcome: 'complete' | 'fail') {
      const ex = await s.as.agent.post(`/tasks/${taskId}/execute`, {});
      expect(ex.status).toBe(200);
      const body =
        outcome === 'complete'
          ? { result: { ok: true }, executionId: ex.body.executionId }
          : { error: { message: 'boom' }, executionId: ex.body.executionId };
      expect((await s.as.agent.post(`/tasks/${taskId}/${outcome}`, body)).status).toBe(200);
    }

    async function reviews(api: Api, query = '') {
      const r = await api.get(`/audit/reviews${query}`);
      expect(r.status).toBe(200);
      return r.body.items as ReviewJson[];
    }

    async function entries(type: string) {
      const size = (await s.t.admin.get('/ledger/checkpoint')).body.size;
      const all = (await s.t.admin.get(`/ledger/entries?start=0&end=${size}`)).body.entries.map(
        (e: { entry: string }) => JSON.parse(e.entry),
      );
      return all.filter((e: { type: string }) => e.type === type);
    }

    const ids: Record<string, string> = {};

    it('nothing opens while the period is running, or before its grace has passed', async () => {
      ids.d1 = await unattended('Rotate logs (daily 1)', 'daily');
      ids.d2 = await unattended('Rotate logs (daily 2)', 'daily');
      ids.w1 = await unattended('Reindex search (weekly)', 'weekly', { riskAssessment: { level: 'medium' } });
      ids.m1 = await unattended('Archive invoices (monthly)', 'monthly');
      ids.always = await unattended('Sync CRM (always)', 'always');
      // Asked for oversight: gated, so not an unattended run.
      const gated = await s.as.agent.post('/tasks', {
        description: 'Gated task',
        humanInLoop: { enabled: true, approverRole: 'ops' },
        auditFrequency: 'daily',
      });
      ids.gated = gated.body.taskId;
      await run(ids.d1 as string, 'complete');
      await run(ids.d2 as string, 'fail');
      await run(ids.w1 as string, 'complete');
      expect(await service().auditReviews.openDue()).toBe(0);
      s.t.clock.t = Date.parse('2026-01-11T00:04:00Z'); // the day ended 4 minutes ago: grace not over
      expect(await service().auditReviews.openDue()).toBe(0);
      expect(await reviews(s.as.auditor)).toEqual([]);
    });

    it('after the day ends, one daily review covers its runs, with a sample and a ledger entry', async () => {
      s.t.clock.t = Date.parse('2026-01-11T00:06:00Z');
      expect(await service().auditReviews.openDue()).toBe(1);
      expect(await service().auditReviews.openDue()).toBe(0); // once
      const [daily, ...rest] = await reviews(s.as.auditor);
      expect(rest).toEqual([]);
      expect(daily).toMatchObject({
        frequency: 'daily',
        periodStart: '2026-01-10T00:00:00.000Z',
        periodEnd: '2026-01-11T00:00:00.000Z',
        status: 'open',
        auditorRole: 'auditor',
        taskCount: 2,
        statusCounts: { completed: 1, failed: 1 },
        completedAt: null,
        outcome: null,
        flaggedTaskIds: [],
      });
      expect(daily?.sample.map((x: { taskId: string; reason: string }) => [x.taskId, x.reason])).toEqual([
        [ids.d2, 'failed'],
        [ids.d1, 'random'],
      ]);
      expect(daily?.sample[0]).toMatchObject({ description: 'Rotate logs (daily 2)', status: 'failed' });
      // Oldest first; both were created at the same instant of the test clock, so by id.
      const [first, second] = [ids.d1, ids.d2].sort();
      const covered = (await s.as.auditor.get(`/audit/reviews/${daily?.id}/tasks?limit=1`)).body;
      expect(covered.items.map((t: { taskId: string }) => t.taskId)).toEqual([first]);
      const next = (await s.as.auditor.get(`/audit/reviews/${daily?.id}/tasks?cursor=${covered.nextCursor}`)).body;
      expect(next).toMatchObject({ items: [{ taskId: second }], nextCursor: null });

      const [opened] = await entries('audit.review_opened');
      expect(opened).toMatchObject({
        actor: 'system',
        taskId: null,
        data: { reviewId: daily?.id, frequency: 'daily', taskCount: 2, auditorRole: 'auditor' },
      });
      expect(opened.seq).toBe(daily?.ledgerIndex);
      const digest = createHash('sha256').update([ids.d1, ids.d2].sort().join('\n')).digest('hex');
      expect(opened.data.tasksDigest).toBe(digest);
    });

    it('the week and the month get theirs when they end; "always" and gated tasks never join one', async () => {
      s.t.clock.t = Date.parse('2026-01-12T01:00:00Z'); // Monday: the ISO week of the 5th has ended
      expect(await service().auditReviews.openDue()).toBe(1);
      const weekly = (await reviews(s.as.auditor, '?frequency=weekly'))[0];
      expect(weekly).toMatchObject({
        periodStart: '2026-01-05T00:00:00.000Z',
        periodEnd: '2026-01-12T00:00:00.000Z',
        taskCount: 1,
        sample: [{ taskId: ids.w1, reason: 'random', riskLevel: 'medium', status: 'completed' }],
      });
      s.t.clock.t = Date.parse('2026-02-01T00:10:00Z');
      expect(await service().auditReviews.openDue()).toBe(1);
      const monthly = (await reviews(s.as.auditor, '?frequency=monthly'))[0];
      expect(monthly).toMatchObject({
        periodStart: '2026-01-01T00:00:00.000Z',
        taskCount: 1,
        statusCounts: { approved: 1 },
      });
      const all = await reviews(s.as.auditor);
      expect(all.map((r) => r.frequency)).toEqual(['daily', 'weekly', 'monthly']);
      const covered = new Set<string>();
      for (const r of all) {
        for (const t of (await s.as.auditor.get(`/audit/reviews/${r.id}/tasks`)).body.items) covered.add(t.taskId);
      }
      expect(covered.has(ids.always as string)).toBe(false);
      expect(covered.has(ids.gated as string)).toBe(false);
      expect(covered.size).toBe(4);
      // The per-task spot-check of an "always" run is a separate audit gate, as before.
      const always = (await s.t.admin.get(`/tasks/${ids.always}`)).body;
      expect(always.approvals.map((g: { kind: string }) => g.kind)).toContain('audit');
    });

    it('who may read and complete: auditors and admins read, only a human auditor signs off', async () => {
      const daily = (await reviews(s.as.auditor, '?frequency=daily'))[0] as ReviewJson;
      for (const api of [s.as.agent, s.as.ops]) {
        expect((await api.get('/audit/reviews')).status).toBe(403);
        expect((await api.get(`/audit/reviews/${daily.id}`)).status).toBe(403);
        expect((await api.get(`/audit/reviews/${daily.id}/tasks`)).status).toBe(403);
      }
      expect((await s.t.admin.get(`/audit/reviews/${daily.id}`)).status).toBe(200);
      const before = await s.t.fingerprint();
      for (const api of [s.as.agent, s.as.ops, s.as.botAuditor]) {
        const r = await api.post(`/audit/reviews/${daily.id}/complete`, { outcome: 'no_issues', findings: 'fine' });
        expect(r.status).toBe(403);
        expect(r.body.code).toBe('forbidden');
      }
      expect(await s.t.fingerprint()).toBe(before);
    });

    it('completing: findings, flagged runs of this review only, once; signed into the ledger', async () => {
      const daily = (await reviews(s.as.auditor, '?frequency=daily'))[0] as ReviewJson;
      const path = `/audit/reviews/${daily.id}/complete`;
      const before = await s.t.fingerprint();
      for (const [body, code] of [
        [{ outcome: 'issues_found', findings: 'x', flaggedTaskIds: [ids.w1] }, 'validation_failed'],
        [{ outcome: 'issues_found', findings: '   ' }, 'validation_failed'],
        [{ outcome: 'maybe', findings: 'x' }, 'validation_failed'],
        [{ outcome: 'no_issues' }, 'validation_failed'],
        [{ outcome: 'no_issues', findings: 'x', extra: 1 }, 'validation_failed'],
      ] as const) {
        const r = await s.as.auditor.post(path, body);
        expect(r.status).toBe(400);
        expect(r.body.code).toBe(code);
      }
      expect(
        (
          await s.as.auditor.post('/audit/reviews/review:human:000000000000000000000000/complete', {
            outcome: 'no_issues',
            findings: 'x',
          })
        ).status,
      ).toBe(404);
      expect(await s.t.fingerprint()).toBe(before);

      const done = await s.as.auditor.post(path, {
        outcome: 'issues_found',
        findings: 'The failed rotation left logs behind; ticket OPS-12.',
        flaggedTaskIds: [ids.d2, ids.d2],
      });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({
        status: 'completed',
        completedBy: 'did:human:audra',
        outcome: 'issues_found',
        flaggedTaskIds: [ids.d2],
      });
      const [completed] = await entries('audit.review_completed');
      expect(completed).toMatchObject({
        seq: done.body.completedLedgerIndex,
        actor: 'did:human:audra',
        data: { reviewId: daily.id, outcome: 'issues_found', flaggedTaskIds: [ids.d2], taskCount: 2 },
      });
      const again = await s.as.auditor.post(path, { outcome: 'no_issues', findings: 'second look' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('already_decided');
      expect((await reviews(s.as.auditor, '?status=open')).map((r) => r.frequency).sort()).toEqual([
        'monthly',
        'weekly',
      ]);
      expect((await reviews(s.as.auditor, '?status=completed')).map((r) => r.id)).toEqual([daily.id]);
    });

    it('a run that arrives late joins its period’s review and reopens a completed one', async () => {
      const daily = (await reviews(s.as.auditor, '?frequency=daily'))[0] as ReviewJson;
      const now = s.t.clock.t;
      s.t.clock.t = Date.parse('2026-01-10T23:59:59Z'); // a replica whose clock lags
      const late = await unattended('Rotate logs (late)', 'daily');
      s.t.clock.t = now;
      expect(await service().auditReviews.openDue()).toBe(1);
      const after = (await s.as.auditor.get(`/audit/reviews/${daily.id}`)).body;
      expect(after).toMatchObject({ status: 'open', taskCount: 3, completedAt: null, outcome: null });
      expect(after.statusCounts).toEqual({ completed: 1, failed: 1, approved: 1 });
      const [extended] = await entries('audit.review_extended');
      expect(extended.data).toMatchObject({ reviewId: daily.id, taskCount: 1, reopened: true });
      const covered = (await s.as.auditor.get(`/audit/reviews/${daily.id}/tasks`)).body.items;
      expect(covered.map((t: { taskId: string }) => t.taskId)).toContain(late);
      // The sample is drawn again over all three runs: the late one is in it (failures still first).
      expect(after.sample.map((x: { taskId: string }) => x.taskId)).toContain(late);
      expect(after.sample[0]).toMatchObject({ taskId: ids.d2, reason: 'failed' });
      expect(extended.data.sample.map((x: { id: string }) => x.id)).toContain(late);
    });

    it('a server that was down catches up period by period; racing sweeps open each period once', async () => {
      s.t.clock.t = Date.parse('2026-03-02T10:00:00Z');
      for (let d = 0; d < 3; d++) {
        await unattended(`Backfill day ${d}`, 'daily');
        s.t.clock.advance(DAY);
      }
      await unattended('Backfill again', 'daily'); // today: not yet
      s.t.clock.advance(HOUR);
      const opened = await Promise.all([service().auditReviews.openDue(), service().auditReviews.openDue()]);
      expect(opened[0] + opened[1]).toBe(3);
      const march = (await reviews(s.as.auditor, '?frequency=daily&status=open')).filter((r) =>
        r.periodStart.startsWith('2026-03'),
      );
      expect(march.map((r) => r.periodStart).sort()).toEqual([
        '2026-03-02T00:00:00.000Z',
        '2026-03-03T00:00:00.000Z',
        '2026-03-04T00:00:00.000Z',
      ]);
      for (const r of march) expect(r.taskCount).toBe(1);
    });

    it('bad queries and ids are refused with a problem and change nothing', async () => {
      const before = await s.t.fingerprint();
      for (const [path, code] of [
        ['/audit/reviews?status=pending', 'validation_failed'],
        ['/audit/reviews?frequency=hourly', 'validation_failed'],
        ['/audit/reviews?limit=0', 'validation_failed'],
        ['/audit/reviews?cursor=bm90LWEtY3Vyc29y', 'bad_request'],
        ['/audit/reviews/task:human:000000000000000000000000', 'invalid_id'],
        ['/audit/reviews/review:human:000000000000000000000000', 'not_found'],
        ['/audit/reviews/review:human:000000000000000000000000/tasks', 'not_found'],
      ] as const) {
        const r = await s.as.auditor.get(path);
        expect([r.status, r.body.code], path).toEqual([code === 'not_found' ? 404 : 400, code]);
        expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
      expect(await s.t.fingerprint()).toBe(before);
    });

    it('the list pages by period, newest first', async () => {
      const all = await reviews(s.as.auditor);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: { id: string }[]; nextCursor: string | null } = (
          await s.as.auditor.get(`/audit/reviews?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        ).body;
        seen.push(...page.items.map((r: { id: string }) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.map((r) => r.id));
      const starts = all.map((r) => r.periodStart);
      expect([...starts].sort().reverse()).toEqual(starts);
    });
  });
}
