/** The approval view's state: the loaded gate, the approver's edits, the verdict, and what happened. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { fields } from '../lib/diff.js';
import { useLoad, useNow } from '../lib/hooks.js';
import { useShortcuts } from '../lib/keys.js';
import { navigate } from '../lib/router.js';
import { loadInbox, useStore } from '../lib/store.js';
import type { Json, Me } from '../lib/types.js';
import { inboxOrder } from '../views/inboxFilter.js';
import type { Outcome, Verdict } from './DecisionBar.js';
import { basePayload, loadDetail } from './load.js';

export function useApproval(id: string, me: Me) {
  const s = useStore();
  const typing = useRef(false);
  const d = useLoad(() => loadDetail(id), [id]);
  const [result, setResult] = useState<Outcome | null>(null);
  const [edited, setEdited] = useState<Json | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [jsonMode, setJsonMode] = useState(false);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<Verdict>('approve');
  const t = useNow();
  useEffect(() => {
    setResult(null);
    setEdited(null);
    setEditing(null);
    setJsonMode(false);
  }, [id]);
  // Live: reload when something happened elsewhere, unless the approver is in the middle of typing.
  useEffect(() => {
    const mine = s.touched.has(null) || s.touched.has(d.data?.a.taskId ?? '');
    if (s.tick && mine && !typing.current && !editing) void d.reload();
  }, [s.tick]);
  const a = d.data?.a;
  const base = a ? (basePayload(a) as Json) : null;
  const mine = a?.decisions.filter((x) => x.principal === me.id).pop();
  const stale = Boolean(mine?.stale);
  const expiredNow = Boolean(a?.expiresAt && Date.parse(a.expiresAt) <= t && a.status === 'pending');
  const closedByResult = result?.kind === 'expired' || result?.kind === 'conflict';
  const open = Boolean(a?.status === 'pending' && (!mine || stale) && !expiredNow && !closedByResult);
  // The truth first: reload the gate, then say what happened (who decided, that it expired).
  const onOutcome = async (o: Outcome) => {
    await d.reload();
    if (o.kind === 'recorded') setEdited(null);
    setResult(o);
    void loadInbox();
  };
  return {
    d,
    a,
    base,
    value: edited ?? base,
    edited,
    setEdited,
    editing,
    setEditing,
    jsonMode,
    setJsonMode,
    jsonError,
    setJsonError,
    verdict,
    setVerdict,
    result,
    onOutcome,
    stale,
    open,
    expiredNow,
    mine,
    typing,
    editable: Boolean(open && a && a.kind !== 'routing' && a.kind !== 'audit'),
  };
}

export type ApprovalState = ReturnType<typeof useApproval>;

/** j/k (next/previous in the inbox's order), a/r (verdict, focus the reason), e (edit a field). */
export function useApprovalKeys(id: string, v: ApprovalState): (delta: number) => void {
  const step = (delta: number) => {
    const i = inboxOrder.indexOf(id);
    const next = inboxOrder[i < 0 ? 0 : i + delta];
    if (next) navigate(`/approvals/${encodeURIComponent(next)}`);
  };
  const focusReason = (verdict: Verdict) => {
    v.setVerdict(verdict);
    document.getElementById('reason')?.focus();
  };
  useShortcuts({
    j: () => step(1),
    k: () => step(-1),
    a: () => v.open && focusReason('approve'),
    r: () => v.open && focusReason('reject'),
    e: () => {
      if (!v.editable || !v.value) return;
      const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('tr[data-field]');
      const first = fields(v.value)
        .find((f) => f.path.length)
        ?.path.join('.');
      v.setJsonMode(false);
      v.setEditing(row?.dataset.field ?? first ?? null);
    },
  });
  return step;
}
