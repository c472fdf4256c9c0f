/** The signed ledger: checkpoint, public key, export, and offline verification. */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  equalBytes,
  hexToBytes,
  openCheckpoint,
  publicKeyFromDidKey,
  type VerifyOptions,
  type VerifyReport,
  verifyConsistency,
  verifyLedgerFile,
} from '@humanos/core';
import { HumanOSApiError } from './errors.js';
import { path, type Transport } from './transport.js';

/** The latest signed checkpoint of the ledger. */
export interface Checkpoint {
  size: number;
  /** 0x-hex root hash. */
  rootHash: string;
  /** The signed note. */
  checkpoint: string;
  origin: string;
}

/** The key checkpoints and grants are signed with. */
export interface LedgerPublicKey {
  origin: string;
  /** A `did:key`. */
  publicKey: string;
  algorithm: 'Ed25519';
}

/** An RFC 6962 consistency proof from one tree size to another. */
export interface ConsistencyProof {
  from: number;
  to: number;
  consistencyProof: string[];
  /** The signed note at `to`. */
  checkpoint: string;
}

/** A checkpoint the client has seen and checked: the log must only ever grow from it. */
export interface PinnedCheckpoint {
  origin: string;
  size: number;
  /** 0x-hex root hash. */
  rootHash: string;
}

/**
 * Where pinned checkpoints live between calls: in memory by default; give the client your own to
 * keep them across runs (a file, a database), as Go's checksum-database client keeps its latest tree.
 */
export interface CheckpointStore {
  get(origin: string): PinnedCheckpoint | undefined | Promise<PinnedCheckpoint | undefined>;
  set(pin: PinnedCheckpoint): void | Promise<void>;
}

export function memoryCheckpointStore(): CheckpointStore {
  const pins = new Map<string, PinnedCheckpoint>();
  return { get: (o) => pins.get(o), set: (p) => void pins.set(p.origin, p) };
}

/** The export can take minutes for a large log. */
const EXPORT_REQUEST = { retry: true, raw: true, timeoutMs: 10 * 60_000 } as const;

export class LedgerClient {
  constructor(
    private readonly http: Transport,
    private readonly pins: CheckpointStore = memoryCheckpointStore(),
    private readonly trustedKey?: string,
  ) {}

  /**
   * The latest signed checkpoint, checked: its signature against the trusted key (or the server's
   * published one), and — when an earlier checkpoint of this log was seen — a consistency proof
   * from it. A shorter log, a different root at the same size, or a bad proof throws
   * `ledger_inconsistent`; a good one becomes the new pin.
   *
   * @example
   * const cp = await client.ledger.checkedCheckpoint(); // throws if the log was truncated or rewritten
   */
  async checkedCheckpoint(): Promise<Checkpoint> {
    const cp = await this.checkpoint();
    const key = publicKeyFromDidKey(this.trustedKey ?? (await this.publicKey()).publicKey);
    const opened = openCheckpoint(cp.checkpoint, cp.origin, key);
    const root = new Uint8Array(Buffer.from(opened.rootHash, 'base64'));
    const pin = await this.pins.get(cp.origin);
    const bad = (why: string) => new HumanOSApiError('ledger_inconsistent', 0, why);
    if (pin && opened.size < pin.size) throw bad(`the log shrank from ${pin.size} to ${opened.size} entries`);
    if (pin && opened.size === pin.size && !equalBytes(root, hexToBytes(pin.rootHash))) {
      throw bad(`the log at size ${pin.size} has another root than before (history rewritten)`);
    }
    if (pin && opened.size > pin.size) {
      const proof = await this.http.request<ConsistencyProof>(
        'GET',
        `${path`/ledger/proof/consistency`}?from=${pin.size}&to=${opened.size}`,
        { retry: true },
      );
      try {
        verifyConsistency(
          pin.size,
          opened.size,
          proof.consistencyProof.map(hexToBytes),
          hexToBytes(pin.rootHash),
          root,
        );
      } catch (e) {
        throw bad(
          `the log at size ${opened.size} does not extend the one seen at size ${pin.size}: ${(e as Error).message}`,
        );
      }
    }
    if (!pin || opened.size > pin.size)
      await this.pins.set({ origin: cp.origin, size: opened.size, rootHash: cp.rootHash });
    return cp;
  }

  /** The latest signed checkpoint (public: no token needed). */
  checkpoint(): Promise<Checkpoint> {
    return this.http.request('GET', path`/ledger/checkpoint`, { retry: true });
  }

  /** The server's signing key as a `did:key` (public). */
  publicKey(): Promise<LedgerPublicKey> {
    return this.http.request('GET', path`/ledger/public-key`, { retry: true });
  }

  /** The full ledger as JSON Lines (needs the admin or auditor role). */
  export(): Promise<string> {
    return this.http.request('GET', path`/ledger/export`, EXPORT_REQUEST);
  }

  /**
   * Streams the full ledger into `file` (created with mode 0600), never holding it in memory: for
   * logs too large for one string.
   *
   * @example
   * await client.ledger.exportToFile('ledger.jsonl');
   */
  async exportToFile(file: string): Promise<void> {
    const res = await this.http.response('GET', path`/ledger/export`, EXPORT_REQUEST);
    if (!res.body) throw new HumanOSApiError('network_error', res.status, 'GET /ledger/export: no body');
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(file, { mode: 0o600 }));
  }

  /**
   * Downloads the ledger and verifies it offline. Pass the public key you trust (a `did:key`);
   * without it, the server's own claim is used, which proves integrity but not authorship. The
   * export is streamed into a private temporary file and verified from it in two streamed passes
   * (core's `verifyLedgerFile`), so memory stays bounded for a log of any size; the file is removed.
   *
   * @example
   * const report = await client.ledger.verify('did:key:z6Mk…');
   * if (!report.ok) console.error(`tampered at ${report.firstBadIndex}: ${report.reason}`);
   */
  async verify(trustedPublicKey?: string, opts: Omit<VerifyOptions, 'trustedPublicKey'> = {}): Promise<VerifyReport> {
    const dir = await mkdtemp(join(tmpdir(), 'humanos-ledger-'));
    try {
      const file = join(dir, 'ledger.jsonl');
      await this.exportToFile(file);
      return await verifyLedgerFile(file, async (header) => ({
        trustedPublicKey,
        trustedCheckpoint: opts.trustedCheckpoint ?? (await this.pins.get(header.origin)),
        witnesses: opts.witnesses,
        witnessQuorum: opts.witnessQuorum,
      }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
