/**
 * Issue 26 in a real Chromium against a real server: on the approval page an approver requests
 * changes (the task goes back to the agent with the feedback), and, on a proposal with alternatives
 * that carry payloads, approves one of them (that alternative's payload is the approved payload).
 * Both controls are accessible (axe) and the page stays clean (CSP, no foreign requests, no errors).
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { axe, expectClean, haveChromium, launch, openPage, uniq, type WatchedPage } from './browser.js';

describe.skipIf(!haveChromium)('request changes and choose an alternative in the console (Chromium)', () => {
  let t: TestServer;
  let browser: Browser;
  let agent: Api;
  let lead: Api;
  let open: WatchedPage | undefined;
  const role = `comms_${uniq()}`;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    agent = await t.principal(`did:agent:drafter-${uniq()}`, []);
    lead = await t.principal(`did:human:lead-${uniq()}`, [role]);
    browser = await launch();
  });
  afterEach(async () => {
    await open?.context.close();
    open = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const openApproval = async (body: Record<string, unknown>) => {
    const r = await agent.post('/tasks', { humanInLoop: { approverRole: role }, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    open = await openPage(browser, t.url, { token: lead.token as string });
    await open.page.goto(`${t.url}/approvals/${encodeURIComponent(r.body.approvalRequest.id)}`);
    return { taskId: r.body.taskId as string, page: open.page };
  };

  it('"Request changes" sends the feedback back to the agent', async () => {
    const { taskId, page } = await openApproval({ description: 'Send the newsletter', payload: { subject: 'June' } });
    await page.locator('#request-changes summary').click();
    await page.locator('#send-changes').click();
    await expect.poll(() => page.locator('#request-changes [role="alert"]').textContent()).toMatch(/Say what/);
    await page.locator('#changes-feedback').fill('Say July, not June');
    expect(await axe(page)).toEqual([]);
    await page.locator('#send-changes').click();
    await expect
      .poll(async () => (await agent.get(`/tasks/${taskId}/decision`)).body)
      .toMatchObject({ changesRequested: true, feedback: 'Say July, not June' });
    await expectClean(open as WatchedPage);
  });

  it('the alternatives picker approves the chosen alternative’s payload; text-only ones cannot be chosen', async () => {
    const { taskId, page } = await openApproval({
      description: 'Delete backup b-3',
      payload: { backupId: 'b-3', action: 'delete' },
      aiProposal: {
        alternatives: ['Extend retention instead', 'Archive to cold storage instead'],
        alternativePayloads: [null, { backupId: 'b-3', action: 'archive' }],
      },
    });
    await expect.poll(() => page.locator('#alternative-1').textContent()).toContain('archive');
    expect(await page.locator('input[name="alternative"][value="0"]').isDisabled()).toBe(true);
    expect(await axe(page)).toEqual([]);
    await page.locator('input[name="alternative"][value="1"]').check();
    await page.locator('#approve-alternative').click();
    await expect
      .poll(async () => (await agent.get(`/tasks/${taskId}/decision`)).body)
      .toMatchObject({
        approved: true,
        approvedPayload: { backupId: 'b-3', action: 'archive' },
        alternative: { index: 1 },
      });
    await expectClean(open as WatchedPage);
  });
});
