import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  bytesToHex,
  cosignNote,
  didKeyFromPublicKey,
  generateSigningKey,
  KEY_ROTATION_ENTRY,
  KeyChain,
  type KeyEpoch,
  type LedgerEntry,
  rotationProblem,
  type SigningKey,
  sameDidKey,
  sha256Hex,
  signingKeyFromPem,
  signingKeyToPem,
  signKeyRotation,
} from '@humanos/core';
import type { SigningKeySource } from '../config.js';
import { StartupError } from '../errors.js';
import { Ledger } from '../kernel/ledger.js';
import { iso } from '../kernel/rows.js';
import type { Store } from '../store/connect.js';

/** The key this start signs with and, for the start that rotates, the key it takes over from. */
export interface SigningKeys {
  key: SigningKey;
  /** HUMANOS_PREVIOUS_SIGNING_KEY_FILE, when set. */
  previous: SigningKey | undefined;
  /** The setting a refusal names (where the key came from). */
  setting: string;
}

/** The log's identity once the store and the keys agree: its stored origin and its key chain. */
export interface LedgerIdentity {
  origin: string;
  keys: KeyChain;
  /** The key this start brought in, when it rotated. */
  rotated: KeyEpoch | undefined;
}

const PREVIOUS = 'HUMANOS_PREVIOUS_SIGNING_KEY_FILE';

/**
 * Reads a key file; a missing one is generated (first start without a configured key) with mode
 * 0600 and never overwritten ('wx': another process may have written it in the meantime).
 */
function loadOrCreateKey(file: string, setting: string, ensureDir: (dir: string) => void): SigningKey {
  if (existsSync(file)) {
    try {
      return signingKeyFromPem(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new StartupError(setting, `cannot read an Ed25519 key from ${file}: ${(e as Error).message}`);
    }
  }
  const key = generateSigningKey();
  ensureDir(dirname(file));
  try {
    writeFileSync(file, signingKeyToPem(key), { mode: 0o600, flag: 'wx' });
  } catch {
    return signingKeyFromPem(readFileSync(file, 'utf8'));
  }
  return key;
}

/**
 * The configured keys: the signing key from the environment or its file (generated on a first start
 * without one) and the previous key, which must exist (it is never generated) and differ.
 *
 * @example
 * const { key, previous } = loadSigningKeys(config.signingKey, config.previousSigningKeyFile, ensurePrivateDir);
 */
export function loadSigningKeys(
  source: SigningKeySource,
  previousFile: string | undefined,
  ensureDir: (dir: string) => void,
): SigningKeys {
  const setting = source.source === 'env' ? 'HUMANOS_SIGNING_KEY' : 'HUMANOS_SIGNING_KEY_FILE';
  const key = source.source === 'env' ? source.key : loadOrCreateKey(source.file, setting, ensureDir);
  if (previousFile === undefined) return { key, previous: undefined, setting };
  let previous: SigningKey;
  try {
    previous = signingKeyFromPem(readFileSync(previousFile, 'utf8'));
  } catch (e) {
    throw new StartupError(PREVIOUS, `cannot read an Ed25519 key from ${previousFile}: ${(e as Error).message}`);
  }
  if (bytesToHex(previous.publicKeyRaw) === bytesToHex(key.publicKeyRaw)) {
    throw new StartupError(PREVIOUS, `holds the same key as ${setting}: rotation needs a new signing key`);
  }
  return { key, previous, setting };
}

const did = (key: SigningKey) => didKeyFromPublicKey(key.publicKeyRaw);
const hex = (key: SigningKey) => bytesToHex(key.publicKeyRaw);

type Meta = Record<string, string>;

async function readMeta(db: Store['db']): Promise<Meta> {
  return Object.fromEntries((await db.selectFrom('meta').selectAll().execute()).map((r) => [r.key, r.value]));
}

/**
 * The stored key chain, each later key confirmed by its rotation entry in the log (signed by the key
 * before it): a row edited to name another key is refused rather than trusted. A store from before
 * rotation existed has one key, `ledger_public_key`, from size 0.
 */
async function storedChain(store: Store, meta: Meta, origin: string): Promise<KeyChain> {
  const epochs: KeyEpoch[] = meta.ledger_keys
    ? (JSON.parse(meta.ledger_keys) as KeyEpoch[])
    : [{ publicKey: didKeyFromPublicKey(Buffer.from(meta.ledger_public_key as string, 'hex')), fromSize: 0 }];
  const chain = new KeyChain(epochs);
  if (bytesToHex(chain.current.raw) !== meta.ledger_public_key) {
    throw new StartupError('HUMANOS_DATA_DIR', "the store's key list and its current key disagree (meta rows edited)");
  }
  for (let i = 1; i < chain.epochs.length; i++) {
    const at = (chain.epochs[i] as KeyEpoch).fromSize - 1;
    const row = await store.db.selectFrom('ledger_entries').select('entry').where('seq', '=', at).executeTakeFirst();
    const entry = row ? (JSON.parse(row.entry) as LedgerEntry) : undefined;
    const bad =
      entry?.type !== KEY_ROTATION_ENTRY
        ? `no key rotation at ledger index ${at}`
        : (rotationProblem(origin, entry.data, (chain.epochs[i - 1] as KeyEpoch).publicKey) ??
          (sameDidKey(String(entry.data.next), (chain.epochs[i] as KeyEpoch).publicKey)
            ? undefined
            : 'it names another key'));
    if (bad) throw new StartupError('HUMANOS_DATA_DIR', `the store's key list does not match its log: ${bad}`);
  }
  return chain;
}

/**
 * Makes the store and the configured keys agree before anything is served: a first start records
 * the key and the origin (derived from the first key unless HUMANOS_LEDGER_ORIGIN names one; never
 * changed afterwards); a start with the log's current key goes on; a start with a new key and the
 * current one as the previous key rotates (`rotate`); anything else is refused, writing nothing.
 *
 * @example
 * const { origin, keys } = await establishLedgerIdentity(store, loadSigningKeys(...), config.origin);
 */
export async function establishLedgerIdentity(
  store: Store,
  keys: SigningKeys,
  configuredOrigin: string | undefined,
  beforeWriting: (origin: string) => Promise<void> = async () => {},
): Promise<LedgerIdentity> {
  let meta = await readMeta(store.db);
  if (meta.ledger_public_key === undefined) {
    const origin = configuredOrigin ?? `humanos.ledger/${sha256Hex(keys.key.publicKeyRaw).slice(0, 8)}`;
    await store.db
      .insertInto('meta')
      .values([
        { key: 'ledger_public_key', value: hex(keys.key) },
        { key: 'ledger_origin', value: origin },
        { key: 'ledger_keys', value: JSON.stringify([{ publicKey: did(keys.key), fromSize: 0 }]) },
      ])
      // Another replica's first start may win the race: what it stored is what counts.
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    meta = await readMeta(store.db);
  }
  const origin = meta.ledger_origin as string;
  if (configuredOrigin !== undefined && configuredOrigin !== origin) {
    throw new StartupError('HUMANOS_LEDGER_ORIGIN', `this store's ledger origin is ${origin} (it never changes)`);
  }
  const chain = await storedChain(store, meta, origin);
  await beforeWriting(origin);
  const current = chain.current.publicKey;
  if (sameDidKey(current, did(keys.key))) {
    // A store from before migration 0028 learns which key signs it (every append batch checks it).
    await store.db
      .updateTable('ledger_head')
      .set({ signer: hex(keys.key) })
      .where('signer', 'is', null)
      .execute();
    return { origin, keys: chain, rotated: undefined };
  }
  if (!keys.previous) {
    throw new StartupError(
      keys.setting,
      `this store's ledger is signed by ${current}, not by the configured key ${did(keys.key)}: use that key, ` +
        `or rotate to the new one by also setting ${PREVIOUS} to the current key for one start`,
    );
  }
  if (!sameDidKey(current, did(keys.previous))) {
    throw new StartupError(
      PREVIOUS,
      `holds ${did(keys.previous)}, but this store's ledger is signed by ${current}: the previous key must be the log's current key`,
    );
  }
  return rotate(store, { origin, chain, next: keys.key, previous: keys.previous });
}

/**
 * Appends `ledger.key_rotated` (signed by the previous key) in a batch sealed by a checkpoint the
 * previous key signs, which the next key cosigns (so a client that knows only the current key can
 * check the latest checkpoint before the next write), and records the new key, in one transaction
 * under the append lock. A replica that rotated first wins; this start then just uses the new key.
 */
async function rotate(
  store: Store,
  r: { origin: string; chain: KeyChain; next: SigningKey; previous: SigningKey },
): Promise<LedgerIdentity> {
  const ledger = new Ledger(store.dialect, r.previous, r.origin, r.chain);
  // A log from before task heads gets them now, signed by the key in force (the rotation extends them).
  await ledger.ensureTaskHeads(store.db);
  const epoch = await store.db.transaction().execute(async (trx) => {
    const start = await ledger.begin(trx);
    const row = await trx.selectFrom('meta').select('value').where('key', '=', 'ledger_public_key').executeTakeFirst();
    if (row?.value !== hex(r.previous)) {
      await ledger.seal(trx, start, Date.now(), []);
      return undefined;
    }
    const now = Date.now();
    const data = signKeyRotation(r.origin, r.previous, r.next);
    await ledger.append(trx, [{ type: KEY_ROTATION_ENTRY, at: iso(now), actor: 'system', taskId: null, data }]);
    const seal = await ledger.seal(trx, start, now, []);
    if (!seal) throw new Error('the key rotation sealed no checkpoint');
    const note = cosignNote(seal.checkpoint, r.origin, r.next);
    await trx.updateTable('checkpoints').set({ note }).where('size', '=', seal.size).execute();
    const added: KeyEpoch = { publicKey: did(r.next), fromSize: seal.size };
    await trx
      .updateTable('meta')
      .set({ value: hex(r.next) })
      .where('key', '=', 'ledger_public_key')
      .execute();
    // Replicas still running with the previous key stop appending (Ledger.begin reads it).
    await trx
      .updateTable('ledger_head')
      .set({ signer: hex(r.next) })
      .where('id', '=', 1)
      .execute();
    await trx
      .insertInto('meta')
      .values({ key: 'ledger_keys', value: JSON.stringify([...r.chain.list(), added]) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify([...r.chain.list(), added]) }))
      .execute();
    return added;
  });
  const keys = await storedChain(store, await readMeta(store.db), r.origin);
  if (!sameDidKey(keys.current.publicKey, did(r.next))) {
    throw new StartupError(
      PREVIOUS,
      `another start rotated this store's ledger to ${keys.current.publicKey} meanwhile`,
    );
  }
  return { origin: r.origin, keys, rotated: epoch };
}
