import { applyMergePatch, canonicalJson, HumanOSError, type LedgerEntry, payloadDigest } from '@humanos/core';
import type { Kysely, Transaction } from 'kysely';
import { type ApprovalRow, p, type TaskRow } from '../kernel/rows.js';
import { preparedShapes, type Slots } from '../store/prepared.js';
import type { Database } from '../store/schema.js';
import { decisionPayload } from './views.js';

/**
 * Binding each decision to the payload its maker saw (issue 22). A decision names the digest of the
 * payload it was shown (`payloadDigest` in the body or `If-Match`); inside the decision's
 * transaction, after the gate and the task are locked, that digest must be the digest of the payload
 * an approval would approve now. So no edit that commits before the decision — however the two race
 * — can make it count for a version its maker never saw.
 */

/** One version of the payload a gate decides: the payload and its digest. */
export interface PayloadVersion {
  payload: unknown;
  digest: string;
}

/** One change between two versions of a payload, at a JSON pointer; `from`/`to` are absent where the member is. */
export interface PayloadChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

/**
 * The payload an approval of `gate` would approve now, and its digest: an in-run decision's own
 * payload (as earlier steps' edits left it), else the task's payload as it stands. Edits apply over
 * exactly this version.
 *
 * @example
 * const now = versionNow(gate, task); // { payload: { iban: 'GB33…' }, digest: 'sha256:…' }
 */
export function versionNow(gate: ApprovalRow, task: TaskRow): PayloadVersion {
  const payload = gate.kind === 'decision' ? decisionPayload(gate) : p<unknown>(task.payload);
  return { payload, digest: payloadDigest(payload) };
}

const DIGEST = /^"(sha256:[0-9a-f]{64})"$/;

/**
 * The digest a decision request says its maker saw: the body's `payloadDigest`, or `If-Match`
 * holding it as a quoted entity tag (`If-Match: *` asserts no version: as if absent). Both given and
 * different is a `400 payload_digest_conflict`; a malformed `If-Match` a `400 validation_failed`.
 *
 * @example
 * seenDigest(undefined, '"sha256:9f86…"'); // 'sha256:9f86…'
 */
export function seenDigest(body: string | undefined, ifMatch: string | undefined): string | undefined {
  let header: string | undefined;
  if (ifMatch !== undefined && ifMatch.trim() !== '*') {
    header = DIGEST.exec(ifMatch.trim())?.[1];
    if (header === undefined)
      throw new HumanOSError(
        'validation_failed',
        'If-Match must be one quoted payload digest, "sha256:<64 hex digits>" (the ETag of GET /approvals/{id})',
      );
  }
  if (body !== undefined && header !== undefined && body !== header)
    throw new HumanOSError(
      'payload_digest_conflict',
      `payloadDigest (${body}) and If-Match (${header}) name different versions of the payload: send one`,
    );
  return body ?? header;
}

/**
 * The decision's own digest check, run inside its transaction after the gate and the task are
 * locked. A digest for another version → `409 stale_payload` with the current version and, when the
 * server knows the version that was seen, the diff. Without a digest an approval is accepted only
 * while the payload has had one version only (nothing else can have been seen); otherwise
 * `428 payload_digest_required`. A rejection's digest is optional (a rejection approves nothing).
 *
 * @example
 * await checkSeen(trx, gate, task, versionNow(gate, task), 'approved', input.payloadDigest);
 */
export async function checkSeen(
  trx: Transaction<Database>,
  gate: ApprovalRow,
  task: TaskRow,
  now: PayloadVersion,
  verdict: 'approved' | 'rejected',
  seen: string | undefined,
  edited?: boolean,
): Promise<void> {
  if (seen === now.digest) return;
  if (seen === undefined) {
    if (verdict === 'rejected' || !(await hadOtherVersions(trx, gate, task, now.digest, edited))) return;
    throw new HumanOSError(
      'payload_digest_required',
      `the payload of ${gate.id} has been edited since it was proposed: say which version you approve with payloadDigest (or If-Match), the currentDigest of GET /approvals/{id} (also its ETag) as you showed it`,
    );
  }
  const before = (await knownVersions(trx, gate, task)).get(seen);
  throw new HumanOSError(
    'stale_payload',
    `the payload changed since it was shown (${seen}); it is now ${now.digest}: review the current version and decide again`,
    {
      seenDigest: seen,
      currentDigest: now.digest,
      currentPayload: now.payload,
      diff: before === undefined ? null : payloadDiff(before, now.payload),
    },
  );
}

/**
 * Whether anything but the original payload was ever there to be seen: any edit on the path or task.
 * `edited` is `editsOnPath`'s answer when the caller already read it (folded into its own query).
 */
async function hadOtherVersions(
  trx: Transaction<Database>,
  gate: ApprovalRow,
  task: TaskRow,
  digest: string,
  edited: boolean | undefined,
): Promise<boolean> {
  if (payloadDigest(proposedPayload(gate, task)) !== digest) return true;
  if (edited !== undefined) return edited;
  const { shape, values } = editsAsked(gate, task);
  return (await EDITS(shape).first(trx, values)) !== undefined;
}

/** The values `editsOnPath` is asked with (slots when prepared). */
export type EditsValues = {
  taskId: string;
  gateId: string;
  /** The in-run decision's group (its first step's id when it has no group). */
  groupId: string;
};

/** The edits question's two shapes: an in-run decision's path, or the task's gates. */
export type EditsShape = 'decision' | 'task';

/** The shape and values of `editsOnPath` for `gate`. */
export function editsAsked(gate: ApprovalRow, task: TaskRow): { shape: EditsShape; values: EditsValues } {
  return {
    shape: gate.kind === 'decision' ? 'decision' : 'task',
    values: { taskId: task.id, gateId: gate.id, groupId: gate.group_id ?? gate.id },
  };
}

/**
 * An edit recorded on the path of a gate (a decision row with edits), at most one row: an edit back
 * to the original still made another version visible in between. The latest edit's row always
 * stays (its maker's row is replaced only by a decision after a later edit). Built from values or
 * slots (`store/prepared.ts`), so that `seatAndEdits` folds it into its own prepared query.
 *
 * @example
 * const { shape, values } = editsAsked(gate, task);
 * const edited = (await EDITS(shape).first(trx, values)) !== undefined;
 */
export function editsOnPath(db: Kysely<Database>, v: Slots<EditsValues>, shape: EditsShape) {
  const q = db
    .selectFrom('decisions')
    .innerJoin('approvals', 'approvals.id', 'decisions.approval_id')
    .select('decisions.approval_id')
    .where('decisions.task_id', '=', v.taskId)
    .where('decisions.edits', 'is not', null);
  return (
    shape === 'decision'
      ? q.where((eb) => eb.or([eb('approvals.group_id', '=', v.groupId), eb('approvals.id', '=', v.gateId)]))
      : q.where('approvals.kind', '!=', 'decision')
  ).limit(1);
}

const EDITS = preparedShapes((db, v: Slots<EditsValues>, shape: EditsShape) => editsOnPath(db, v, shape));

/** What the agent proposed for this gate: the task's proposed payload, or the in-run decision's first. */
export function proposedPayload(gate: ApprovalRow, task: TaskRow): unknown {
  if (gate.kind !== 'decision') return p<unknown>(task.proposed_payload ?? task.payload);
  const proposal = p<{ proposedPayload?: unknown } | null>(gate.proposal);
  return proposal && 'proposedPayload' in proposal ? proposal.proposedPayload : decisionPayload(gate);
}

/**
 * Every version of the payload the server can name, by digest: the proposed one, then each edit
 * replayed in ledger order over the version before it (an edit whose result is not the digest its
 * record signed — a routing approval's edits, which move no payload — is left out).
 */
async function knownVersions(
  trx: Transaction<Database>,
  gate: ApprovalRow,
  task: TaskRow,
): Promise<Map<string, unknown>> {
  let current = proposedPayload(gate, task);
  const versions = new Map<string, unknown>([[payloadDigest(current), current]]);
  const group = gate.kind === 'decision' ? (gate.group_id ?? gate.id) : undefined;
  const gates = await trx
    .selectFrom('approvals')
    .select('id')
    .where('task_id', '=', task.id)
    .where((eb) =>
      group === undefined ? eb('kind', '!=', 'decision') : eb.or([eb('group_id', '=', group), eb('id', '=', gate.id)]),
    )
    .execute();
  const onPath = new Set(gates.map((g) => g.id));
  const entries = await trx
    .selectFrom('ledger_entries')
    .select('entry')
    .where('task_id', '=', task.id)
    .orderBy('seq')
    .execute();
  for (const { entry } of entries) {
    const e = JSON.parse(entry) as LedgerEntry;
    const rec = e.data.record as { approvalId?: string; edits?: unknown; payloadDigest?: string } | undefined;
    if (e.type !== 'approval.decided' || !rec?.edits || !onPath.has(rec.approvalId ?? '')) continue;
    const next = applyMergePatch(current, rec.edits);
    if (payloadDigest(next) !== rec.payloadDigest) continue;
    current = next;
    versions.set(rec.payloadDigest, next);
  }
  return versions;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const pointer = (path: string, key: string | number) =>
  `${path}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;

/**
 * The changes from one version of a payload to another, each at an RFC 6901 JSON pointer: objects
 * member by member, arrays of equal length element by element, anything else as a whole. `from` is
 * absent for an added member, `to` for a removed one.
 *
 * @example
 * payloadDiff({ iban: 'DE89…', amount: 10 }, { iban: 'GB33…', amount: 10 });
 * // [{ path: '/iban', from: 'DE89…', to: 'GB33…' }]
 */
export function payloadDiff(from: unknown, to: unknown, path = ''): PayloadChange[] {
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((k) => {
      if (!Object.hasOwn(to, k)) return [{ path: pointer(path, k), from: from[k] }];
      if (!Object.hasOwn(from, k)) return [{ path: pointer(path, k), to: to[k] }];
      return payloadDiff(from[k], to[k], pointer(path, k));
    });
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    return from.flatMap((x, i) => payloadDiff(x, to[i], pointer(path, i)));
  }
  return canonicalJson(from) === canonicalJson(to) ? [] : [{ path, from, to }];
}
