/**
 * Core's two `#crypto` modules give the same answers: `node.ts` (node:crypto, what Node and the server
 * run) and `web.ts` (@noble/hashes, @noble/curves, what a browser bundle gets). Hashes, encodings,
 * and Ed25519 verdicts on the edge cases where OpenSSL and noble used to disagree.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import * as node from '../src/crypto/node.js';
import * as web from '../src/crypto/web.js';
import { base64ToBytes } from '../src/notes.js';
import { generateSigningKey, signBytes } from '../src/signing.js';

const backends = { node, web };
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

function le(x: bigint): Uint8Array {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++, x >>= 8n) b[i] = Number(x & 255n);
  return b;
}

function fromLe(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(b[i] as number);
  return x;
}

describe('#crypto on Node and in the browser', () => {
  it('the Node module offers everything the browser module does (the verifier uses only that)', () => {
    expectTypeOf(node).toMatchTypeOf<typeof web>();
    expect(Object.keys(node)).toEqual(expect.arrayContaining(Object.keys(web)));
  });

  it('Node without the one-shot crypto.hash (20.11, which the engines allow) hashes the same', async () => {
    vi.resetModules();
    vi.doMock('node:crypto', async (original) => {
      const real = await original<typeof import('node:crypto')>();
      return { ...real, hash: undefined, default: { ...real, hash: undefined } };
    });
    try {
      const older = await import('../src/crypto/node.js');
      const inputs = ['', 'abc', 'ünïcödé ✓ 𝄞', Uint8Array.of(0, 1, 255), new Uint8Array(1000).fill(7)];
      for (const x of inputs) {
        expect(older.sha256Hex(x)).toBe(node.sha256Hex(x));
        expect(older.toHex(older.sha256(x))).toBe(node.toHex(node.sha256(x)));
        expect(node.sha256Hex(x)).toBe(web.sha256Hex(x));
      }
      expect(older.sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    } finally {
      vi.doUnmock('node:crypto');
      vi.resetModules();
    }
  });

  it('SHA-256 of parts (strings as UTF-8) is the hash of their concatenation, the same in both', () => {
    const parts = ['', 'abc', 'ünïcödé ✓ 𝄞', Uint8Array.of(0, 1, 255), new Uint8Array(1000).fill(7)];
    for (const b of Object.values(backends)) {
      expect(b.toHex(b.sha256())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(b.toHex(b.sha256('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(b.toHex(b.sha256('ab', Uint8Array.of(0x63)))).toBe(b.toHex(b.sha256('abc')));
      expect(b.sha256Hex('abc')).toBe(b.toHex(b.sha256('abc')));
      expect(b.sha256Hex(Uint8Array.of(0x61, 0x62, 0x63))).toBe(b.sha256Hex('abc'));
    }
    expect(web.toHex(web.sha256(...parts))).toBe(node.toHex(node.sha256(...parts)));
  });

  it('hex and base64 round-trip identically, views included', () => {
    const buf = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256);
    const view = buf.subarray(3, 290);
    for (const b of Object.values(backends)) {
      expect(b.toHex(view)).toBe(node.toHex(view));
      expect(b.toBase64(view)).toBe(node.toBase64(view));
      expect(b.fromHex(b.toHex(view))).toEqual(view);
      expect(b.fromBase64(b.toBase64(view))).toEqual(view);
    }
  });

  it('base64 that is not canonical is refused before either decoder sees it', () => {
    for (const bad of ['AAE', 'AA-E', 'AAE=x', 'A AE=', 'AAE_', '=AAE'])
      expect(() => base64ToBytes(bad)).toThrow('not base64');
    expect(base64ToBytes('AAE=')).toEqual(Uint8Array.of(0, 1));
    expect(base64ToBytes('')).toEqual(new Uint8Array());
  });

  it('Ed25519: the same verdict in both for valid, tampered, malleable and degenerate signatures and keys', () => {
    const key = generateSigningKey();
    const pk = key.publicKeyRaw;
    const sig = signBytes(key, 'hello');
    const sPlusL = sig.slice();
    sPlusL.set(le(fromLe(sig.slice(32)) + L), 32);
    const identity = le(1n);
    const anyMessage = new Uint8Array(64);
    anyMessage.set(identity); // R = identity, S = 0: "valid" for every message under a small-order key
    const cases: [string, Uint8Array, Uint8Array | string, Uint8Array, boolean][] = [
      ['valid', pk, 'hello', sig, true],
      ['valid, message as bytes', pk, new TextEncoder().encode('hello'), sig, true],
      ['another message', pk, 'hellp', sig, false],
      ['S + L (malleated)', pk, 'hello', sPlusL, false],
      ['63-byte signature', pk, 'hello', sig.subarray(0, 63), false],
      ['31-byte key', pk.subarray(0, 31), 'hello', sig, false],
      ['identity key (small order)', identity, 'anything', anyMessage, false],
      ['non-canonical key (y = p + 1)', le(P + 1n), 'anything', anyMessage, false],
      [
        'noble-made signature',
        ed25519.getPublicKey(new Uint8Array(32).fill(9)),
        'x',
        ed25519.sign(new TextEncoder().encode('x'), new Uint8Array(32).fill(9)),
        true,
      ],
    ];
    for (const [name, k, msg, s, want] of cases) {
      expect({ name, node: node.verifyEd25519(k, msg, s), web: web.verifyEd25519(k, msg, s) }).toEqual({
        name,
        node: want,
        web: want,
      });
    }
  });
});
