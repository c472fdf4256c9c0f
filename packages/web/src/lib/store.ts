/**
 * Shared state: who is signed in, the pending inbox (pages fetched so far), task details fetched for
 * the inbox rows, and a tick for live updates. Components subscribe with `useStore`.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, qs, seg } from './api.js';
import type { InboxItem, Me, TaskDetail } from './types.js';

/** Who is signed in as people see them, and the session (from `GET /auth/session`). */
export interface Profile {
  displayName: string | null;
  email: string | null;
  /** The sign-in session, when signed in with single sign-on (null with a token). */
  session: { id: string; expiresAt: string; idleExpiresAt: string; authTime: string } | null;
}

export interface State {
  me: Me | null;
  profile: Profile | null;
  /** Pending gates for the caller, newest first as the server pages them. */
  inbox: InboxItem[];
  inboxCursor: string | null;
  inboxLoaded: boolean;
  inboxError: string | null;
  /** Task details by task id (requester, payload, capabilities, HITL settings) for the rows. */
  tasks: Map<string, TaskDetail>;
  /** Bumped whenever `tasks` gains or refreshes entries (filters on task details recompute). */
  tasksVersion: number;
  /** Bumped on every live event: open views reload what they show. */
  tick: number;
  /** The tasks (null: no task) the events since the previous tick were about. */
  touched: Set<string | null>;
  /** Open audit reviews for the nav (`3`, `100+`), empty when none or not an auditor. */
  openReviews: string;
}

export const state: State = {
  me: null,
  profile: null,
  inbox: [],
  inboxCursor: null,
  inboxLoaded: false,
  inboxError: null,
  tasks: new Map(),
  tasksVersion: 0,
  tick: 0,
  touched: new Set(),
  openReviews: '',
};

const subs = new Set<() => void>();

export function update(patch: Partial<State>): void {
  Object.assign(state, patch);
  for (const s of subs) s();
}

/** Re-renders the caller whenever the shared state changes. */
export function useStore(): State {
  const [, setN] = useState(0);
  useEffect(() => {
    const s = () => setN((n) => n + 1);
    subs.add(s);
    return () => subs.delete(s);
  }, []);
  return state;
}

export const PAGE = 50;

/** Fetches the first page again (or the next page with `more`), then the rows' task details. */
export async function loadInbox(more = false): Promise<void> {
  try {
    const pages = more ? 1 : Math.max(1, Math.ceil(state.inbox.length / PAGE));
    let cursor = more ? state.inboxCursor : null;
    const items: InboxItem[] = more ? [...state.inbox] : [];
    for (let i = 0; i < pages; i++) {
      const r = await api<{ items: InboxItem[]; nextCursor: string | null }>(
        'GET',
        `/approvals${qs({ status: 'pending', limit: PAGE, cursor })}`,
      );
      items.push(...r.items);
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    update({ inbox: items, inboxCursor: cursor, inboxLoaded: true, inboxError: null });
    await loadTasks(items.map((i) => i.taskId));
  } catch (e) {
    update({ inboxError: (e as Error).message, inboxLoaded: true });
  }
}

/** Task details for the given ids, six at a time (the inbox list carries no payload or requester). */
export async function loadTasks(ids: string[], force = false): Promise<void> {
  const todo = [...new Set(ids)].filter((id) => force || !state.tasks.has(id));
  const work = async () => {
    for (let id = todo.shift(); id !== undefined; id = todo.shift()) {
      try {
        state.tasks.set(id, await api<TaskDetail>('GET', `/tasks/${seg(id)}`));
      } catch {
        // not visible (any more): the row shows what the inbox has
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, work));
  update({ tasksVersion: state.tasksVersion + 1 });
}

/** One task detail, refreshed. */
export async function loadTask(id: string): Promise<TaskDetail> {
  const t = await api<TaskDetail>('GET', `/tasks/${seg(id)}`);
  state.tasks.set(id, t);
  return t;
}
