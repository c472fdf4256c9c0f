/**
 * `/security`: the signed-in person's account security. Today the sign-in sessions (list, end one);
 * and the passkeys (add, name, remove: `Passkeys.tsx`).
 */
import { useState } from 'preact/hooks';
import { api, inSession, seg } from '../lib/api.js';
import { useLoad, useTitle } from '../lib/hooks.js';
import { useStore } from '../lib/store.js';
import { ErrorBox } from '../views/common.js';
import { Passkeys } from './Passkeys.js';

interface SessionItem {
  id: string;
  method: 'oidc' | 'device';
  createdAt: string;
  authTime: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  current: boolean;
}

const when = (iso: string) => new Date(iso).toLocaleString();

/** The person's sessions that still work; each can be ended (the current one signs this tab out). */
function Sessions() {
  const d = useLoad(() => api<{ items: SessionItem[] }>('GET', '/me/sessions'), []);
  const [status, setStatus] = useState<string | null>(null);
  const end = async (s: SessionItem) => {
    try {
      await api('DELETE', `/me/sessions/${seg(s.id)}`);
      setStatus(s.current ? 'This session ended.' : 'Session ended.');
      if (!s.current) await d.reload();
    } catch (e) {
      setStatus(`Not ended: ${(e as Error).message}`);
    }
  };
  return (
    <section class="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      {!inSession() ? (
        <p class="muted">You are signed in with a token here, not a session. Your single sign-on sessions:</p>
      ) : null}
      {d.error ? <ErrorBox error={d.error} what="your sessions" /> : null}
      {d.data && d.data.items.length === 0 ? <p>No open sessions.</p> : null}
      {d.data && d.data.items.length > 0 ? (
        <table class="sessions">
          <thead>
            <tr>
              {['Signed in', 'How', 'Last used', 'Ends'].map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {d.data.items.map((s) => (
              <tr key={s.id} data-session={s.id}>
                <td>
                  {when(s.authTime)} {s.current ? <strong>(this session)</strong> : null}
                  <div class="muted small">{s.userAgent ?? ''}</div>
                </td>
                <td>{s.method === 'device' ? 'CLI (humanos login)' : 'Browser'}</td>
                <td>{when(s.lastSeenAt)}</td>
                <td>{when(s.expiresAt)}</td>
                <td>
                  <button type="button" class="small" onClick={() => void end(s)}>
                    {s.current ? 'Sign out' : 'End'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {status ? (
        <p class="status" role="status">
          {status}
        </p>
      ) : null}
    </section>
  );
}

/** The security page: who you are, your sessions, and (later) your passkeys. */
export function SecurityPage() {
  useTitle('Security');
  const s = useStore();
  return (
    <main id="main" tabIndex={-1} class="page">
      <h1>Security</h1>
      <p class="lede">
        Signed in as {s.profile?.displayName ?? s.me?.id}
        {s.profile?.email ? ` (${s.profile.email})` : ''} — {s.me?.id}
      </p>
      <Sessions />
      <Passkeys />
    </main>
  );
}
