/** Small pieces shared by the views: risk badge, countdown, status, errors, ledger timeline. */
import type { ComponentChildren } from 'preact';
import { ApiError } from '../lib/api.js';
import { useNow } from '../lib/hooks.js';
import { eventLabel, humanize, principalLabel, statusLabel, timeLeft, when } from '../lib/labels.js';
import type { HistoryEvent } from '../lib/types.js';

export function Risk({ level }: { level: string }) {
  return <span class={`risk risk-${level}`}>{humanize(level)} risk</span>;
}

export function Status({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{statusLabel(status)}</span>;
}

/** Time left to a deadline, updated every second; plain text (never a live region). */
export function Countdown({ expiresAt }: { expiresAt: string | null }) {
  const t = useNow();
  const left = timeLeft(expiresAt, t);
  return (
    <time
      class={left === 'expired' ? 'countdown expired' : 'countdown'}
      dateTime={expiresAt ?? undefined}
      title={when(expiresAt)}
    >
      {left === 'expired' || left === 'no deadline' ? left : `${left} left`}
    </time>
  );
}

export function Principal({ id }: { id: string | null | undefined }) {
  return (
    <span class="principal" title={id ?? undefined}>
      {principalLabel(id)}
    </span>
  );
}

export function ErrorBox({ error, what }: { error: Error; what: string }) {
  const msg =
    error instanceof ApiError && error.status === 404
      ? `${what} does not exist, or you may not see it.`
      : error instanceof ApiError && error.status === 403
        ? `You may not see ${what.toLowerCase()}: ${error.message}`
        : `Could not load ${what.toLowerCase()}: ${error.message}`;
  return (
    <p class="status error" role="alert">
      {msg}
    </p>
  );
}

export function Page({
  title,
  children,
  wide,
  headingRef,
}: {
  title: string;
  children: ComponentChildren;
  wide?: boolean;
  headingRef?: (el: HTMLElement | null) => void;
}) {
  return (
    <main id="main" tabIndex={-1} class={wide ? 'page wide' : 'page'}>
      <h1 tabIndex={-1} ref={headingRef}>
        {title}
      </h1>
      {children}
    </main>
  );
}

/** A task's ledger entries, readable, each with the server's inclusion check. */
export function Timeline({ events }: { events: HistoryEvent[] }) {
  return (
    <ol class="timeline" id="history">
      {events.map((e) => (
        <li key={e.index}>
          <span class="ev-type" title={e.type}>
            {eventLabel(e.type)}
          </span>{' '}
          {/* An unreadable entry has no actor or time: the history says so rather than guessing. */}
          by {e.actor ? <Principal id={e.actor} /> : 'unknown'} ·{' '}
          {e.at ? <time dateTime={e.at}>{when(e.at)}</time> : 'no time'} · ledger #{e.index}{' '}
          <span class={`badge ${e.verified ? 'verified' : 'unverified'}`}>
            {e.verified ? 'verified' : 'NOT verified'}
          </span>
        </li>
      ))}
    </ol>
  );
}
