import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FeatureDeps } from '../kernel/deps.js';
import type { Seal } from '../kernel/ledger.js';

interface Pinned {
  origin: string;
  size: number;
  rootHash: string;
  checkpoint: string;
}

/** How often the pin file is rewritten at most: it may lag the store by this much, never lead it. */
const WRITE_EVERY_MS = 1000;

/**
 * The latest checkpoint this server published, kept outside the database (a file in the data
 * directory), so a store that was truncated, rolled back or rewritten behind it is refused at start:
 * the database alone cannot vouch for itself. Written after the commit, so it never claims more than
 * the store holds.
 *
 * @example
 * const pin = new CheckpointPin(`${dataDir}/ledger-checkpoint.json`, origin);
 * await pin.check(deps); // throws when the store is behind
 */
export class CheckpointPin {
  private latest: Seal | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly origin: string,
  ) {}

  /** Why the store cannot be trusted against the pinned checkpoint, or undefined when it can. */
  async problem(deps: Pick<FeatureDeps, 'db' | 'ledger'>): Promise<string | undefined> {
    if (!existsSync(this.file)) return undefined;
    let pin: Pinned;
    try {
      pin = JSON.parse(readFileSync(this.file, 'utf8')) as Pinned;
    } catch (e) {
      return `cannot read the pinned checkpoint ${this.file}: ${(e as Error).message}`;
    }
    if (pin.origin !== this.origin) return undefined;
    const size = await deps.ledger.size(deps.db);
    const move = `; if this store was restored on purpose, move ${this.file} aside`;
    if (size < pin.size) {
      return `the store's ledger has ${size} entries, fewer than the checkpoint of size ${pin.size} this server published (truncated or rolled back)${move}`;
    }
    const cp = await deps.ledger.checkpointAt(deps.db, pin.size);
    if (!cp || cp.root_hash !== pin.rootHash) {
      return `the store's ledger at size ${pin.size} is not the one this server published (history rewritten)${move}`;
    }
    return undefined;
  }

  /** Remembers a sealed checkpoint after its commit; the file follows at most once a second. */
  record(seal: Seal): void {
    if (this.latest && this.latest.size >= seal.size) return;
    this.latest = seal;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write());
    }, WRITE_EVERY_MS);
    this.timer.unref();
  }

  /** Writes what is pending now (at shutdown). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write());
    }
    await this.writing;
  }

  private async write(): Promise<void> {
    const s = this.latest;
    if (!s) return;
    const pin: Pinned = { origin: this.origin, size: s.size, rootHash: s.rootHash, checkpoint: s.checkpoint };
    const tmp = `${this.file}.tmp`;
    try {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFile(tmp, `${JSON.stringify(pin)}\n`, { mode: 0o600 });
      await rename(tmp, this.file);
    } catch {
      // Best effort: a missing pin only means a restart checks less.
    }
  }
}
