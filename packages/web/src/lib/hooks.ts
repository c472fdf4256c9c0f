import { useEffect, useRef, useState } from 'preact/hooks';
import { now } from './api.js';

const tickers = new Set<(t: number) => void>();
setInterval(() => {
  const t = now();
  for (const f of tickers) f(t);
}, 1000);

/**
 * The server's time, re-rendering the caller every second (countdowns). The countdowns are plain text,
 * never in an aria-live region: screen readers are not told the time every second.
 */
export function useNow(): number {
  const [t, setT] = useState(now);
  useEffect(() => {
    tickers.add(setT);
    return () => tickers.delete(setT);
  }, []);
  return t;
}

export type Loaded<T> = {
  data?: T;
  error?: Error;
  loading: boolean;
  reload: () => Promise<void>;
  /** Shows `data` (fetched by the caller) as the loaded value; a reload still in flight is dropped. */
  replace: (data: T) => void;
};

/** Runs `load` when `deps` change (and on `reload()`, which resolves once reloaded), keeping the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const run = (): Promise<void> => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    return loadRef.current().then(
      (data) => {
        if (mine === seq.current) setState({ data, loading: false });
      },
      (error: Error) => {
        if (mine === seq.current) setState((s) => ({ ...s, error, loading: false }));
      },
    );
  };
  const replace = (data: T): void => {
    ++seq.current;
    setState({ data, loading: false });
  };
  useEffect(() => {
    void run();
  }, deps);
  return { ...state, reload: run, replace };
}

let baseTitle = 'HumanOS';
let pendingCount = '';

function applyTitle(): void {
  document.title = `${pendingCount ? `(${pendingCount}) ` : ''}${baseTitle} — HumanOS`;
}

/** The pending count every tab title starts with (`(3) Inbox — HumanOS`); empty to leave it out. */
export function setPendingCount(n: string): void {
  pendingCount = n;
  applyTitle();
}

/** Sets the view's part of the document title. */
export function useTitle(title: string): void {
  useEffect(() => {
    baseTitle = title;
    applyTitle();
  }, [title]);
}

/** Moves focus to the view's heading when the view changes (screen readers hear where they are). */
export function useFocusHeading(key: string): { ref: (el: HTMLElement | null) => void } {
  const el = useRef<HTMLElement | null>(null);
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement?.closest('nav, .skip'))
      el.current?.focus({ preventScroll: false });
  }, [key]);
  return { ref: (e) => (el.current = e) };
}
