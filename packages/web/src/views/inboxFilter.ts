/**
 * The inbox's search and filters. The server pages the inbox by status only (`?status=&limit=&cursor=`),
 * so role, risk, requester, capability, age and text search are applied here, over the pages loaded.
 */
import { amountSummary, changes } from '../lib/diff.js';
import type { InboxItem, Json, TaskDetail } from '../lib/types.js';

export interface Filters {
  q: string;
  role: string;
  risk: string;
  requester: string;
  cap: string;
  age: string;
  sort: string;
}

export const AGES: Record<string, [string, number, number]> = {
  '1h': ['Less than an hour old', 0, 3600e3],
  '1d': ['Less than a day old', 0, 86400e3],
  older: ['Older than a day', 86400e3, Number.POSITIVE_INFINITY],
};

export function readFilters(q: URLSearchParams): Filters {
  const g = (k: string) => q.get(k) ?? '';
  return {
    q: g('q'),
    role: g('role'),
    risk: g('risk'),
    requester: g('requester'),
    cap: g('cap'),
    age: g('age'),
    sort: g('sort') || 'urgent',
  };
}

export function filtersQuery(f: Filters): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v && !(k === 'sort' && v === 'urgent')) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

function haystack(i: InboxItem, t: TaskDetail | undefined): string {
  return [
    i.id,
    i.taskId,
    i.task.description,
    i.aiProposal.action,
    i.approverRole,
    t?.requester ?? '',
    t?.onBehalfOf ?? '',
    t ? JSON.stringify(t.payload) : '',
    ...(t?.requiredCapabilities ?? []),
  ]
    .join('\n')
    .toLowerCase();
}

/** The rows that pass every filter, in the chosen order. */
export function applyFilters(
  items: InboxItem[],
  tasks: Map<string, TaskDetail>,
  f: Filters,
  nowMs: number,
): InboxItem[] {
  const words = f.q.toLowerCase().split(/\s+/).filter(Boolean);
  const out = items.filter((i) => {
    const t = tasks.get(i.taskId);
    if (f.role && !(i.eligibleRoles ?? [i.approverRole]).includes(f.role)) return false;
    if (f.risk && i.riskAssessment.level !== f.risk) return false;
    if (f.requester && t?.requester !== f.requester && t?.onBehalfOf !== f.requester) return false;
    if (f.cap && !t?.requiredCapabilities.includes(f.cap)) return false;
    const range = AGES[f.age];
    if (range) {
      const a = nowMs - Date.parse(i.requestedAt);
      if (a < range[1] || a >= range[2]) return false;
    }
    if (words.length) {
      const h = haystack(i, t);
      if (!words.every((w) => h.includes(w))) return false;
    }
    return true;
  });
  const due = (a: InboxItem) => (a.expiresAt ? Date.parse(a.expiresAt) : Number.POSITIVE_INFINITY);
  const rank = { critical: 0, high: 1, medium: 2, low: 3 } as Record<string, number>;
  return out.sort((a, b) => {
    if (f.sort === 'newest') return Date.parse(b.requestedAt) - Date.parse(a.requestedAt);
    if (f.sort === 'risk')
      return (rank[a.riskAssessment.level] ?? 4) - (rank[b.riskAssessment.level] ?? 4) || due(a) - due(b);
    return due(a) - due(b) || Date.parse(b.requestedAt) - Date.parse(a.requestedAt);
  });
}

/** The values each filter can take, from the loaded rows. */
export function options(items: InboxItem[], tasks: Map<string, TaskDetail>) {
  const roles = new Set<string>();
  const requesters = new Set<string>();
  const caps = new Set<string>();
  for (const i of items) {
    for (const r of i.eligibleRoles ?? [i.approverRole]) roles.add(r);
    const t = tasks.get(i.taskId);
    if (t) requesters.add(t.requester);
    if (t?.onBehalfOf) requesters.add(t.onBehalfOf);
    for (const c of t?.requiredCapabilities ?? []) caps.add(c);
  }
  return { roles: [...roles].sort(), requesters: [...requesters].sort(), caps: [...caps].sort() };
}

/**
 * Why a request cannot be approved in bulk, or null when it can. Bulk approval is offered only for an
 * execution request the policy marks `bulkApprovable` (a server without the field: not), with no
 * warning (the agent's text disagreeing with the payload), no hidden characters, a payload nobody edited,
 * and no reason or feedback required (by the task, or by high risk).
 *
 * @example
 * bulkBlock(item, task); // 'the policy does not mark it bulk-approvable'
 */
export function bulkBlock(i: InboxItem, t: TaskDetail | undefined): string | null {
  if (i.kind !== 'execution') return 'not an execution request';
  if (i.bulkApprovable !== true) return 'the policy does not mark it bulk-approvable';
  if ((i.warnings?.length ?? 0) > 0) return 'it has warnings: open it and read them';
  if (i.textWarnings.length > 0) return 'its text has hidden characters';
  if (t === undefined) return 'its details are still loading';
  if (t.proposedPayload && changes(t.proposedPayload as Json, t.payload as Json).length > 0)
    return 'its payload was edited';
  if (t.humanInLoop?.requireExplicitReason || ['high', 'critical'].includes(i.riskAssessment.level))
    return 'it needs a reason';
  if (t.humanInLoop?.requireExplicitFeedback) return 'it needs feedback for the agent';
  return null;
}

/** Whether the request may be approved in bulk (see `bulkBlock`). */
export function bulkEligible(i: InboxItem, t: TaskDetail | undefined): boolean {
  return bulkBlock(i, t) === null;
}

export const amountOf = (t: TaskDetail | undefined): string | null => amountSummary(t?.payload as never);

/** The order the inbox shows, for j/k in the detail view. */
export let inboxOrder: string[] = [];
export function setInboxOrder(ids: string[]): void {
  inboxOrder = ids;
}
