import type { PolicyDocument, SigningKey } from '@humanos/core';
import type { Kysely, Transaction } from 'kysely';
import type { StoreDialect } from '../store/dialect.js';
import type { Database } from '../store/schema.js';
import type { Access } from './access.js';
import type { Ledger, Seal } from './ledger.js';
import type { Notifier } from './notifier.js';

/** A write: runs inside a group-committed transaction; `touched` collects task ids whose waiters to wake. */
export type WriteFn<T> = (trx: Transaction<Database>, touched: Set<string>) => Promise<T>;

/** A committed decision: its gate, verdict, when it was made and when its gate was requested (epoch ms). */
export interface Decided {
  approvalId: string;
  verdict: 'approved' | 'rejected';
  at: number;
  requestedAt: number;
}

/** An injectable clock, so a one-hour timeout is tested in milliseconds. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * What every feature module gets from the composition root (`service.ts`): the store and its
 * dialect, the ledger, the clock, group-committed writes, the signing key, the policy in force and
 * the access rules. Features take this one object instead of reaching into each other.
 */
export interface FeatureDeps {
  db: Kysely<Database>;
  dialect: StoreDialect;
  ledger: Ledger;
  now: () => number;
  /** Runs `fn` in a group-committed write; resolves after the commit (and the wake-up of waiters). */
  write: <T>(fn: WriteFn<T>) => Promise<T>;
  /** Like `write`, also returning the signed checkpoint that sealed the batch. */
  writeSealed: <T>(fn: WriteFn<T>) => Promise<{ value: T; seal: Seal | undefined }>;
  /** The current ledger key (checkpoints, decision records, grants). */
  key: SigningKey;
  /** The key a rotation replaced, on the start that rotated (its e-mail links still verify there). */
  retiredKey?: SigningKey | undefined;
  origin: string;
  /** The ledger key as a `did:key`. */
  signerDid: string;
  policy: PolicyDocument;
  policySource: 'built-in' | 'file';
  notifier: Notifier;
  access: Access;
  /** Where approvers' browsers reach the console (HUMANOS_PUBLIC_URL), for links in refusals. */
  publicUrl?: string;
  /** The WebAuthn relying party (passkeys); undefined when passkeys are not configured. */
  webauthn?: { rpId: string; origins: string[] };
  /**
   * Reports a committed decision with its gate's request time, as the decision read it (the
   * decision-time histogram of `/metrics`: no query after the commit). Must not throw or write.
   */
  onDecided: (decided: Decided) => void;
  /** Reports a refusal because the store disagrees with the signed ledger (a metric and a log line). */
  onIntegrityViolation: (detail: { taskId: string; reason: string }) => void;
}
