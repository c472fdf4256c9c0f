/**
 * The log's side of C2SP tlog-witness: after seals, the newest checkpoint goes to every configured
 * witness with a consistency proof from the size that witness last cosigned, and the cosignatures
 * come back into `ledger_cosignatures` (served on the checkpoint endpoint and in the export). At
 * start, the same exchange tells whether a quorum of witnesses has cosigned more than the store
 * holds (a restored or truncated store) or something else at its size (a fork): then the server
 * refuses to start, wherever it runs — the rollback pin no longer lives on one replica's disk.
 *
 * Never inside a write transaction and never awaited by a request: one submission in flight per
 * witness, coalesced to the newest checkpoint, retried with backoff while the witness is down.
 */
import {
  checkCosignatures,
  cosignNote,
  emptyRoot,
  formatAddCheckpoint,
  type NoteVerifierKey,
  openCheckpoint,
  parseTlogSize,
  parseWitnessKey,
  type SigningKey,
  signCheckpoint,
} from '@humanos/core';
import type { WitnessesConfig } from '../config.js';
import type { FeatureDeps } from '../kernel/deps.js';

type Deps = Pick<FeatureDeps, 'db' | 'ledger' | 'origin'>;

/** What /healthz shows of each witness. */
export interface WitnessStatus {
  url: string;
  vkey: string;
  /** The size this witness last cosigned (as far as this server knows). */
  cosignedSize: number | null;
  state: 'ok' | 'pending' | 'retrying' | 'conflict';
  consecutiveFailures: number;
  lastError?: string;
}

/** One exchange's outcome. */
type Outcome =
  | { kind: 'cosigned'; size: number }
  | { kind: 'size'; size: number }
  | { kind: 'refused'; status: number; detail: string }
  | { kind: 'unreachable'; detail: string };

interface Peer {
  url: string;
  key: NoteVerifierKey;
  /** The witness's latest cosigned size, once known (a 409 or a 200 tells): where the next proof starts. */
  size: number | undefined;
  /** The size of the last cosignature this server got from it (what /healthz shows). */
  cosigned: number | undefined;
  busy: boolean;
  /** A seal came while a round was in flight: run again when it ends (the round may have missed it). */
  resealed: boolean;
  timer: NodeJS.Timeout | undefined;
  failures: number;
  state: WitnessStatus['state'];
  lastError: string | undefined;
}

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Submits checkpoints to witnesses and checks the store against them at start.
 *
 * @example
 * const cosigner = new WitnessCosigner(deps, key, config.witnesses);
 * const behind = await cosigner.problem(); // a reason to refuse to start, or undefined
 * onSealed: () => cosigner.sealed();
 */
export class WitnessCosigner {
  private readonly peers: Peer[];
  private readonly quorum: number;
  private stopped = false;
  /** Messages from before a logger exists (the start check runs before the app is built). */
  private early: [string, unknown][] | undefined = [];
  private logger: (msg: string, detail?: unknown) => void = (msg, detail) => this.early?.push([msg, detail]);

  constructor(
    private readonly deps: Deps,
    private readonly key: SigningKey,
    { list, quorum }: WitnessesConfig,
    private readonly baseBackoffMs = 1000,
  ) {
    this.quorum = quorum;
    this.peers = list.map((e) => ({
      url: e.url,
      key: parseWitnessKey(e.vkey),
      size: undefined,
      cosigned: undefined,
      busy: false,
      resealed: false,
      timer: undefined,
      failures: 0,
      state: 'pending' as const,
      lastError: undefined,
    }));
  }

  /** Where warnings go from now on (those logged before are passed on first). */
  logTo(log: (msg: string, detail?: unknown) => void): void {
    for (const [msg, detail] of this.early ?? []) log(msg, detail);
    this.early = undefined;
    this.logger = log;
  }

  private log(msg: string, detail?: unknown): void {
    this.logger(msg, detail);
  }

  get configured(): boolean {
    return this.peers.length > 0;
  }

  /**
   * Why the store cannot be trusted against the witnesses, or undefined: a quorum of them cosigned a
   * larger checkpoint than the store's newest, or refused the store's as inconsistent with theirs.
   */
  async problem(): Promise<string | undefined> {
    if (!this.configured) return undefined;
    const ownSize = await this.ownSize();
    const outcomes = await Promise.all(this.peers.map((p) => this.round(p, 3)));
    const against: string[] = [];
    for (const [i, o] of outcomes.entries()) {
      const p = this.peers[i] as Peer;
      if (o.kind === 'size' && o.size > ownSize) against.push(`${p.url} cosigned size ${o.size}`);
      else if (o.kind === 'refused' && o.status === 422) against.push(`${p.url} holds another tree (${o.detail})`);
      else if (o.kind === 'unreachable') {
        this.log(`witness ${p.url} could not check the store at start: ${o.detail}`);
      }
      // The status starts from what this exchange found; a witness not brought up to date is retried.
      this.settle(p, o, ownSize);
    }
    if (against.length === 0) return undefined;
    const what = `the store's ledger (${ownSize} entries) is behind or diverges from what witnesses cosigned: ${against.join('; ')}`;
    if (against.length < this.quorum) {
      this.log(`${what} (fewer than the quorum of ${this.quorum}: starting)`);
      return undefined;
    }
    return `${what} (restored from an older backup, truncated or rewritten; restore the newest backup: a witnessed log cannot go back)`;
  }

  /** A checkpoint was sealed: each idle witness gets the newest one (coalesced; never awaited). */
  sealed(): void {
    for (const p of this.peers) {
      // A round in flight may already have read the checkpoint before this one: it runs again after.
      if (p.busy) p.resealed = true;
      else if (!p.timer) void this.run(p);
    }
  }

  status(): WitnessStatus[] {
    return this.peers.map((p) => ({
      url: p.url,
      vkey: p.key.vkey,
      cosignedSize: p.cosigned ?? null,
      state: p.state,
      consecutiveFailures: p.failures,
      ...(p.lastError ? { lastError: p.lastError } : {}),
    }));
  }

  stop(): void {
    this.stopped = true;
    for (const p of this.peers) clearTimeout(p.timer);
  }

  /** Submits until the witness has the newest checkpoint, or schedules a retry. */
  private async run(p: Peer): Promise<void> {
    p.busy = true;
    p.resealed = false;
    try {
      const own = await this.ownSize();
      this.settle(p, await this.round(p, 3), own);
    } catch (e) {
      this.settle(p, { kind: 'unreachable', detail: (e as Error).message }, undefined);
    } finally {
      p.busy = false;
      // A retry already scheduled takes the newest checkpoint too; otherwise go again now.
      if (p.resealed && !p.timer && !this.stopped) void this.run(p);
    }
  }

  /** Records an exchange's outcome in the witness's status and schedules what comes next. */
  private settle(p: Peer, o: Outcome, ownSize: number | undefined): void {
    if (o.kind === 'cosigned') {
      p.cosigned = o.size;
      p.failures = 0;
      p.state = 'ok';
      p.lastError = undefined;
      // Seals that came while this one was in flight: the newest goes next.
      if (ownSize === undefined || o.size < ownSize) this.again(p, 0);
      return;
    }
    const beyond = o.kind === 'size' && ownSize !== undefined && o.size > ownSize;
    p.failures += 1;
    p.state = beyond || o.kind === 'refused' ? 'conflict' : 'retrying';
    if (o.kind === 'size') {
      p.lastError = beyond
        ? `the witness has cosigned size ${o.size}, beyond this store's ${ownSize}`
        : `the witness's size kept moving (now ${o.size})`;
    } else p.lastError = o.detail;
    if (p.state === 'conflict') this.log(`witness ${p.url} refused the checkpoint: ${p.lastError}`);
    this.again(p, Math.min(MAX_BACKOFF_MS, this.baseBackoffMs * 2 ** Math.min(p.failures - 1, 16)));
  }

  private again(p: Peer, delayMs: number): void {
    if (this.stopped) return;
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.run(p);
    }, delayMs);
    p.timer.unref();
  }

  private async ownSize(): Promise<number> {
    return Number((await this.deps.ledger.latestCheckpoint(this.deps.db))?.size ?? 0);
  }

  /**
   * Submits the newest checkpoint from the witness's size (0 while unknown), following up to `tries`
   * 409s that reveal its size. A witness at a larger size is reported, never "caught up" with.
   */
  private async round(p: Peer, tries: number): Promise<Outcome> {
    let o: Outcome = { kind: 'unreachable', detail: 'not tried' };
    for (let i = 0; i < tries && !this.stopped; i++) {
      const cp = await this.newest();
      const old = p.size ?? 0;
      if (old > cp.size) return { kind: 'size', size: old };
      const proof =
        old === 0 || old === cp.size ? [] : await this.deps.ledger.consistencyProof(this.deps.db, old, cp.size);
      o = await this.submit(p, formatAddCheckpoint({ oldSize: old, proof, checkpoint: cp.note }), cp);
      if (o.kind === 'size') p.size = o.size;
      if (o.kind !== 'size' || o.size > cp.size) return o;
    }
    return o;
  }

  /**
   * The newest checkpoint; an empty log's is signed here (size 0, the empty root) to ask the witness.
   * One this process's key has not signed — the previous key's, on the start that rotates to this
   * key, checked before the rotation is written — is sent with this key's signature added: a witness
   * already restarted with the new key (as a rotation asks) checks it too, so it still says its size.
   */
  private async newest(): Promise<{ size: number; note: string }> {
    const cp = await this.deps.ledger.latestCheckpoint(this.deps.db);
    if (cp) return { size: Number(cp.size), note: this.signedByUs(cp.note) };
    const rootHash = Buffer.from(emptyRoot()).toString('base64');
    return { size: 0, note: signCheckpoint({ origin: this.deps.origin, size: 0, rootHash }, this.key) };
  }

  private signedByUs(note: string): string {
    try {
      openCheckpoint(note, this.deps.origin, this.key.publicKeyRaw);
      return note;
    } catch {
      return cosignNote(note, this.deps.origin, this.key);
    }
  }

  private async submit(p: Peer, body: string, cp: { size: number; note: string }): Promise<Outcome> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${p.url}/add-checkpoint`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (e) {
      return { kind: 'unreachable', detail: (e as Error).message };
    }
    if (res.status === 409) {
      try {
        return { kind: 'size', size: parseTlogSize(text.replace(/\n$/, '')) };
      } catch {
        return { kind: 'refused', status: 409, detail: 'a 409 without a tree size' };
      }
    }
    if (res.status !== 200) return { kind: 'refused', status: res.status, detail: `${res.status}: ${text.trim()}` };
    return this.store(p, cp, text);
  }

  /** Keeps the witness's valid cosignature lines for `cp` (lines by other keys are ignored). */
  private async store(p: Peer, cp: { size: number; note: string }, body: string): Promise<Outcome> {
    const lines = body.split('\n').filter((l) => l !== '');
    const valid = lines.filter((l) => checkCosignatures(`${cp.note}${l}\n`, [p.key]).valid.has(p.key.vkey));
    if (valid.length === 0) return { kind: 'refused', status: 200, detail: 'no valid cosignature by this witness' };
    p.size = cp.size;
    if (cp.size === 0) return { kind: 'cosigned', size: 0 };
    const line = valid[0] as string;
    const at = checkCosignatures(`${cp.note}${line}\n`, [p.key]).valid.get(p.key.vkey) as number;
    await this.deps.db
      .insertInto('ledger_cosignatures')
      .values({ size: cp.size, witness: p.key.vkey, line: `${line}\n`, cosigned_at: at })
      .onConflict((oc) => oc.columns(['size', 'witness']).doUpdateSet({ line: `${line}\n`, cosigned_at: at }))
      .execute();
    return { kind: 'cosigned', size: cp.size };
  }
}

/**
 * A checkpoint note with the cosignature lines collected for its size, after the log's signature.
 *
 * @example
 * const notes = await withCosignatures(db, [{ size: 3, note }]);
 */
export async function withCosignatures(
  db: Deps['db'],
  checkpoints: readonly { size: number; note: string }[],
): Promise<string[]> {
  const sizes = checkpoints.map((c) => Number(c.size));
  const rows =
    sizes.length === 0
      ? []
      : await db
          .selectFrom('ledger_cosignatures')
          .select(['size', 'line'])
          .where('size', 'in', sizes)
          .orderBy('size')
          .orderBy('witness')
          .execute();
  const bySize = new Map<number, string>();
  for (const r of rows) bySize.set(Number(r.size), (bySize.get(Number(r.size)) ?? '') + r.line);
  return checkpoints.map((c) => c.note + (bySize.get(Number(c.size)) ?? ''));
}
