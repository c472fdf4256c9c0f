/**
 * Real URLs with the History API: `/inbox`, `/approvals/{id}`, `/tasks/{id}`, `/history`,
 * `/admin/…`, `/audit/…`. The server answers each with index.html, so a link from chat or mail and a
 * reload land on the same view.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

/** Goes to `to` (path and query); `replace` keeps the history entry (filters, paging). */
export function navigate(to: string, replace = false): void {
  if (to === window.location.pathname + window.location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

/** The current location; re-renders the caller when it changes. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = () => setLoc(current());
    listeners.add(l);
    // A child may have navigated before this subscription existed (children's effects run first).
    l();
    return () => listeners.delete(l);
  }, []);
  return loc;
}

/** Matches `/approvals/:id` style patterns; returns the decoded params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.replace(/\/+$/, '').split('/');
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (const [i, part] of p.entries()) {
    const v = s[i] as string;
    if (part.startsWith(':')) {
      if (!v) return null;
      try {
        out[part.slice(1)] = decodeURIComponent(v);
      } catch {
        return null;
      }
    } else if (part !== v) return null;
  }
  return out;
}

/** An in-app link: a real `<a href>` (open in a new tab works) that navigates without a reload. */
export function Link(props: {
  href: string;
  class?: string;
  children: preact.ComponentChildren;
  [k: string]: unknown;
}) {
  const { href, children, ...rest } = props;
  return (
    <a
      {...rest}
      href={href}
      onClick={(e: MouseEvent) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

/** Replaces the URL with `to` once mounted (a redirect that keeps the back button useful). */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, true), [to]);
  return null;
}
