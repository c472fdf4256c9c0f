import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test-support/harness.js';
import { whenOf } from '../src/commands/delegate.js';
import { humanos } from './run.js';

/** `humanos delegate …` against a real server (SQLite): out of office, the inbox "on behalf of", refusals. */
describe('humanos delegate', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(() => t?.close());

  it('parses times and spans', () => {
    const now = Date.parse('2026-08-01T00:00:00Z');
    expect(whenOf('14d', now)).toBe('2026-08-15T00:00:00.000Z');
    expect(whenOf('90m', now)).toBe('2026-08-01T01:30:00.000Z');
    expect(whenOf('2026-08-15', now)).toBe('2026-08-15T00:00:00.000Z');
    expect(() => whenOf('next week', now)).toThrow(/not a time/);
  });

  it('delegates out of office, the delegate sees the request on behalf, ends it; a refusal exits non-zero', async () => {
    const ann = await t.principal('did:human:cli-ann', ['finance']);
    const bob = await t.principal('did:human:cli-bob', []);
    const agent = await t.principal('did:agent:cli-bot', []);
    const asAnn = { HUMANOS_URL: t.url, HUMANOS_API_KEY: ann.token as string };
    const asBob = { HUMANOS_URL: t.url, HUMANOS_API_KEY: bob.token as string };
    const until = new Date(t.clock.now() + 3_600_000).toISOString();
    const made = await humanos(
      ['delegate', 'to', 'did:human:cli-bob', '--until', until, '--out-of-office', '--message', 'away', '--json'],
      asAnn,
    );
    expect(made.code, made.stderr).toBe(0);
    const d = JSON.parse(made.stdout);
    expect(d).toMatchObject({ delegate: 'did:human:cli-bob', outOfOffice: true, state: 'active' });
    await agent.post('/tasks', { description: 'Pay invoice 9', humanInLoop: { approverRole: 'finance' } });
    const inbox = await humanos(['inbox'], asBob);
    expect(inbox.stdout).toContain('(on behalf of did:human:cli-ann)');
    const listed = await humanos(['delegate', 'list', '--received'], asBob);
    expect(listed.stdout).toContain(d.id);
    const self = await humanos(['delegate', 'to', 'did:human:cli-ann', '--until', until], asAnn);
    expect(self.code).not.toBe(0);
    expect(self.stderr).toContain('delegation_to_self');
    const ended = await humanos(['delegate', 'end', d.id, '--json'], asAnn);
    expect(JSON.parse(ended.stdout)).toMatchObject({ state: 'ended' });
  });
});
