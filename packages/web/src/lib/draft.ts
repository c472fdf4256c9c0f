/**
 * Drafts of a decision in progress (the reason, the feedback, the edited payload), kept in this tab's
 * sessionStorage per approval, so a sign-in that expires mid-decision loses nothing: the person signs
 * in again (the IdP returns to the request) and finds what they typed.
 */
import { useEffect, useState } from 'preact/hooks';

const PREFIX = 'humanos.draft.';

function read<T>(key: string, initial: T): T {
  const raw = sessionStorage.getItem(PREFIX + key);
  if (raw === null) return initial;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return initial;
  }
}

/**
 * `useState` whose value survives a reload and a sign-in round trip (this tab only); `initial` (or
 * null) removes the draft.
 *
 * @example
 * const [reason, setReason] = useDraft(`${approvalId}.reason`, '');
 */
export function useDraft<T>(key: string, initial: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => read(key, initial));
  useEffect(() => setValue(read(key, initial)), [key]);
  const set = (v: T) => {
    setValue(v);
    if (v === initial || v === null) sessionStorage.removeItem(PREFIX + key);
    else sessionStorage.setItem(PREFIX + key, JSON.stringify(v));
  };
  return [value, set];
}

/** Forgets every draft of an approval (its decision was recorded). */
export function clearDrafts(approvalId: string): void {
  for (const k of Object.keys(sessionStorage))
    if (k.startsWith(`${PREFIX}${approvalId}.`)) sessionStorage.removeItem(k);
}
