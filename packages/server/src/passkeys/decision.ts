import { randomBytes } from 'node:crypto';
import {
  applyMergePatch,
  type DecisionRecord,
  decisionChallenge,
  fromBase64Url,
  gateRisk,
  HumanOSError,
  type PasskeyAlgorithm,
  type PasskeyAssertion,
  type PasskeyEnrolment,
  passkeyRequired,
  payloadDigest,
  type RiskAssessment,
  toBase64Url,
  verifyPasskeyAssertion,
} from '@humanos/core';
import type { Transaction } from 'kysely';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { type ApprovalRow, iso, p, type TaskRow } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import type { DecisionChallenge } from './schemas.js';

/** The relying party, or `409 passkeys_not_configured`. */
export function relyingParty(deps: FeatureDeps): { rpId: string; origins: string[] } {
  if (!deps.webauthn) {
    throw new HumanOSError(
      'passkeys_not_configured',
      'passkeys are not configured on this server (set HUMANOS_WEBAUTHN_RP_ID and HUMANOS_WEBAUTHN_ORIGINS, or HUMANOS_PUBLIC_URL)',
    );
  }
  return deps.webauthn;
}

/** How long a decision's nonce may be used: long enough to touch a key, short enough not to linger. */
export const DECISION_NONCE_TTL_MS = 2 * 60_000;

/** The console's page of a request, where a passkey-signed decision can be made. */
export function consoleUrl(deps: Pick<FeatureDeps, 'publicUrl'>, approvalId: string): string {
  return `${deps.publicUrl ?? ''}/approvals/${encodeURIComponent(approvalId)}`;
}

/** Whether the policy demands a passkey for decisions on this gate, and why. */
export function gatePasskeyRequirement(
  deps: Pick<FeatureDeps, 'policy'>,
  gate: ApprovalRow,
  task: TaskRow,
): { required: boolean; reason: string } {
  const risk = gateRisk({ kind: gate.kind, proposal: p(gate.proposal) }, p<RiskAssessment>(task.risk));
  return passkeyRequired(deps.policy.requirePasskey, {
    riskLevel: risk.level,
    capabilities: p<string[]>(task.required_capabilities),
    rulesApplied: p<{ rulesApplied?: string[] }>(task.policy).rulesApplied ?? [],
  });
}

/** The refusal of a decision that needs a passkey and comes without one (a token, Slack, e-mail). */
export function passkeyRequiredError(
  deps: Pick<FeatureDeps, 'publicUrl'>,
  gateId: string,
  reason: string,
): HumanOSError {
  const url = consoleUrl(deps, gateId);
  return new HumanOSError(
    'passkey_required',
    `this decision must be signed with your passkey (${reason}): decide it in the HumanOS console, ${url}`,
    { consoleUrl: url, reason },
  );
}

/** What a decision records about passkeys in its `approval.decided` entry. */
export interface PasskeyEvidence {
  passkeyRequired: boolean;
  passkey?: PasskeyAssertion;
  /** The key's name, for the receipt ("signed with your passkey …"). */
  passkeyName?: string;
}

/** The members of the `approval.decided` entry's data (docs/ledger.md "Passkeys"): the assertion, and whether policy demanded one. */
export function passkeyEntryData(ev: PasskeyEvidence | undefined): Record<string, unknown> {
  return { ...(ev?.passkeyRequired ? { passkeyRequired: true } : {}), ...(ev?.passkey ? { passkey: ev.passkey } : {}) };
}

/** The decision response's `signedWithPasskey` (the receipt's "signed with your passkey …"). */
export function signedWith(ev: PasskeyEvidence | undefined): { credentialId: string; name: string } | null {
  return ev?.passkey ? { credentialId: ev.passkey.credentialId, name: ev.passkeyName ?? '' } : null;
}

const invalid = (check: string, message: string) =>
  new HumanOSError('passkey_invalid', `the passkey assertion was refused (${check}): ${message}`, { check });

/**
 * Takes a challenge (a decision's nonce, or an enrolment's challenge): this person's, of this purpose
 * (and approval), unexpired. Deleted with its first use, so it is single-use; false when there is none.
 */
export async function takeChallenge(
  trx: Transaction<Database>,
  c: { nonce: string; principalId: string; purpose: 'register' | 'decide'; approvalId?: string; now: number },
): Promise<boolean> {
  let q = trx
    .deleteFrom('passkey_challenges')
    .where('nonce', '=', c.nonce)
    .where('principal_id', '=', c.principalId)
    .where('purpose', '=', c.purpose)
    .where('expires_at', '>', c.now);
  if (c.approvalId !== undefined) q = q.where('approval_id', '=', c.approvalId);
  return Number((await q.executeTakeFirst()).numDeletedRows) === 1;
}

/**
 * The decision's passkey step (`decide.ts`), inside its transaction, after the record it is about
 * to sign is made: without an assertion, `passkey_required` when the policy demands one; with one,
 * the nonce (single use, this approval and person), the key (enrolled, not revoked, the decider's),
 * then exactly the offline verifier's checks against the challenge recomputed from this record.
 * A refusal throws, so the transaction writes nothing.
 *
 * @example
 * const evidence = await checkPasskey(deps, trx, actor, gate, task, record, input.passkey);
 */
export async function checkPasskey(
  deps: FeatureDeps,
  trx: Transaction<Database>,
  actor: Principal,
  subject: { gate: ApprovalRow; task: TaskRow; now: number },
  record: DecisionRecord,
  assertion: PasskeyAssertion | undefined,
): Promise<PasskeyEvidence> {
  const { gate, task, now } = subject;
  const req = gatePasskeyRequirement(deps, gate, task);
  if (!assertion) {
    if (req.required) throw passkeyRequiredError(deps, gate.id, req.reason);
    return { passkeyRequired: false };
  }
  const rp = relyingParty(deps);
  const nonce = { nonce: assertion.nonce, principalId: actor.id, purpose: 'decide' as const, approvalId: gate.id, now };
  if (!(await takeChallenge(trx, nonce))) {
    throw invalid('nonce', 'the nonce is unknown, used, expired, or was issued for another approval or person');
  }
  const row = await trx
    .selectFrom('passkeys')
    .selectAll()
    .where('credential_id', '=', assertion.credentialId)
    .executeTakeFirst();
  if (!row || row.principal_id !== actor.id) {
    throw invalid('passkey_key_unknown', `${actor.id} has no passkey ${assertion.credentialId}`);
  }
  if (row.revoked_at !== null) throw invalid('passkey_key_revoked', `passkey ${row.name} was revoked`);
  const key: PasskeyEnrolment = {
    principal: row.principal_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    algorithm: row.algorithm as PasskeyAlgorithm,
    name: row.name,
    rpId: row.rp_id,
    origins: p<string[]>(row.origins),
  };
  const bad = verifyPasskeyAssertion(key, record, assertion);
  if (bad) throw invalid(bad.check, bad.message);
  stillConfigured(rp, key, assertion);
  await trx.updateTable('passkeys').set({ last_used_at: now }).where('credential_id', '=', row.credential_id).execute();
  return { passkeyRequired: req.required, passkey: assertion, passkeyName: row.name };
}

/**
 * Stricter than the offline checks, which judge by the enrolment: the relying party and the origin
 * must also be ones this server is configured for now (an origin dropped from
 * HUMANOS_WEBAUTHN_ORIGINS signs nothing more, even with keys enrolled while it was listed).
 */
function stillConfigured(rp: { rpId: string; origins: string[] }, key: PasskeyEnrolment, a: PasskeyAssertion): void {
  if (key.rpId !== rp.rpId) throw invalid('passkey_rp_id', `the key was enrolled for ${key.rpId}, not ${rp.rpId}`);
  const { origin } = JSON.parse(new TextDecoder().decode(fromBase64Url(a.clientDataJSON))) as { origin: string };
  if (!rp.origins.includes(origin)) throw invalid('passkey_client_data', `origin ${origin} is no longer allowed`);
}

/** What the console asks for before a passkey-signed decision. */
export interface ChallengeInput {
  verdict: 'approved' | 'rejected';
  /** The digest of the payload the decider was shown (before their edits). */
  payloadDigest: string;
  edits?: Record<string, unknown>;
}

/**
 * Issues a decision's nonce (32 random bytes, single use, 2 minutes, bound to this approval and
 * person) and the WebAuthn request options whose challenge commits to the decision: nonce ‖
 * SHA-256(canonical {approvalId, verdict, payloadDigest after edits, editsDigest, approver}).
 *
 * @example
 * const { options, nonce } = await issueDecisionChallenge(deps, ann, gate, task, version, { verdict: 'approved', payloadDigest });
 */
export async function issueDecisionChallenge(
  deps: FeatureDeps,
  actor: Principal,
  target: { gate: ApprovalRow; task: TaskRow; version: { payload: unknown; digest: string } },
  input: ChallengeInput,
): Promise<DecisionChallenge> {
  const rp = relyingParty(deps);
  const { gate, task, version } = target;
  if (actor.kind !== 'human') throw new HumanOSError('agent_cannot_decide', 'agents never decide approvals');
  if (input.verdict === 'rejected' && input.edits !== undefined) {
    throw new HumanOSError('validation_failed', 'edits can only accompany an approval');
  }
  if (input.payloadDigest !== version.digest) {
    throw new HumanOSError(
      'stale_payload',
      `the payload changed since it was shown (${input.payloadDigest}); it is now ${version.digest}: review the current version`,
      { seenDigest: input.payloadDigest, currentDigest: version.digest, currentPayload: version.payload, diff: null },
    );
  }
  const keys = await deps.db
    .selectFrom('passkeys')
    .select(['credential_id', 'transports', 'name'])
    .where('principal_id', '=', actor.id)
    .where('revoked_at', 'is', null)
    .execute();
  if (keys.length === 0) {
    throw new HumanOSError('passkey_required', 'enrol a passkey first (Security page of the console)', {
      consoleUrl: `${deps.publicUrl ?? ''}/security`,
      reason: 'no passkey enrolled',
    });
  }
  const recordDigest = input.edits ? payloadDigest(applyMergePatch(version.payload, input.edits)) : version.digest;
  const nonce = new Uint8Array(randomBytes(32));
  const challenge = decisionChallenge(nonce, {
    approvalId: gate.id,
    verdict: input.verdict,
    payloadDigest: recordDigest,
    edits: input.edits ?? null,
    decidedBy: actor.id,
  });
  const now = deps.now();
  await deps.db.deleteFrom('passkey_challenges').where('expires_at', '<=', now).execute();
  await deps.db
    .insertInto('passkey_challenges')
    .values({
      nonce: toBase64Url(nonce),
      principal_id: actor.id,
      purpose: 'decide',
      approval_id: gate.id,
      created_at: now,
      expires_at: now + DECISION_NONCE_TTL_MS,
    })
    .execute();
  const required = gatePasskeyRequirement(deps, gate, task);
  return {
    approvalId: gate.id,
    nonce: toBase64Url(nonce),
    expiresAt: iso(now + DECISION_NONCE_TTL_MS),
    payloadDigest: recordDigest,
    passkeyRequired: required.required,
    options: {
      challenge: toBase64Url(challenge),
      rpId: rp.rpId,
      timeout: DECISION_NONCE_TTL_MS,
      userVerification: 'required',
      allowCredentials: keys.map((k) => ({
        id: k.credential_id,
        type: 'public-key',
        transports: p<string[]>(k.transports),
      })),
    },
  };
}
