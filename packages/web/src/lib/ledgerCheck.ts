/**
 * Verifies a whole ledger export (`GET /ledger/export`, JSON Lines) in the browser: every entry's
 * place and leaf, every checkpoint's signature and root, every decision's signature, and that the
 * store's decision rows say what the log says. Names the first bad index, as core's `verifyLedger`.
 */
import {
  bytesToHex,
  canonicalJson,
  type DecisionRecord,
  Frontier,
  leafHash,
  openCheckpoint,
  publicKeyFromDidKey,
  TaskHeads,
  verifyDecision,
} from './verify.js';

export interface LedgerReport {
  ok: boolean;
  size: number;
  checkpointsVerified: number;
  decisionsVerified: number;
  firstBadIndex?: number;
  reason?: string;
  /** The export names another key than the one the server publishes. */
  keyMismatch?: boolean;
}

interface Bundle {
  origin: string;
  publicKey: string;
  entries: { index: number; entry: string; leafHash?: string; taskId?: string | null }[];
  checkpoints: string[];
  decisions: { ledgerIndex: number; record: DecisionRecord; signature: string; row?: Record<string, string> }[];
}

/** Parses the JSON Lines export; throws naming the line that is not one. */
export function parseExport(text: string): Bundle {
  const b: Bundle = { origin: '', publicKey: '', entries: [], checkpoints: [], decisions: [] };
  let header = false;
  for (const [n, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`export line ${n + 1} is not JSON`);
    }
    if (rec.type === 'header') {
      header = true;
      b.origin = String(rec.origin);
      b.publicKey = String(rec.publicKey);
    } else if (rec.type === 'entry') b.entries.push(rec as unknown as Bundle['entries'][number]);
    else if (rec.type === 'checkpoint') b.checkpoints.push(String(rec.note));
    else if (rec.type === 'decision') b.decisions.push(rec as unknown as Bundle['decisions'][number]);
    else throw new Error(`export line ${n + 1} has an unknown type`);
  }
  if (!header) throw new Error('the export has no header line');
  return b;
}

const TAIL = /^"seq":(0|[1-9][0-9]*),"taskId":(null|"(?:[^"\\]|\\.)*"),"type":"([^"\\]*)","v":(?:0|[1-9][0-9]*)}$/;

type Logged = Map<number, { record: DecisionRecord; signature: string }>;

/** One entry: its place, canonical tail, stored leaf hash, and a decision's signature. */
async function checkEntry(
  item: Bundle['entries'][number],
  i: number,
  key: Uint8Array,
  logged: Logged,
): Promise<{ leaf: Uint8Array; taskId: string | null } | string> {
  if (item.index !== i) return `entry at position ${i} claims index ${item.index} (missing or reordered)`;
  const m = TAIL.exec(item.entry.slice(item.entry.lastIndexOf('"seq":')));
  if (!m) return 'entry is not a canonical ledger entry';
  if (Number(m[1]) !== i) return `entry seq is ${m[1]}, want ${i} (missing or reordered)`;
  const leaf = await leafHash(item.entry);
  if (item.leafHash !== undefined && bytesToHex(leaf) !== item.leafHash)
    return 'entry does not match the leaf hash recorded when it was appended';
  const taskId = m[2] === 'null' ? null : (JSON.parse(m[2] as string) as string);
  // The store's index column must name the signed entry's task (an edited one hides the entry).
  if (item.taskId !== undefined && item.taskId !== taskId)
    return `the stored taskId column (${JSON.stringify(item.taskId)}) differs from the signed entry's taskId (${JSON.stringify(taskId)})`;
  if (m[3] !== 'approval.decided') return { leaf, taskId };
  const parsed = JSON.parse(item.entry) as { approvalId?: string; taskId?: string; data?: Record<string, unknown> };
  const { record, signature } = (parsed.data ?? {}) as { record?: DecisionRecord; signature?: string };
  if (!record || typeof signature !== 'string' || !(await verifyDecision(record, signature, key)))
    return 'decision signature does not verify';
  if (record.approvalId !== parsed.approvalId || record.taskId !== parsed.taskId)
    return 'decision record names another approval or task than its entry';
  logged.set(i, { record, signature });
  return { leaf, taskId };
}

function checkStored(b: Bundle, logged: Logged): { index: number; reason: string } | undefined {
  for (const d of b.decisions) {
    const l = logged.get(d.ledgerIndex);
    if (!l)
      return { index: d.ledgerIndex, reason: 'a stored decision points at a ledger entry that is not a decision' };
    if (canonicalJson(l.record) !== canonicalJson(d.record) || l.signature !== d.signature)
      return { index: d.ledgerIndex, reason: 'the stored decision differs from the decision signed into the ledger' };
    const r = d.row;
    if (
      r &&
      (r.verdict !== l.record.verdict ||
        r.principalId !== l.record.decidedBy ||
        r.payloadDigest !== l.record.payloadDigest ||
        r.approvalId !== l.record.approvalId)
    )
      return { index: d.ledgerIndex, reason: 'the stored decision row differs from the signed decision' };
  }
  return undefined;
}

/**
 * Verifies an export against the published key (`trustedKey`, a did:key), reporting progress.
 *
 * @example
 * const report = await verifyExport(await res.text(), (await api('GET', '/ledger/public-key')).publicKey);
 */
export async function verifyExport(
  text: string,
  trustedKey: string,
  progress: (done: number, total: number) => void = () => {},
): Promise<LedgerReport> {
  const b = parseExport(text);
  const key = publicKeyFromDidKey(trustedKey);
  const keyMismatch = b.publicKey !== trustedKey;
  const tree = new Frontier();
  let checkpointsVerified = 0;
  const logged: Logged = new Map();
  const fail = (index: number | undefined, reason: string): LedgerReport => ({
    ok: false,
    size: tree.size,
    checkpointsVerified,
    decisionsVerified: logged.size,
    ...(index === undefined ? {} : { firstBadIndex: index }),
    reason,
    keyMismatch,
  });
  const roots: Awaited<ReturnType<typeof openCheckpoint>>[] = [];
  try {
    for (const note of b.checkpoints) roots.push(await openCheckpoint(note, b.origin, key));
  } catch (e) {
    return fail(undefined, `checkpoint rejected: ${(e as Error).message}`);
  }
  roots.sort((x, y) => x.size - y.size);
  // Task-heads lines started at some size (older logs have none): once one signs them, all later ones do.
  const first = roots.findIndex((r) => r.heads);
  const legacy = first < 0 ? undefined : roots.slice(first).find((r) => !r.heads);
  if (legacy)
    return fail(
      undefined,
      `the checkpoint of size ${legacy.size} signs no task-heads root, though an earlier one does`,
    );
  const heads = new TaskHeads();
  let next = 0;
  let lastGood = 0;
  for (; next < roots.length && (roots[next] as { size: number }).size === 0; next++) {
    if (bytesToHex((roots[next] as { root: Uint8Array }).root) !== bytesToHex(await tree.root()))
      return fail(0, 'the signed checkpoint of the empty log has a wrong root');
    checkpointsVerified += 1;
  }
  for (const [i, item] of b.entries.entries()) {
    const r = await checkEntry(item, i, key, logged);
    if (typeof r === 'string') return fail(i, r);
    await tree.append(r.leaf);
    if (r.taskId !== null) await heads.add(r.taskId, r.leaf);
    while (next < roots.length && (roots[next] as { size: number }).size === tree.size) {
      const cp = roots[next] as (typeof roots)[number];
      const range = `bad entry in [${lastGood}, ${cp.size})`;
      if (bytesToHex(await tree.root()) !== bytesToHex(cp.root))
        return fail(lastGood, `root of the first ${cp.size} entries differs from the signed checkpoint (${range})`);
      if (cp.heads) {
        const h = await heads.root();
        if (h.size !== cp.heads.size || bytesToHex(h.root) !== bytesToHex(cp.heads.root))
          return fail(
            lastGood,
            `the task heads of the first ${cp.size} entries differ from the signed checkpoint's (${range})`,
          );
      }
      lastGood = cp.size;
      checkpointsVerified += 1;
      next += 1;
    }
    if (i % 200 === 0) progress(i, b.entries.length);
  }
  if (next < roots.length)
    return fail(
      tree.size,
      `a signed checkpoint covers ${(roots[next] as { size: number }).size} entries but only ${tree.size} are present`,
    );
  if (roots.length === 0) return fail(undefined, 'the export carries no signed checkpoint');
  const bad = checkStored(b, logged);
  if (bad) return fail(bad.index, bad.reason);
  progress(b.entries.length, b.entries.length);
  return { ok: true, size: tree.size, checkpointsVerified, decisionsVerified: logged.size, keyMismatch };
}
