/**
 * Decisions name the payload version their maker saw, against a fake `fetch`: `approve`/`reject`
 * send the view's `currentDigest` (or the caller's `payloadDigest`), and `409 stale_payload` /
 * `428 payload_digest_required` become typed errors with the server's members. The same against a
 * real server is in digest-flows.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  configureHumanOS,
  HumanOS,
  HumanOSApiError,
  HumanOSClient,
  PayloadDigestRequiredError,
  StalePayloadError,
} from '../src/index.js';
import { fakeFetch, json, problem, type Step } from './fakeFetch.js';

const ID = 'approval:human:0123456789abcdef01234567';
const SEEN = `sha256:${'a'.repeat(64)}`;
const NOW = `sha256:${'b'.repeat(64)}`;
const approved = { approvalId: ID, status: 'approved', taskStatus: 'approved', provenance: { ledgerIndex: 3 } };
const stale = () =>
  problem(
    409,
    'stale_payload',
    {},
    {
      seenDigest: SEEN,
      currentDigest: NOW,
      currentPayload: { iban: 'GB33BUKB20201555555555', amount: 5000 },
      diff: [{ path: '/iban', from: 'DE89370400440532013000', to: 'GB33BUKB20201555555555' }],
    },
  );

function client(steps: Step[]) {
  const f = fakeFetch(steps);
  return {
    sdk: new HumanOSClient({ baseUrl: 'http://h.test', apiKey: 'k', fetch: f.fetch, retries: 0 }),
    calls: f.calls,
  };
}

describe('approve and reject name the payload version the approver saw', () => {
  it('a view passed to approve sends its currentDigest; the id goes in the path', async () => {
    const { sdk, calls } = client([json(200, approved)]);
    await sdk.approve({ id: ID, currentDigest: SEEN }, { approvalReason: 'checked' });
    expect(calls[0]?.url).toBe(`http://h.test/v1/humanos/approvals/${encodeURIComponent(ID)}/approve`);
    expect(calls[0]?.body).toEqual({ approvalReason: 'checked', payloadDigest: SEEN });
  });

  it('an explicit payloadDigest wins over the view’s; an id alone sends what the caller gave, or nothing', async () => {
    const { sdk, calls } = client([json(200, approved), json(200, approved), json(200, approved)]);
    await sdk.approvals.approve({ id: ID, currentDigest: SEEN }, { payloadDigest: NOW });
    await sdk.approvals.approve(ID, { payloadDigest: SEEN });
    await sdk.approvals.approve(ID);
    expect(calls.map((c) => c.body)).toEqual([{ payloadDigest: NOW }, { payloadDigest: SEEN }, {}]);
  });

  it('reject sends the view’s digest too', async () => {
    const { sdk, calls } = client([json(200, { ...approved, status: 'rejected' })]);
    await sdk.reject({ id: ID, currentDigest: SEEN }, { rejectionReason: 'wrong IBAN' });
    expect(calls[0]?.url).toMatch(/\/reject$/);
    expect(calls[0]?.body).toEqual({ rejectionReason: 'wrong IBAN', payloadDigest: SEEN });
  });

  it('the HumanOS facade passes the view through', async () => {
    const f = fakeFetch([json(200, approved)]);
    configureHumanOS({ baseUrl: 'http://h.test', apiKey: 'k', fetch: f.fetch, retries: 0 });
    const calls = f.calls;
    await HumanOS.approve({ id: ID, currentDigest: SEEN });
    expect(calls[0]?.body).toEqual({ payloadDigest: SEEN });
  });
});

describe('stale and missing digests are typed errors', () => {
  it('409 stale_payload → StalePayloadError with seenDigest, currentDigest, currentPayload and diff; not retried', async () => {
    const { sdk, calls } = client([stale()]);
    const e = await sdk.approve({ id: ID, currentDigest: SEEN }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StalePayloadError);
    expect(e).toBeInstanceOf(HumanOSApiError);
    const s = e as StalePayloadError;
    expect(s).toMatchObject({
      code: 'stale_payload',
      status: 409,
      name: 'StalePayloadError',
      seenDigest: SEEN,
      currentDigest: NOW,
      currentPayload: { iban: 'GB33BUKB20201555555555', amount: 5000 },
      diff: [{ path: '/iban', from: 'DE89370400440532013000', to: 'GB33BUKB20201555555555' }],
    });
    expect(s.fromServer).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('a stale_payload without a diff has diff null', async () => {
    const { sdk } = client([
      problem(409, 'stale_payload', {}, { seenDigest: SEEN, currentDigest: NOW, currentPayload: {}, diff: null }),
    ]);
    const e = (await sdk.reject(ID, { rejectionReason: 'no', payloadDigest: SEEN }).catch((x: unknown) => x)) as
      | StalePayloadError
      | undefined;
    expect(e).toBeInstanceOf(StalePayloadError);
    expect(e?.diff).toBeNull();
  });

  it('428 payload_digest_required → PayloadDigestRequiredError', async () => {
    const { sdk } = client([problem(428, 'payload_digest_required')]);
    const e = await sdk.approve(ID).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PayloadDigestRequiredError);
    expect(e).toMatchObject({ code: 'payload_digest_required', status: 428 });
  });

  it('other conflicts stay plain HumanOSApiError', async () => {
    const { sdk } = client([problem(409, 'already_decided')]);
    const e = await sdk.approve(ID, { payloadDigest: SEEN }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HumanOSApiError);
    expect(e).not.toBeInstanceOf(StalePayloadError);
  });
});
