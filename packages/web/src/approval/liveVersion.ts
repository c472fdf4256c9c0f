/**
 * The payload version on screen is the one a decision is for. Live updates reload the gate even while
 * the approver types; when the reload brings a newer version of the payload (someone approved with
 * edits), the screen keeps the version the approver was looking at and the decision bar is blocked
 * until they acknowledge the change, which then shows the new version. A decision the server refuses
 * as `stale_payload` (the update came too late or not at all) blocks the bar the same way, with the
 * server's diff.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../lib/api.js';
import { type Change, changes } from '../lib/diff.js';
import type { Loaded } from '../lib/hooks.js';
import type { Json, Me } from '../lib/types.js';
import { basePayload, type DetailData, loadDetail, openFor, pointerChanges } from './load.js';

/** A newer version of the payload than the one on screen, not yet acknowledged. */
export interface Changed {
  /** The gate as it stands now, shown once acknowledged. */
  next: DetailData;
  /** What changed from the version on screen to the current one. */
  list: Change[];
  /** True when the approver's decision was refused for it (409 stale_payload). */
  refused: boolean;
}

/** The `stale_payload` problem's members, when `e` is one. */
export function staleProblem(e: unknown): { diff: Change[] | null; currentDigest: string } | null {
  if (!(e instanceof ApiError) || e.code !== 'stale_payload') return null;
  const diff = Array.isArray(e.body.diff) ? pointerChanges(e.body.diff as { path: string }[]) : null;
  return { diff, currentDigest: String(e.body.currentDigest ?? '') };
}

export function useLiveVersion(id: string, d: Loaded<DetailData>, me: Me) {
  const [changed, setChanged] = useState<Changed | null>(null);
  const seq = useRef(0);
  useEffect(() => setChanged(null), [id]);

  /** Fetches the gate; shows it at once unless it brings a newer version of a payload still to decide. */
  const refresh = async (refusal?: Change[] | null): Promise<void> => {
    const mine = ++seq.current;
    const next = await loadDetail(id).catch(() => null);
    const shown = d.data;
    if (mine !== seq.current || !next) return;
    const newer = shown && next.a.currentDigest !== shown.a.currentDigest;
    if (refusal !== undefined || (newer && shown && openFor(shown.a, me) && openFor(next.a, me))) {
      const before = shown ? (basePayload(shown.a) as Json) : null;
      const list = refusal ?? changes(before, basePayload(next.a) as Json);
      setChanged({ next, list, refused: refusal !== undefined });
    } else d.replace(next);
  };

  /** Shows the new version; the approver decides on it (their edits of the old one are dropped). */
  const acknowledge = (): void => {
    if (!changed) return;
    ++seq.current;
    d.replace(changed.next);
    setChanged(null);
  };
  return { changed, refresh, acknowledge };
}
