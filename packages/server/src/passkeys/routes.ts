import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { API_PREFIX, type Api } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import type { Passkeys } from './passkeys.js';
import {
  CredentialParams,
  PasskeyList,
  PasskeyView,
  PrincipalCredentialParams,
  PrincipalParams,
  RegisterBody,
  RegistrationOptions,
  RenameBody,
  RevokeBody,
} from './schemas.js';

const DOC = {
  list: {
    ...op('listMyPasskeys', 'My passkeys', 'The caller’s passkeys, revoked ones included.'),
    response: responses(200, PasskeyList, 401),
  },
  options: {
    ...op(
      'passkeyRegistrationOptions',
      'Start enrolling a passkey',
      'WebAuthn creation options (user verification required; ES256 or EdDSA). Their challenge is single-use for 5 minutes. Only the human themself enrols (`403 passkey_owner_only`).',
    ),
    response: responses(200, RegistrationOptions, 401, 403, 409),
  },
  register: {
    ...op(
      'registerPasskey',
      'Enrol a passkey',
      'Verifies the browser’s registration response and enrols the key under a name; a `passkey.enrolled` ledger entry carries its public key (SPKI DER). `400 passkey_registration_failed` when it does not verify; `409 passkey_exists` for a credential enrolled before.',
    ),
    response: responses(201, PasskeyView, 400, 401, 403, 409),
  },
  rename: {
    ...op('renamePasskey', 'Rename a passkey', 'Changes the label of one of the caller’s passkeys.'),
    response: responses(200, PasskeyView, 400, 401, 403, 404),
  },
  revoke: {
    ...op(
      'revokePasskey',
      'Remove a passkey',
      'Revokes one of the caller’s passkeys (`passkey.revoked` in the ledger): it signs no decision from now on; decisions it signed before stay valid.',
    ),
    response: responses(200, PasskeyView, 400, 401, 404),
  },
  listOf: {
    ...op('listPrincipalPasskeys', 'Passkeys of a principal', 'A principal’s passkeys (admin).'),
    response: responses(200, PasskeyList, 401, 403),
  },
  revokeOf: {
    ...op(
      'revokePrincipalPasskey',
      'Revoke a principal’s passkey',
      'An admin revokes someone’s passkey (a lost device); recorded with the admin as actor.',
    ),
    response: responses(200, PasskeyView, 400, 401, 403, 404),
  },
};

/** `/me/passkeys` (enrol, list, rename, remove) and the admin's view (the decision challenge is `approvals/`'). */
export function passkeyRoutes(api: Api, passkeys: Passkeys): void {
  const tags = ['passkeys'];
  api.get(`${API_PREFIX}/me/passkeys`, { schema: { ...DOC.list, tags } }, async (req) => ({
    items: await passkeys.mine(req.principal),
  }));
  api.post(`${API_PREFIX}/me/passkeys/registration-options`, { schema: { ...DOC.options, tags } }, async (req) =>
    passkeys.registrationOptions(req.principal),
  );
  api.post(
    `${API_PREFIX}/me/passkeys`,
    { schema: { ...DOC.register, tags, body: RegisterBody } },
    async (req, reply) => {
      const view = await passkeys.register(req.principal, {
        name: req.body.name,
        response: req.body.response as unknown as RegistrationResponseJSON,
      });
      return reply.code(201).send(view);
    },
  );
  api.patch(
    `${API_PREFIX}/me/passkeys/:credentialId`,
    { schema: { ...DOC.rename, tags, params: CredentialParams, body: RenameBody } },
    async (req) => passkeys.rename(req.principal, req.params.credentialId, req.body.name),
  );
  api.post(
    `${API_PREFIX}/me/passkeys/:credentialId/revoke`,
    { schema: { ...DOC.revoke, tags, params: CredentialParams, body: RevokeBody } },
    async (req) => passkeys.revoke(req.principal, req.principal.id, req.params.credentialId, req.body?.reason ?? null),
  );
  api.get(
    `${API_PREFIX}/principals/:principalId/passkeys`,
    { schema: { ...DOC.listOf, tags, params: PrincipalParams } },
    async (req) => ({ items: await passkeys.of(req.principal, req.params.principalId) }),
  );
  api.post(
    `${API_PREFIX}/principals/:principalId/passkeys/:credentialId/revoke`,
    { schema: { ...DOC.revokeOf, tags, params: PrincipalCredentialParams, body: RevokeBody } },
    async (req) =>
      passkeys.revoke(req.principal, req.params.principalId, req.params.credentialId, req.body?.reason ?? null),
  );
}
