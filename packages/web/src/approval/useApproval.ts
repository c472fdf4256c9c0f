/** The approval view's state: the loaded gate, the approver's edits, the verdict, and what happened. */
import { useEffect, useState } from 'preact/hooks';
import { clearDrafts, useDraft } from '../lib/draft.js';
import { useLoad, useNow } from '../lib/hooks.js';
import { useShortcuts } from '../lib/keys.js';
import { navigate } from '../lib/router.js';
import { loadInbox, useStore } from '../lib/store.js';
import type { Json, Me } from '../lib/types.js';
import { inboxOrder } from '../views/inboxFilter.js';
import type { Outcome, Verdict } from './DecisionBar.js';
import { useLiveVersion } from './liveVersion.js';
import { basePayload, loadDetail, myDecision, openFor } from './load.js';
import { editTarget } from './PayloadDisplay.js';

export function useApproval(id: string, me: Me) {
  const s = useStore();
  const d = useLoad(() => loadDetail(id), [id]);
  const live = useLiveVersion(id, d, me);
  const [result, setResult] = useState<Outcome | null>(null);
  // A draft (sessionStorage): the edit survives a sign-in round trip.
  const [edited, setEdited] = useDraft<Json | null>(`${id}.edited`, null);
  const [editing, setEditing] = useState<string | null>(null);
  const [jsonMode, setJsonMode] = useState(false);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<Verdict>('approve');
  const t = useNow();
  useEffect(() => {
    setResult(null);
    setEditing(null);
    setJsonMode(false);
  }, [id]);
  // Live: reload when something happened elsewhere, also while the approver types (a newer version of
  // the payload then blocks the decision bar instead of replacing what is on screen: see useLiveVersion).
  useEffect(() => {
    const mine = s.touched.has(null) || s.touched.has(d.data?.a.taskId ?? '');
    if (s.tick && mine) void live.refresh();
  }, [s.tick]);
  const a = d.data?.a;
  const base = a ? (basePayload(a) as Json) : null;
  const mine = a ? myDecision(a, me) : undefined;
  const stale = Boolean(mine?.stale);
  const expiredNow = Boolean(a?.expiresAt && Date.parse(a.expiresAt) <= t && a.status === 'pending');
  const closedByResult = result?.kind === 'expired' || result?.kind === 'conflict';
  const open = Boolean(a && openFor(a, me) && !expiredNow && !closedByResult);
  // The truth first: reload the gate, then say what happened (who decided, that it expired).
  const onOutcome = async (o: Outcome) => {
    if (o.kind === 'stale') {
      // Not recorded: the payload is not the version on screen. Block until the approver has seen it.
      await live.refresh(o.changes ?? null);
      return;
    }
    await d.reload();
    if (o.kind === 'recorded') {
      setEdited(null);
      clearDrafts(id);
    }
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
    changed: live.changed,
    acknowledge: () => {
      // Edits were made to the version on screen; merged over the new one they could undo its changes.
      setEdited(null);
      setEditing(null);
      live.acknowledge();
    },
    editable: Boolean(open && !live.changed && a && a.kind !== 'routing' && a.kind !== 'audit'),
  };
}

export type ApprovalState = ReturnType<typeof useApproval>;

/** j/k (next/previous in the inbox's order), a/r (verdict, focus the reason), e (edit a field, visibly). */
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
    // The focused field, else the one the display template lists first (or the first money field):
    // opened with its value intact and the focus visibly in it (see FieldInput).
    e: () => {
      if (!v.editable || !v.value) return;
      const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('tr[data-field]');
      v.setJsonMode(false);
      v.setEditing(row?.dataset.field ?? editTarget(v.value, v.a?.display) ?? null);
    },
  });
  return step;
}
