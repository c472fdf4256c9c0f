import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { fromBase64Url, type PasskeyAssertion, toBase64Url } from '@humanos/core';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software WebAuthn authenticator for tests and test vectors: makes real registration responses
 * (attestation `none`) and real assertions, ES256 (P-256, DER signatures) or EdDSA (Ed25519), over
 * exactly the bytes a browser would sign. Each knob (origin, flags, rpId) can be set wrong on
 * purpose, so one check at a time can be made to fail with an otherwise valid signature.
 *
 * @example
 * const auth = new SoftAuthenticator('localhost', 'http://localhost:8787');
 * const reg = auth.register(options.challenge);      // POST /me/passkeys { name, response: reg }
 * const a = auth.assert(challengeB64, nonce);        // the decision's `passkey`
 */
export class SoftAuthenticator {
  readonly credentialId: string;
  private readonly key: KeyObject;
  private counter = 0;

  constructor(
    readonly rpId: string,
    readonly origin: string,
    readonly algorithm: -7 | -8 = -7,
  ) {
    this.credentialId = toBase64Url(new Uint8Array(randomBytes(16)));
    this.key =
      algorithm === -7
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
        : generateKeyPairSync('ed25519').privateKey;
  }

  private coseKey(): Uint8Array {
    const jwk = this.key.export({ format: 'jwk' }) as { x: string; y?: string };
    const x = fromBase64Url(jwk.x);
    // RFC 9053: kty 2 (EC2) crv 1 (P-256), or kty 1 (OKP) crv 6 (Ed25519); -2 x, -3 y; 3 alg.
    const map =
      this.algorithm === -7
        ? new Map<number, number | Uint8Array>([
            [1, 2],
            [3, -7],
            [-1, 1],
            [-2, x],
            [-3, fromBase64Url(jwk.y as string)],
          ])
        : new Map<number, number | Uint8Array>([
            [1, 1],
            [3, -8],
            [-1, 6],
            [-2, x],
          ]);
    return isoCBOR.encode(map);
  }

  private authData(flags: number, rpId: string, attested?: Uint8Array): Uint8Array {
    this.counter += 1;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return new Uint8Array(
      Buffer.concat([sha256(rpId), Buffer.of(flags), count, ...(attested ? [Buffer.from(attested)] : [])]),
    );
  }

  /** A `RegistrationResponseJSON` answering `challenge` (user present and verified unless told). */
  register(challenge: string, opts: { uv?: boolean; origin?: string } = {}): Record<string, unknown> {
    const id = fromBase64Url(this.credentialId);
    const attested = Buffer.concat([
      Buffer.alloc(16),
      Buffer.of(id.length >> 8, id.length & 0xff),
      Buffer.from(id),
      Buffer.from(this.coseKey()),
    ]);
    const flags = 0x01 | (opts.uv === false ? 0 : 0x04) | 0x40;
    const authData = this.authData(flags, this.rpId, attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]) as never,
    );
    const clientData = JSON.stringify({ type: 'webauthn.create', challenge, origin: opts.origin ?? this.origin });
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: toBase64Url(new TextEncoder().encode(clientData)),
        attestationObject: toBase64Url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * An assertion over `challenge` (base64url) as the decision's `passkey` member, with `nonce`.
   * `origin`, `rpId`, `uv`, `up` and `type` can be set wrong; the signature is always valid.
   */
  assert(
    challenge: string,
    nonce: string,
    opts: { origin?: string; rpId?: string; uv?: boolean; up?: boolean; type?: string } = {},
  ): PasskeyAssertion {
    const flags = (opts.up === false ? 0 : 0x01) | (opts.uv === false ? 0 : 0x04);
    const authData = this.authData(flags, opts.rpId ?? this.rpId);
    const clientData = new TextEncoder().encode(
      JSON.stringify({
        type: opts.type ?? 'webauthn.get',
        challenge,
        origin: opts.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
    const signed = Buffer.concat([authData, sha256(clientData)]);
    const signature = sign(this.algorithm === -7 ? 'sha256' : null, signed, this.key);
    return {
      credentialId: this.credentialId,
      nonce,
      authenticatorData: toBase64Url(authData),
      clientDataJSON: toBase64Url(clientData),
      signature: toBase64Url(new Uint8Array(signature)),
      userHandle: null,
    };
  }
}

function sha256(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** An `Api`-like client: what the helpers below need of `test-support/harness.ts`'s `Api`. */
interface Client {
  // biome-ignore lint/suspicious/noExplicitAny: test replies are inspected freely
  post(path: string, body?: unknown): Promise<{ status: number; body: any }>;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  get(path: string): Promise<{ status: number; body: any }>;
}

/** Enrols `auth` as a passkey of the caller named `name`; the 201 body. */
export async function enrolPasskey(api: Client, auth: SoftAuthenticator, name: string) {
  const options = await api.post('/me/passkeys/registration-options');
  if (options.status !== 200) throw new Error(`registration options: ${JSON.stringify(options.body)}`);
  const r = await api.post('/me/passkeys', { name, response: auth.register(options.body.challenge) });
  if (r.status !== 201) throw new Error(`enrolment: ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Gets a decision challenge and signs it with `auth`: the `passkey` member of the decision, and the
 * challenge reply. `assert` options make one thing wrong (origin, flags, rpId).
 */
export async function signDecision(
  api: Client,
  auth: SoftAuthenticator,
  approvalId: string,
  decision: { verdict: 'approved' | 'rejected'; payloadDigest: string; edits?: Record<string, unknown> },
  opts: Parameters<SoftAuthenticator['assert']>[2] = {},
) {
  const c = await api.post(`/approvals/${approvalId}/passkey-challenge`, decision);
  if (c.status !== 200) throw new Error(`challenge: ${JSON.stringify(c.body)}`);
  return { passkey: auth.assert(c.body.options.challenge, c.body.nonce, opts), challenge: c.body };
}
