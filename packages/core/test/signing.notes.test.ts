/**
 * Keys, did:key names, hex and signed notes (`signing.ts`): the note format against the published
 * vector of golang.org/x/mod/sumdb/note, every way a note or checkpoint is refused, and the key
 * encodings at their edges (leading zero bytes, wrong lengths, wrong alphabets).
 */
import { describe, expect, it } from 'vitest';
import {
  bytesToHex,
  checkpointText,
  didKeyFromPublicKey,
  hexToBytes,
  noteVerifierKey,
  openCheckpoint,
  openNote,
  publicKeyFromDidKey,
  verifyBytes,
} from '../src/notes.js';
import {
  generateSigningKey,
  publicKeyFromRaw,
  signBytes,
  signCheckpoint,
  signingKeyFromPem,
  signingKeyToPem,
  signNote,
} from '../src/signing.js';

// golang.org/x/mod/sumdb/note's test vector (note_test.go): a note signed by PeterNeumann's key.
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER = new Uint8Array(Buffer.from(VKEY.split('+')[2] as string, 'base64').subarray(1));
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

const KEY = generateSigningKey();

describe('signed notes: the Go ecosystem’s format', () => {
  it('the verifier key string and the published note match golang.org/x/mod/sumdb/note', () => {
    expect(noteVerifierKey('PeterNeumann', PETER)).toBe(VKEY);
    expect(openNote(GO_NOTE, 'PeterNeumann', PETER)).toBe(TEXT);
  });
  it('a note we sign is the text, a blank line, and "— name base64(keyhash ‖ signature)"', () => {
    const note = signNote('hello\n', 'me', KEY);
    const m = /^hello\n\n\u2014 me ([A-Za-z0-9+/=]+)\n$/.exec(note);
    expect(m).not.toBeNull();
    const blob = Buffer.from(m?.[1] as string, 'base64');
    expect(blob).toHaveLength(68);
    expect(blob.subarray(0, 4).toString('hex')).toBe(noteVerifierKey('me', KEY.publicKeyRaw).split('+')[1]);
    expect(verifyBytes(KEY.publicKeyRaw, 'hello\n', blob.subarray(4))).toBe(true);
    expect(openNote(note, 'me', KEY.publicKeyRaw)).toBe('hello\n');
  });
  it('note text must end in a newline', () => {
    expect(() => signNote('hello', 'me', KEY)).toThrow('note text must end with a newline');
  });
  it('among several signature lines, the one by the name and key counts', () => {
    const mine = signNote('hello\n', 'me', KEY);
    const theirs = signNote('hello\n', 'other', generateSigningKey());
    const both = `${theirs}${mine.slice('hello\n\n'.length)}`;
    expect(openNote(both, 'me', KEY.publicKeyRaw)).toBe('hello\n');
  });
});

describe('a note is refused, saying which check failed', () => {
  const note = signNote('body\n', 'me', KEY);
  const sigLine = note.slice('body\n\n'.length, -1);
  const withLines = (...lines: string[]) => `body\n\n${lines.map((l) => `${l}\n`).join('')}`;
  it('without a signature block', () => {
    expect(() => openNote('body\n', 'me', KEY.publicKeyRaw)).toThrow('note has no signature block');
  });
  it('with an empty signature block', () => {
    expect(() => openNote('body\n\n', 'me', KEY.publicKeyRaw)).toThrow(
      'note carries no valid signature by me (no signature lines)',
    );
  });
  it('each failed line is listed, in order', () => {
    const short = `\u2014 me ${Buffer.alloc(10).toString('base64')}`;
    const otherKey = signNote('body\n', 'me', generateSigningKey()).slice('body\n\n'.length, -1);
    const blob = Buffer.from(sigLine.split(' ')[2] as string, 'base64');
    blob[10] = (blob[10] as number) ^ 1;
    const broken = `\u2014 me ${blob.toString('base64')}`;
    expect(() =>
      openNote(withLines('garbage', '\u2014 you AAAA', short, otherKey, broken), 'me', KEY.publicKeyRaw),
    ).toThrow(
      'note carries no valid signature by me (a malformed signature line, a signature by you, a signature of 10 bytes, ' +
        'a signature by another key, a signature that does not verify)',
    );
  });
  it('a note opened once is not taken for another text or key later', () => {
    expect(openNote(note, 'me', KEY.publicKeyRaw)).toBe('body\n');
    expect(() => openNote(note.replace('body', 'bodY'), 'me', KEY.publicKeyRaw)).toThrow(/does not verify/);
    expect(() => openNote(note, 'me', generateSigningKey().publicKeyRaw)).toThrow(/another key/);
    expect(() => openNote(note, 'you', KEY.publicKeyRaw)).toThrow(/a signature by me/);
  });
});

describe('checkpoints', () => {
  const root = Buffer.alloc(32, 9).toString('base64');
  it('the body is origin, size and root, one per line', () => {
    expect(checkpointText({ origin: 'o', size: 12, rootHash: root })).toBe(`o\n12\n${root}\n`);
    expect(
      openCheckpoint(signCheckpoint({ origin: 'o', size: 0, rootHash: root }, KEY), 'o', KEY.publicKeyRaw),
    ).toMatchObject({
      origin: 'o',
      size: 0,
      rootHash: root,
    });
  });
  it('a body naming another origin than its signer is refused', () => {
    const note = signNote(`elsewhere\n1\n${root}\n`, 'o', KEY);
    expect(() => openCheckpoint(note, 'o', KEY.publicKeyRaw)).toThrow('checkpoint origin is elsewhere, want o');
  });
  it.each(['01', '-1', '1.5', 'x', '', '9007199254740993'])('size %j is refused', (size) => {
    const note = signNote(`o\n${size}\n${root}\n`, 'o', KEY);
    expect(() => openCheckpoint(note, 'o', KEY.publicKeyRaw)).toThrow('bad checkpoint size');
  });
  it('a root that is not 32 bytes is refused', () => {
    for (const r of [Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), '']) {
      const note = signNote(`o\n1\n${r}\n`, 'o', KEY);
      expect(() => openCheckpoint(note, 'o', KEY.publicKeyRaw)).toThrow('bad checkpoint root');
    }
    expect(() => openCheckpoint(signNote('o\n1\n', 'o', KEY), 'o', KEY.publicKeyRaw)).toThrow('bad checkpoint root');
  });
});

describe('keys and their encodings', () => {
  it('a PEM key round-trips and signs as the original', () => {
    const again = signingKeyFromPem(signingKeyToPem(KEY));
    expect(again.publicKeyRaw).toEqual(KEY.publicKeyRaw);
    expect(verifyBytes(KEY.publicKeyRaw, 'x', signBytes(again, 'x'))).toBe(true);
    expect(verifyBytes(KEY.publicKeyRaw, new Uint8Array([120]), signBytes(again, new Uint8Array([120])))).toBe(true);
  });
  it('only Ed25519 keys are accepted', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => signingKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())).toThrow(
      'signing key must be Ed25519',
    );
  });
  it('a signature of the wrong length or under a malformed key does not verify (and does not throw)', () => {
    const sig = signBytes(KEY, 'x');
    expect(verifyBytes(KEY.publicKeyRaw, 'x', sig.subarray(0, 63))).toBe(false);
    expect(verifyBytes(KEY.publicKeyRaw.subarray(0, 31), 'x', sig)).toBe(false);
    expect(() => publicKeyFromRaw(new Uint8Array(31))).toThrow('Ed25519 public key must be 32 bytes');
  });
  it('public keys from raw bytes are the same key, whatever view they come in', () => {
    const padded = new Uint8Array(40);
    padded.set(KEY.publicKeyRaw, 8);
    const view = padded.subarray(8);
    expect(verifyBytes(view, 'x', signBytes(KEY, 'x'))).toBe(true);
    // More distinct keys than the memo holds: each is still its own key.
    const keys = Array.from({ length: 70 }, () => generateSigningKey());
    for (const k of keys) expect(verifyBytes(k.publicKeyRaw, 'x', signBytes(k, 'x'))).toBe(true);
    expect(verifyBytes((keys[0] as typeof KEY).publicKeyRaw, 'x', signBytes(keys[1] as typeof KEY, 'x'))).toBe(false);
  });
  it('did:key: multicodec 0xed01 in base58btc, round-tripping keys with leading zero bytes', () => {
    expect(didKeyFromPublicKey(KEY.publicKeyRaw)).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
    for (const raw of [
      new Uint8Array(32),
      Uint8Array.from({ length: 32 }, (_, i) => (i < 3 ? 0 : i)),
      KEY.publicKeyRaw,
    ]) {
      expect(publicKeyFromDidKey(didKeyFromPublicKey(raw))).toEqual(raw);
    }
    // The all-zero key: 0xed 0x01 then 32 zero bytes (computed independently in Python).
    expect(didKeyFromPublicKey(new Uint8Array(32))).toBe('did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP');
  });
  it('a did:key that is not one, or not Ed25519, is refused', () => {
    expect(() => publicKeyFromDidKey('did:web:example.com')).toThrow('not a did:key');
    expect(() => publicKeyFromDidKey('did:key:z0OIl')).toThrow('not base58btc');
    expect(() => publicKeyFromDidKey('did:key:z1111')).toThrow('not an Ed25519 did:key');
    // A P-256 did:key (multicodec 0x1200) is well-formed base58 but not Ed25519.
    expect(() => publicKeyFromDidKey('did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169')).toThrow(
      'not an Ed25519 did:key',
    );
    const short = didKeyFromPublicKey(new Uint8Array(31));
    expect(() => publicKeyFromDidKey(short)).toThrow('not an Ed25519 did:key');
  });
  it('hex: with or without 0x, even length, hex digits only', () => {
    expect(hexToBytes('0x00ff')).toEqual(Uint8Array.of(0, 255));
    expect(hexToBytes('ABcd')).toEqual(Uint8Array.of(0xab, 0xcd));
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
    for (const bad of ['0xabc', 'zz', '0x0g', ' 00']) expect(() => hexToBytes(bad), bad).toThrow('not hex');
    expect(bytesToHex(Uint8Array.of(1, 171))).toBe('01ab');
    expect(bytesToHex(Uint8Array.of(1, 171), '0x')).toBe('0x01ab');
    expect(bytesToHex(Uint8Array.of(9, 1, 171, 9).subarray(1, 3))).toBe('01ab');
  });
});

describe('the survivors of the first mutation run', () => {
  it('a note whose text is one empty line opens', () => {
    expect(openNote(signNote('\n', 'me', KEY), 'me', KEY.publicKeyRaw)).toBe('\n');
  });
  it('a signature line is exactly "— name base64": nothing before or after', () => {
    const note = signNote('body\n', 'me', KEY);
    const line = note.slice('body\n\n'.length, -1);
    for (const bad of [`x${line}`, `${line} x`]) {
      expect(() => openNote(`body\n\n${bad}\n`, 'me', KEY.publicKeyRaw), bad).toThrow(
        'note carries no valid signature by me (a malformed signature line)',
      );
    }
  });
  it('a checkpoint of a two-digit size opens', () => {
    const root = Buffer.alloc(32, 9).toString('base64');
    expect(
      openCheckpoint(signCheckpoint({ origin: 'o', size: 12, rootHash: root }, KEY), 'o', KEY.publicKeyRaw),
    ).toMatchObject({
      size: 12,
    });
  });
});

describe('checkpoint extension lines', () => {
  const root = Buffer.alloc(32, 7).toString('base64');
  it('are signed after the root, one per line, and read back in order; none is an empty list', () => {
    const c = { origin: 'o.test/log', size: 3, rootHash: root, extensions: ['ext-a 1', 'ext-b two words'] };
    expect(checkpointText(c)).toBe(`o.test/log\n3\n${root}\next-a 1\next-b two words\n`);
    const opened = openCheckpoint(signCheckpoint(c, KEY), c.origin, KEY.publicKeyRaw);
    expect(opened).toEqual(c);
    const bare = openCheckpoint(
      signCheckpoint({ origin: 'o.test/log', size: 3, rootHash: root }, KEY),
      'o.test/log',
      KEY.publicKeyRaw,
    );
    expect(bare.extensions).toEqual([]);
  });
  it('an empty extension line, or one with a newline, is refused before signing', () => {
    for (const bad of ['', 'a\nb', '\n'])
      expect(
        () => checkpointText({ origin: 'o', size: 1, rootHash: root, extensions: ['ok', bad] }),
        JSON.stringify(bad),
      ).toThrow('a checkpoint extension line must be one non-empty line');
  });
});
