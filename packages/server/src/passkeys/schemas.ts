import { type Static, Type as T } from 'typebox';
import { closed, Did, IsoTime, Items, JsonObject, Nullable, named, VerdictSchema, view } from '../kernel/schemas.js';

const CREDENTIAL_ID = T.String({ pattern: '^[A-Za-z0-9_-]{1,1400}$', description: 'base64url credential id' });
const NAME = T.String({ minLength: 1, maxLength: 100, description: 'A label its owner recognises: "YubiKey 5C"' });

export const CredentialParams = T.Object({ credentialId: CREDENTIAL_ID }, closed);
export const PrincipalParams = T.Object({ principalId: Did }, closed);
export const PrincipalCredentialParams = T.Object({ principalId: Did, credentialId: CREDENTIAL_ID }, closed);

/** `POST /me/passkeys`: a name and the browser's `RegistrationResponseJSON` (`startRegistration`). */
export const RegisterBody = named(
  'PasskeyRegisterBody',
  T.Object(
    {
      name: NAME,
      response: T.Object(
        {
          id: CREDENTIAL_ID,
          rawId: CREDENTIAL_ID,
          type: T.Literal('public-key'),
          response: T.Object(
            {
              clientDataJSON: T.String({ maxLength: 8000 }),
              attestationObject: T.String({ maxLength: 20000 }),
              authenticatorData: T.Optional(T.String({ maxLength: 20000 })),
              transports: T.Optional(T.Array(T.String({ maxLength: 20 }), { maxItems: 10 })),
              publicKeyAlgorithm: T.Optional(T.Integer()),
              publicKey: T.Optional(T.String({ maxLength: 2000 })),
            },
            { additionalProperties: true },
          ),
          clientExtensionResults: JsonObject,
          authenticatorAttachment: T.Optional(T.String({ maxLength: 30 })),
        },
        { additionalProperties: true, description: 'What `@simplewebauthn/browser` `startRegistration` returns' },
      ),
    },
    closed,
  ),
);

export const RenameBody = named('PasskeyRenameBody', T.Object({ name: NAME }, closed));
export const RevokeBody = named(
  'PasskeyRevokeBody',
  T.Object({ reason: T.Optional(T.String({ maxLength: 500 })) }, closed),
);

/** `POST /approvals/{id}/passkey-challenge`: what the decision will be. */
export const ChallengeBody = named(
  'PasskeyChallengeBody',
  T.Object(
    {
      verdict: VerdictSchema,
      payloadDigest: T.String({
        pattern: '^sha256:[0-9a-f]{64}$',
        description: 'The digest of the payload the decider was shown (before their edits)',
      }),
      edits: T.Optional(JsonObject),
    },
    closed,
  ),
);

export const PasskeyView = named(
  'Passkey',
  view(
    {
      credentialId: T.String(),
      principal: T.String(),
      name: T.String(),
      algorithm: T.Integer({ description: 'COSE: -7 ES256, -8 EdDSA' }),
      transports: T.Array(T.String()),
      createdAt: IsoTime,
      lastUsedAt: Nullable(IsoTime),
      revokedAt: Nullable(IsoTime),
      revokedBy: Nullable(T.String()),
      ledgerIndex: T.Integer({ description: 'The `passkey.enrolled` entry' }),
      revokedLedgerIndex: Nullable(T.Integer({ description: 'The `passkey.revoked` entry' })),
    },
    'A passkey: its name, key algorithm and ledger entries (the key itself is in the `passkey.enrolled` entry)',
  ),
);
export const PasskeyList = named('PasskeyList', Items(PasskeyView, 'Passkeys, newest first, revoked ones included'));

export const RegistrationOptions = named(
  'PasskeyRegistrationOptions',
  view(
    {
      challenge: T.String(),
      rp: JsonObject,
      user: JsonObject,
      pubKeyCredParams: T.Array(JsonObject),
    },
    'WebAuthn `PublicKeyCredentialCreationOptionsJSON`, for `startRegistration({ optionsJSON })`',
  ),
);

export const DecisionChallenge = named(
  'PasskeyDecisionChallenge',
  view(
    {
      approvalId: T.String(),
      nonce: T.String({ description: 'base64url of 32 random bytes: send it back in the decision’s `passkey.nonce`' }),
      expiresAt: IsoTime,
      payloadDigest: T.String({ description: 'The digest the decision will approve (after the edits)' }),
      passkeyRequired: T.Boolean(),
      options: view(
        {
          challenge: T.String({ description: 'nonce ‖ SHA-256(canonical decision statement), base64url (64 bytes)' }),
          rpId: T.String(),
          timeout: T.Integer(),
          userVerification: T.Literal('required'),
          allowCredentials: T.Array(JsonObject),
        },
        'WebAuthn `PublicKeyCredentialRequestOptionsJSON`, for `startAuthentication({ optionsJSON })`',
      ),
    },
    'The nonce and WebAuthn request options of one passkey-signed decision (single use, 2 minutes)',
  ),
);

export type RegistrationOptions = Static<typeof RegistrationOptions>;
export type DecisionChallenge = Static<typeof DecisionChallenge>;
