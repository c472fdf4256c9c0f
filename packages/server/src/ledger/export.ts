import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import type { FeatureDeps } from '../kernel/deps.js';
import { withCosignatures } from './witnesses.js';

type ExportDeps = Pick<FeatureDeps, 'db' | 'ledger' | 'origin' | 'signerDid'>;

/** One JSON Lines record of the export (`type` says which kind). */
export type ExportLine = Record<string, unknown> & { type: string };

/**
 * A part of the export: the lines it contributes for a log of `size` entries, read page by page.
 * The export is the concatenation of its sections; a new kind of line is a new section.
 */
export type ExportSection = (deps: ExportDeps, size: number) => AsyncIterable<ExportLine>;

/** Rows read per size-planning query, and the most entry text read in one page. */
const PLAN_ROWS = 1000;
const PAGE_BYTES = 4 * 1024 * 1024;
/** Text handed to the response at once: lines are joined up to this many characters. */
const CHUNK_CHARS = 256 * 1024;

async function* header(deps: ExportDeps, size: number): AsyncIterable<ExportLine> {
  // `keys`: the chain a verifier starts from (each later key is confirmed by its rotation entry).
  yield {
    type: 'header',
    format: 'humanos-ledger/1',
    origin: deps.origin,
    publicKey: deps.signerDid,
    keys: deps.ledger.keys.list(),
    size,
  };
}

/**
 * The entries `[from, to)` split into pages of at most `PAGE_BYTES` of entry text (at least one
 * entry each), from a query of their lengths: entries of 1 MB are read a few at a time.
 */
async function entryPages(deps: ExportDeps, from: number, to: number): Promise<[number, number][]> {
  const lengths = await deps.db
    .selectFrom('ledger_entries')
    .select(['seq', sql<number>`length(entry)`.as('n')])
    .where('seq', '>=', from)
    .where('seq', '<', to)
    .orderBy('seq')
    .execute();
  const pages: [number, number][] = [];
  let start = from;
  let bytes = 0;
  for (const r of lengths) {
    const seq = Number(r.seq);
    if (seq > start && bytes + Number(r.n) > PAGE_BYTES) {
      pages.push([start, seq]);
      start = seq;
      bytes = 0;
    }
    bytes += Number(r.n);
  }
  if (start < to) pages.push([start, to]);
  return pages;
}

async function* entries(deps: ExportDeps, size: number): AsyncIterable<ExportLine> {
  for (let from = 0; from < size; from += PLAN_ROWS) {
    for (const [start, end] of await entryPages(deps, from, Math.min(size, from + PLAN_ROWS))) {
      const rows = await deps.db
        .selectFrom('ledger_entries')
        .select(['seq', 'entry', 'leaf_hash', 'task_id'])
        .where('seq', '>=', start)
        .where('seq', '<', end)
        .orderBy('seq')
        .execute();
      // The index column too: the verifier requires it to name the signed entry's task.
      for (const r of rows) {
        yield { type: 'entry', index: Number(r.seq), entry: r.entry, leafHash: r.leaf_hash, taskId: r.task_id };
      }
    }
  }
}

async function* decisions(deps: ExportDeps, size: number): AsyncIterable<ExportLine> {
  const PAGE = 500;
  for (let after = -1; ; ) {
    const rows = await deps.db
      .selectFrom('decisions')
      .select(['ledger_index', 'record', 'signature', 'approval_id', 'principal_id', 'verdict', 'payload_digest'])
      .where('ledger_index', '<', size)
      .where('ledger_index', '>', after)
      .orderBy('ledger_index')
      .limit(PAGE)
      .execute();
    for (const d of rows) {
      yield {
        type: 'decision',
        ledgerIndex: Number(d.ledger_index),
        record: JSON.parse(d.record),
        signature: d.signature,
        // The columns the API reads, so an edited verdict or decider is caught offline.
        row: {
          approvalId: d.approval_id,
          principalId: d.principal_id,
          verdict: d.verdict,
          payloadDigest: d.payload_digest,
        },
      };
    }
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]?.ledger_index);
  }
}

async function* checkpoints(deps: ExportDeps, size: number): AsyncIterable<ExportLine> {
  const PAGE = 5000;
  for (let after = -1; ; ) {
    const rows = await deps.db
      .selectFrom('checkpoints')
      .select(['size', 'note'])
      .where('size', '<=', size)
      .where('size', '>', after)
      .orderBy('size')
      .limit(PAGE)
      .execute();
    // Each note carries the witnesses' cosignature lines after the log's own signature.
    for (const note of await withCosignatures(deps.db, rows)) yield { type: 'checkpoint', note };
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]?.size);
  }
}

/**
 * The sections of `humanos-ledger/1`, in order: a header, every entry with its stored leaf hash, the
 * store's decision rows (so a verifier can check the store against the log), then every signed
 * checkpoint. Each is read in pages, so the export holds at most one page in memory.
 */
export const EXPORT_SECTIONS: readonly ExportSection[] = [header, entries, decisions, checkpoints];

/**
 * The export as text chunks of whole JSON Lines (about `CHUNK_CHARS` (256 K) each; one huge line is its own
 * chunk), pulled one at a time: with `exportLedgerStream` the next page is read only when the
 * client has taken the previous one (backpressure), so memory stays bounded whatever the log's size.
 * Consistent: everything is cut at the ledger size read first, so appends during the export are
 * left for the next one.
 *
 * @example
 * for await (const chunk of exportLedgerChunks(deps)) process.stdout.write(chunk);
 */
export async function* exportLedgerChunks(
  deps: ExportDeps,
  sections: readonly ExportSection[] = EXPORT_SECTIONS,
): AsyncGenerator<string> {
  const size = await deps.ledger.size(deps.db);
  let chunk = '';
  for (const section of sections) {
    for await (const line of section(deps, size)) {
      chunk += `${JSON.stringify(line)}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
        // SQLite reads are synchronous and a fast reader keeps the stream flowing: without a turn of
        // the event loop per chunk, a long export would hold every other request until it ends.
        await nextTurn();
      }
    }
  }
  if (chunk !== '') yield chunk;
}

/** The export as a byte stream with backpressure (what `GET /ledger/export` sends). */
export function exportLedgerStream(deps: ExportDeps): Readable {
  return Readable.from(exportLedgerChunks(deps), { objectMode: false, highWaterMark: CHUNK_CHARS });
}

/**
 * The whole export as one string: for small logs and tests only. A large log does not fit in a
 * string (V8 strings stop at ~512 MiB); stream it with `exportLedgerChunks` instead.
 */
export async function exportLedger(deps: ExportDeps): Promise<string> {
  let out = '';
  for await (const chunk of exportLedgerChunks(deps)) out += chunk;
  return out;
}
