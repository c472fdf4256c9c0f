import { createHash } from 'node:crypto';
import {
  fromBase64Url,
  HumanOSError,
  PASSKEY_ALGORITHMS,
  type PasskeyEnrolment,
  spkiFromRaw,
  toBase64Url,
} from '@humanos/core';
import {
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { cose, decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import type { Selectable, Transaction } from 'kysely';
import { type Principal, requireAdmin } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { API_PREFIX } from '../kernel/routes.js';
import { iso, j, p } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import { relyingParty, takeChallenge } from './decision.js';
import type { RegistrationOptions } from './schemas.js';

type PasskeyRow = Selectable<Database['passkeys']>;

/** How long an enrolment's WebAuthn challenge may be answered. */
const REGISTER_TTL_MS = 5 * 60_000;

/** A passkey as the API answers it (never its private part: there is none on the server). */
export interface PasskeyView {
  credentialId: string;
  principal: string;
  name: string;
  algorithm: number;
  transports: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  ledgerIndex: number;
  revokedLedgerIndex: number | null;
}

export function passkeyView(r: PasskeyRow): PasskeyView {
  return {
    credentialId: r.credential_id,
    principal: r.principal_id,
    name: r.name,
    algorithm: r.algorithm,
    transports: p<string[]>(r.transports),
    createdAt: iso(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : iso(r.last_used_at),
    revokedAt: r.revoked_at === null ? null : iso(r.revoked_at),
    revokedBy: r.revoked_by,
    ledgerIndex: Number(r.enrolled_seq),
    revokedLedgerIndex: r.revoked_seq === null ? null : Number(r.revoked_seq),
  };
}

/**
 * The WebAuthn user handle of a principal: SHA-256 of its DID (stable, so every passkey of one person
 * has the same handle; within WebAuthn's 64 bytes however long the DID).
 */
function userHandle(did: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(did).digest());
}

/** How recent a session's sign-in at the IdP must be to enrol a passkey (the "after a fresh sign-in"). */
export const ENROL_FRESH_MS = 10 * 60_000;

/**
 * Enrolment "after a fresh sign-in": from a sign-in session, the person must have authenticated at the
 * identity provider within `ENROL_FRESH_MS`, so a session left open on a shared screen cannot add a key
 * that then signs decisions as them. Refused with `reauthentication_required` and a sign-in link that
 * forces a fresh login and returns to the security page. A bearer token (no SSO) is the human's own
 * credential and passes, as it does for every other write.
 */
function requireFreshSignIn(actor: Principal, now: number): void {
  if (actor.auth?.method !== 'session') return;
  const age = now - actor.auth.authTime;
  if (age <= ENROL_FRESH_MS) return;
  throw new HumanOSError(
    'reauthentication_required',
    `enrolling a passkey needs a sign-in from the last ${ENROL_FRESH_MS / 60_000} minutes (yours was ${Math.floor(age / 60_000)} minutes ago): sign in again`,
    {
      signInUrl: `${API_PREFIX}/auth/login?${new URLSearchParams({ returnTo: '/security', fresh: 'true' })}`,
      maxSessionAge: ENROL_FRESH_MS / 1000,
    },
  );
}

/** Only the human themself manages their passkeys: not an agent, not an admin on their behalf. */
function requireOwner(actor: Principal): void {
  if (actor.kind !== 'human') {
    throw new HumanOSError('passkey_owner_only', 'passkeys are enrolled by the human themself; an agent has none');
  }
}

/** The COSE public key of a registration as SPKI DER (base64url), the form the ledger carries. */
function spkiOf(coseKey: Uint8Array<ArrayBuffer>): { publicKey: string; algorithm: -7 | -8 } {
  // The COSE key is a CBOR map (RFC 9053): -1 crv, -2 x, -3 y; alg from the map too.
  const key = decodeCredentialPublicKey(coseKey) as unknown as Map<number, unknown>;
  const alg = key.get(cose.COSEKEYS.alg);
  const crv = key.get(cose.COSEKEYS.crv);
  const x = key.get(cose.COSEKEYS.x) as Uint8Array | undefined;
  if (alg === -7 && crv === cose.COSECRV.P256) {
    const y = key.get(cose.COSEKEYS.y) as Uint8Array | undefined;
    if (x?.length === 32 && y?.length === 32) {
      return { publicKey: toBase64Url(spkiFromRaw(Uint8Array.from([4, ...x, ...y]), -7)), algorithm: -7 };
    }
  }
  if (alg === -8 && crv === cose.COSECRV.ED25519 && x?.length === 32) {
    return { publicKey: toBase64Url(spkiFromRaw(x, -8)), algorithm: -8 };
  }
  throw new HumanOSError('passkey_registration_failed', 'only ES256 (P-256) and EdDSA (Ed25519) passkeys are accepted');
}

/**
 * A human's passkeys: enrolment (WebAuthn registration, user verification required, ES256 or EdDSA
 * only), naming, and revocation. Enrolment and revocation are ledger entries (`passkey.enrolled`,
 * `passkey.revoked`): the approver key registry lives in the log, so the log alone says which key
 * was valid when (docs/ledger.md).
 *
 * @example
 * const options = await passkeys.registrationOptions(ann);            // → navigator.credentials.create
 * const key = await passkeys.register(ann, { name: 'YubiKey', response });
 */
export class Passkeys {
  constructor(private readonly deps: FeatureDeps) {}

  /** The caller's passkeys, newest first (revoked ones too, with `revokedAt`). */
  async mine(actor: Principal): Promise<PasskeyView[]> {
    const rows = await this.deps.db
      .selectFrom('passkeys')
      .selectAll()
      .where('principal_id', '=', actor.id)
      .orderBy('created_at', 'desc')
      .orderBy('credential_id')
      .execute();
    return rows.map(passkeyView);
  }

  /** The WebAuthn creation options of a new passkey; its challenge is single-use for 5 minutes. */
  async registrationOptions(actor: Principal): Promise<RegistrationOptions> {
    requireOwner(actor);
    requireFreshSignIn(actor, this.deps.now());
    const rp = relyingParty(this.deps);
    const active = await this.deps.db
      .selectFrom('passkeys')
      .select(['credential_id', 'transports'])
      .where('principal_id', '=', actor.id)
      .where('revoked_at', 'is', null)
      .execute();
    const options = await generateRegistrationOptions({
      rpName: 'HumanOS',
      rpID: rp.rpId,
      userName: actor.id,
      userDisplayName: actor.id,
      userID: userHandle(actor.id),
      attestationType: 'none',
      // The same authenticator is not enrolled twice for one person.
      excludeCredentials: active.map((r) => ({ id: r.credential_id, transports: p(r.transports) })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      supportedAlgorithmIDs: [...PASSKEY_ALGORITHMS],
      timeout: REGISTER_TTL_MS,
    });
    const now = this.deps.now();
    await this.deps.db.deleteFrom('passkey_challenges').where('expires_at', '<=', now).execute();
    await this.deps.db
      .insertInto('passkey_challenges')
      .values({
        nonce: options.challenge,
        principal_id: actor.id,
        purpose: 'register',
        approval_id: null,
        created_at: now,
        expires_at: now + REGISTER_TTL_MS,
      })
      .execute();
    return options;
  }

  /** Verifies a registration response and enrols the passkey (`passkey.enrolled` in the ledger). */
  async register(actor: Principal, input: { name: string; response: RegistrationResponseJSON }): Promise<PasskeyView> {
    requireOwner(actor);
    requireFreshSignIn(actor, this.deps.now());
    const rp = relyingParty(this.deps);
    const name = input.name.trim();
    if (name === '') throw new HumanOSError('validation_failed', 'a passkey needs a name');
    const challenge = challengeOf(input.response);
    const now = this.deps.now();
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response: input.response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.rpId,
        requireUserVerification: true,
        supportedAlgorithmIDs: [...PASSKEY_ALGORITHMS],
      });
    } catch (e) {
      throw new HumanOSError(
        'passkey_registration_failed',
        `the registration does not verify: ${(e as Error).message}`,
      );
    }
    if (!verified.verified) throw new HumanOSError('passkey_registration_failed', 'the registration does not verify');
    const cred = verified.registrationInfo.credential;
    const key = spkiOf(cred.publicKey);
    const row = await this.deps.write(async (trx) => {
      await currentHuman(trx, actor);
      // Single use: the challenge must be this person's, unexpired, and goes with its first use.
      if (!(await takeChallenge(trx, { nonce: challenge, principalId: actor.id, purpose: 'register', now }))) {
        throw new HumanOSError('passkey_registration_failed', 'the registration challenge is unknown, used or expired');
      }
      const exists = await trx
        .selectFrom('passkeys')
        .select('credential_id')
        .where('credential_id', '=', cred.id)
        .executeTakeFirst();
      if (exists) throw new HumanOSError('passkey_exists', `credential ${cred.id} was enrolled before`);
      const enrolment: PasskeyEnrolment = { principal: actor.id, credentialId: cred.id, ...key, name, ...rp };
      const { seqs } = await this.deps.ledger.append(trx, [
        { type: 'passkey.enrolled', at: iso(now), actor: actor.id, taskId: null, data: { ...enrolment } },
      ]);
      const values = {
        credential_id: cred.id,
        principal_id: actor.id,
        name,
        public_key: key.publicKey,
        algorithm: key.algorithm,
        rp_id: rp.rpId,
        origins: j(rp.origins),
        transports: j(cred.transports ?? []),
        created_at: now,
        enrolled_seq: seqs[0] as number,
        last_used_at: null,
        revoked_at: null,
        revoked_by: null,
        revoked_seq: null,
      };
      await trx.insertInto('passkeys').values(values).execute();
      return values;
    });
    return passkeyView(row);
  }

  /** Renames one of the caller's passkeys (the label; the ledger keeps the name it was enrolled with). */
  async rename(actor: Principal, credentialId: string, name: string): Promise<PasskeyView> {
    requireOwner(actor);
    const label = name.trim();
    if (label === '') throw new HumanOSError('validation_failed', 'a passkey needs a name');
    const upd = await this.deps.db
      .updateTable('passkeys')
      .set({ name: label })
      .where('credential_id', '=', credentialId)
      .where('principal_id', '=', actor.id)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) throw new HumanOSError('not_found', `no passkey ${credentialId}`);
    const row = await this.deps.db
      .selectFrom('passkeys')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .executeTakeFirstOrThrow();
    return passkeyView(row);
  }

  /**
   * Revokes a passkey (`passkey.revoked` in the ledger): the human's own, or anyone's by an admin
   * (a lost device). Decisions it signed before stay valid; from this entry on it signs none.
   */
  async revoke(actor: Principal, owner: string, credentialId: string, reason: string | null): Promise<PasskeyView> {
    if (owner !== actor.id) requireAdmin(actor);
    const now = this.deps.now();
    const row = await this.deps.write(async (trx) => {
      const current = await trx
        .selectFrom('passkeys')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .where('principal_id', '=', owner)
        .executeTakeFirst();
      if (!current || current.revoked_at !== null) {
        throw new HumanOSError('not_found', `${owner} has no active passkey ${credentialId}`);
      }
      const { seqs } = await this.deps.ledger.append(trx, [
        {
          type: 'passkey.revoked',
          at: iso(now),
          actor: actor.id,
          taskId: null,
          data: { principal: owner, credentialId, reason: reason?.trim() || null },
        },
      ]);
      const revoked = { revoked_at: now, revoked_by: actor.id, revoked_seq: seqs[0] as number };
      await trx.updateTable('passkeys').set(revoked).where('credential_id', '=', credentialId).execute();
      return { ...current, ...revoked };
    });
    return passkeyView(row);
  }

  /** A principal's passkeys (admin), for revoking a lost one. */
  async of(actor: Principal, principalId: string): Promise<PasskeyView[]> {
    requireAdmin(actor);
    return this.mine({ id: principalId, kind: 'human', roles: [] });
  }
}

/** The challenge a registration response answers (from its clientDataJSON), or a 400. */
function challengeOf(response: RegistrationResponseJSON): string {
  try {
    const cd = JSON.parse(new TextDecoder().decode(fromBase64Url(response.response.clientDataJSON))) as {
      challenge?: unknown;
    };
    if (typeof cd.challenge === 'string') return cd.challenge;
  } catch {
    // reported below
  }
  throw new HumanOSError('passkey_registration_failed', 'the registration response has no readable clientDataJSON');
}

/** The caller as it stands now: an enabled human. */
async function currentHuman(trx: Transaction<Database>, actor: Principal): Promise<void> {
  const row = await trx
    .selectFrom('principals')
    .select(['kind', 'disabled_at'])
    .where('id', '=', actor.id)
    .executeTakeFirst();
  if (!row || row.disabled_at !== null) throw new HumanOSError('unauthorized', `${actor.id} is disabled or removed`);
  if (row.kind !== 'human') throw new HumanOSError('passkey_owner_only', 'only a human enrols passkeys');
}
