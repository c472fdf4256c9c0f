/**
 * `rememberSigned` (crypto/node.ts): what this process signed verifies without a second Ed25519
 * verification — and only the very same bytes do. Every way an insider or a forger could try to ride
 * on a remembered signature must still be refused.
 */
import { describe, expect, it } from 'vitest';
import { verifyEd25519 } from '../src/crypto/node.js';
import { generateSigningKey, signBytes } from '../src/signing.js';

describe('signatures this process made', () => {
  it('verify, and nothing else does: another message, key, or signature byte is refused', () => {
    const key = generateSigningKey();
    const other = generateSigningKey();
    const message = Buffer.from('{"approvalId":"approval:human:1","verdict":"approved","amount":2499}');
    const sig = signBytes(key, message);
    expect(verifyEd25519(key.publicKeyRaw, message, sig)).toBe(true);
    expect(verifyEd25519(key.publicKeyRaw, message.toString('utf8'), sig)).toBe(true);
    // An edited record under the remembered signature.
    const edited = Buffer.from(message.toString('utf8').replace('2499', '2500'));
    expect(verifyEd25519(key.publicKeyRaw, edited, sig)).toBe(false);
    // The same record and signature presented under another key.
    expect(verifyEd25519(other.publicKeyRaw, message, sig)).toBe(false);
    // A signature one bit off.
    const flipped = Uint8Array.from(sig);
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(verifyEd25519(key.publicKeyRaw, message, flipped)).toBe(false);
    // A truncated message (a prefix of the remembered one).
    expect(verifyEd25519(key.publicKeyRaw, message.subarray(0, message.length - 1), sig)).toBe(false);
  });

  it('keeps its own copy: a buffer the signer changes afterwards does not verify under the old signature', () => {
    const key = generateSigningKey();
    const buf = Buffer.from('checkpoint size 41\n');
    const sig = signBytes(key, buf);
    buf.write('checkpoint size 42\n');
    expect(verifyEd25519(key.publicKeyRaw, buf, sig)).toBe(false);
    expect(verifyEd25519(key.publicKeyRaw, 'checkpoint size 41\n', sig)).toBe(true);
  });

  it('still verifies signatures it did not make, after the memo has turned over', () => {
    const key = generateSigningKey();
    const first = signBytes(key, 'first');
    for (let i = 0; i < 2000; i++) signBytes(key, `filler ${i}`);
    expect(verifyEd25519(key.publicKeyRaw, 'first', first)).toBe(true);
    expect(verifyEd25519(key.publicKeyRaw, 'first', signBytes(generateSigningKey(), 'first'))).toBe(false);
  });
});
