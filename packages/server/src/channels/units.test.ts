import { createHmac } from 'node:crypto';
import { generateSigningKey } from '@humanos/core';
import { describe, expect, it } from 'vitest';
import { quietUntil } from './identity.js';
import { verifySlackSignature } from './slackInteractions.js';
import { LinkTokens } from './tokens.js';

describe('channel building blocks', () => {
  it('quiet hours: inside or not, wrapping midnight, in the principal’s time zone', () => {
    const prefs = (start: string, end: string, timeZone = 'UTC') => ({
      email: true,
      slack: true,
      quietHours: { start, end, timeZone },
    });
    const at = (iso: string) => Date.parse(iso);
    expect(quietUntil(prefs('22:00', '07:00'), at('2026-01-10T23:30:00Z'))).toBe(at('2026-01-11T07:00:00Z'));
    expect(quietUntil(prefs('22:00', '07:00'), at('2026-01-10T06:59:30Z'))).toBe(at('2026-01-10T07:00:00Z'));
    expect(quietUntil(prefs('22:00', '07:00'), at('2026-01-10T07:00:00Z'))).toBeUndefined();
    expect(quietUntil(prefs('12:00', '13:00'), at('2026-01-10T12:15:00Z'))).toBe(at('2026-01-10T13:00:00Z'));
    // 23:30 UTC is 00:30 in Berlin (winter): inside 00:00–06:00 there.
    expect(quietUntil(prefs('00:00', '06:00', 'Europe/Berlin'), at('2026-01-10T23:30:00Z'))).toBe(
      at('2026-01-11T05:00:00Z'),
    );
    expect(quietUntil({ email: true, slack: true, quietHours: null }, Date.now())).toBeUndefined();
  });

  it('link tokens: verified with the key that made them, refused when forged, expired when due', () => {
    const key = generateSigningKey();
    const tokens = new LinkTokens(key);
    const now = Date.parse('2026-01-10T15:00:00Z');
    const t = tokens.issue({ a: 'approval:human:1', p: 'did:human:ann', v: 'approved', d: 'sha256:ab' }, 60, now);
    expect(tokens.verify(t, now)).toMatchObject({
      expired: false,
      claims: { a: 'approval:human:1', p: 'did:human:ann' },
    });
    expect(tokens.verify(t, now + 60_000)?.expired).toBe(true);
    // Another deployment's key, a changed claim, a truncated MAC: not ours.
    expect(new LinkTokens(generateSigningKey()).verify(t, now)).toBeUndefined();
    const [body, mac] = t.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), p: 'did:human:eve' }),
    );
    expect(tokens.verify(`${forged.toString('base64url')}.${mac}`, now)).toBeUndefined();
    expect(tokens.verify(`${body}.${mac.slice(1)}`, now)).toBeUndefined();
    // Two tokens for the same claims differ (single use is per token).
    expect(tokens.issue({ a: 'x', p: 'y', v: 'rejected', d: 'z' }, 60, now)).not.toBe(
      tokens.issue({ a: 'x', p: 'y', v: 'rejected', d: 'z' }, 60, now),
    );
  });

  it('Slack signatures: v0 HMAC over v0:timestamp:body, five minutes of tolerance', () => {
    const secret = 'shh';
    const body = 'payload=%7B%7D';
    const now = 1_767_970_800;
    const sign = (ts: number, b = body, s = secret) => ({
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': `v0=${createHmac('sha256', s).update(`v0:${ts}:${b}`).digest('hex')}`,
    });
    expect(() => verifySlackSignature(secret, sign(now), body, now)).not.toThrow();
    expect(() => verifySlackSignature(secret, sign(now - 300), body, now)).not.toThrow();
    expect(() => verifySlackSignature(secret, sign(now - 301), body, now)).toThrow(/too old/);
    expect(() => verifySlackSignature(secret, sign(now + 301), body, now)).toThrow(/too old/);
    expect(() => verifySlackSignature(secret, sign(now, body, 'other'), body, now)).toThrow(/does not match/);
    expect(() => verifySlackSignature(secret, sign(now), `${body}x`, now)).toThrow(/does not match/);
    expect(() => verifySlackSignature(secret, {}, body, now)).toThrow(/missing or malformed/);
  });
});
