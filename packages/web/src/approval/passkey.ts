/**
 * The decision bar's passkey step (issue 24): where the policy requires a passkey, the server refuses
 * the plain decision with `passkey_required`; the console then asks for a challenge that commits to
 * exactly this decision (verdict, the payload digest on screen, the edits), has the browser sign it
 * with the approver's passkey (user verification required), and sends the decision again with the
 * assertion. Nothing is written by the refused first try.
 */
import type { PasskeyAssertionInput } from '@human/sdk';
import type { startAuthentication } from '@simplewebauthn/browser';
import { api, seg } from '../lib/api.js';

interface Challenge {
  nonce: string;
  options: Parameters<typeof startAuthentication>[0]['optionsJSON'];
}

/**
 * Signs one decision with the approver's passkey: the `passkey` member of the decision request.
 *
 * @example
 * const passkey = await signWithPasskey(id, 'approve', { payloadDigest, edits });
 * await api('POST', `/approvals/${seg(id)}/approve`, { ...body, passkey });
 */
export async function signWithPasskey(
  approvalId: string,
  verdict: 'approve' | 'reject',
  body: { payloadDigest: string; edits?: unknown },
): Promise<PasskeyAssertionInput> {
  const c = await api<Challenge>('POST', `/approvals/${seg(approvalId)}/passkey-challenge`, {
    verdict: verdict === 'approve' ? 'approved' : 'rejected',
    payloadDigest: body.payloadDigest,
    ...(body.edits !== undefined ? { edits: body.edits } : {}),
  });
  // Loaded on first use: most decisions need no passkey, and the console's first load stays as it was.
  const { startAuthentication: start } = await import('@simplewebauthn/browser');
  const r = await start({ optionsJSON: c.options });
  return {
    credentialId: r.id,
    nonce: c.nonce,
    authenticatorData: r.response.authenticatorData,
    clientDataJSON: r.response.clientDataJSON,
    signature: r.response.signature,
    userHandle: r.response.userHandle ?? null,
  };
}
