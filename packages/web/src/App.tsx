/** The console's shell: sign-in, header and navigation, routes, live updates, help overlay. */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AdminPage, Count } from './admin/AdminPage.js';
import { ApprovalPage } from './approval/ApprovalPage.js';
import { AuditPage, isAuditor } from './audit/AuditPage.js';
import { loadOpenReviews } from './audit/reviewData.js';
import { DelegationBanner } from './delegation/DelegationBanner.js';
import { DelegationPage } from './delegation/DelegationPage.js';
import {
  ApiError,
  api,
  currentToken,
  inSession,
  markSignedIn,
  onSessionEnded,
  setSessionCsrf,
  setToken,
} from './lib/api.js';
import { listen } from './lib/events.js';
import { setPendingCount } from './lib/hooks.js';
import { SHORTCUTS, useShortcuts } from './lib/keys.js';
import { principalLabel } from './lib/labels.js';
import { Link, match, navigate, Redirect, useLocation } from './lib/router.js';
import { loadInbox, type Profile, state, update, useStore } from './lib/store.js';
import type { Me } from './lib/types.js';
import { SecurityPage } from './security/SecurityPage.js';
import { HistoryPage } from './views/HistoryPage.js';
import { InboxPage } from './views/InboxPage.js';
import { NotFound } from './views/NotFound.js';
import { type AuthOptions, SignIn } from './views/SignIn.js';
import { TaskPage } from './views/TaskPage.js';

const TOKEN_ENDED =
  'Your token is no longer accepted: it was rotated, or your principal was disabled. Sign in with a current token.';
const SESSION_ENDED =
  'Your session ended (it timed out, or was ended from another device). Sign in again: what you typed in a decision is kept.';

interface CurrentSession extends Omit<Profile, 'session'> {
  principal: { displayName: string | null; email: string | null };
  session: Profile['session'];
  csrfToken: string | null;
}

/** Who is signed in (`/me`) and as people see them (`/auth/session`), once the token or cookie works. */
async function enter(): Promise<void> {
  const cur = await api<CurrentSession>('GET', '/auth/session');
  setSessionCsrf(cur.csrfToken);
  const me = await api<Me>('GET', '/me');
  markSignedIn();
  const profile: Profile = { ...cur.principal, session: cur.session };
  update({ me, profile, inbox: [], inboxLoaded: false, inboxCursor: null, tasks: new Map() });
}

/** A refused single sign-on comes back as `/?signInError=…&signInDetail=…`: its text, and a clean URL. */
function signInErrorOf(): string | undefined {
  const q = new URLSearchParams(window.location.search);
  const code = q.get('signInError');
  if (!code) return undefined;
  window.history.replaceState(null, '', '/');
  return `Sign-in refused: ${q.get('signInDetail') ?? code}`;
}

export function App() {
  const s = useStore();
  const [message, setMessage] = useState<string | undefined>(signInErrorOf);
  const [checking, setChecking] = useState(true);
  const [options, setOptions] = useState<AuthOptions | null>(null);

  const signIn = async (token: string) => {
    setToken(token);
    try {
      await enter();
      setMessage(undefined);
    } catch (e) {
      setToken(null);
      setMessage(
        e instanceof ApiError && e.status === 401
          ? 'That token is not valid.'
          : `Sign-in failed: ${(e as Error).message}`,
      );
    } finally {
      setChecking(false);
    }
  };
  useEffect(() => {
    onSessionEnded((hadToken) => {
      update({ me: null, profile: null });
      setMessage(hadToken ? TOKEN_ENDED : SESSION_ENDED);
    });
    void api<AuthOptions>('GET', '/auth/config').then(setOptions, () => setOptions(null));
    const t = currentToken();
    if (t) void signIn(t);
    else {
      // A session cookie from a single sign-on (HttpOnly: only the server can tell whether there is one).
      enter().then(
        () => setChecking(false),
        () => setChecking(false),
      );
    }
  }, []);

  useEffect(() => {
    if (!s.me) return;
    void loadInbox();
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let touched = new Set<string | null>();
    void listen((e) => {
      touched.add(e.taskId);
      if (e.taskId) state.tasks.delete(e.taskId);
      clearTimeout(timer);
      timer = setTimeout(() => {
        void loadInbox();
        update({ tick: state.tick + 1, touched });
        touched = new Set();
      }, 150);
    }, ac.signal);
    return () => ac.abort();
  }, [s.me?.id]);

  if (checking)
    return (
      <main id="main" tabIndex={-1} class="page">
        <p>Signing in…</p>
      </main>
    );
  if (!s.me) return <SignIn onToken={signIn} message={message} options={options} />;
  return <Shell me={s.me} />;
}

function Shell({ me }: { me: Me }) {
  const s = useStore();
  const loc = useLocation();
  const help = useRef<HTMLDialogElement>(null);
  const gPending = useRef(false);
  useShortcuts({
    '?': () => help.current?.showModal(),
    '/': () => {
      if (loc.path !== '/inbox') navigate('/inbox?focus=search');
      else document.getElementById('search')?.focus();
    },
    g: () => {
      gPending.current = true;
      setTimeout(() => (gPending.current = false), 1500);
    },
    i: () => gPending.current && navigate('/inbox'),
    h: () => gPending.current && navigate('/history'),
  });
  const admin = me.roles.includes('admin');
  const auditor = isAuditor(me);
  // Review events reach admins' event streams only: the count is also refreshed by the audit pages.
  useEffect(() => {
    if (auditor) void loadOpenReviews();
    else update({ openReviews: '' });
  }, [me.id, auditor, s.tick]);
  const nav: [string, string, boolean][] = [
    ['/inbox', 'Inbox', true],
    ['/history', 'History', true],
    ['/admin/principals', 'Admin', admin],
    ['/audit/ledger', 'Audit', auditor],
    ['/delegation', 'Delegation', true],
    ['/security', 'Security', true],
  ];
  const section = `/${loc.path.split('/')[1] ?? ''}`;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/inbox" class="brand">
          HumanOS
        </Link>
        <nav aria-label="Main">
          <ul>
            {nav
              .filter(([, , show]) => show)
              .map(([href, label]) => (
                <li key={href}>
                  <Link href={href} aria-current={href.startsWith(section) && section !== '/' ? 'page' : undefined}>
                    {label}
                    {href === '/inbox' ? <PendingBadge /> : null}
                    {href === '/audit/ledger' ? <Count n={s.openReviews} what="open reviews" /> : null}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <div class="who">
          <Link href="/security" title={me.id} class="whoami">
            {s.profile?.displayName ?? principalLabel(me.id)}
            {s.profile?.email ? <span class="muted"> {s.profile.email}</span> : null}{' '}
            <span class="muted">({me.roles.join(', ') || 'no roles'})</span>
          </Link>
          <button type="button" class="link" onClick={() => help.current?.showModal()} aria-keyshortcuts="?">
            Shortcuts
          </button>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <DelegationBanner me={me.id} />
      <Routes path={loc.path} query={loc.query} me={me} />
      <HelpDialog dialog={help} />
    </>
  );
}

/**
 * Ends the sign-in: the server-side session (sign-out revokes it), or forgets this tab's token. After
 * a single sign-on the browser then goes to the identity provider to end that sign-in too (the
 * server's `endSessionUrl`), which sends it back here; otherwise "Sign in" would pass straight through.
 */
async function signOut(): Promise<void> {
  const out = inSession()
    ? await api<{ signedOut: boolean; endSessionUrl?: string }>('POST', '/auth/logout').catch(() => undefined)
    : undefined;
  setToken(null);
  setSessionCsrf(null);
  update({ me: null, profile: null });
  if (out?.endSessionUrl) window.location.assign(out.endSessionUrl);
}

function PendingBadge() {
  const s = useStore();
  const n = s.inboxLoaded ? `${s.inbox.length}${s.inboxCursor ? '+' : ''}` : '';
  useEffect(() => setPendingCount(n), [n]);
  if (!n) return null;
  return (
    <span class="count">
      {n}
      <span class="visually-hidden"> pending</span>
    </span>
  );
}

function Routes({ path, query, me }: { path: string; query: URLSearchParams; me: Me }) {
  if (path === '/' || path === '') return <Redirect to="/inbox" />;
  if (path === '/inbox') return <InboxPage query={query} me={me} />;
  if (path === '/history') return <HistoryPage query={query} />;
  let m = match('/approvals/:id', path);
  if (m) return <ApprovalPage id={m.id as string} me={me} />;
  m = match('/tasks/:id', path);
  if (m) return <TaskPage id={m.id as string} />;
  if (path.startsWith('/admin')) return <AdminPage path={path} me={me} />;
  if (path.startsWith('/audit')) return <AuditPage path={path} query={query} me={me} />;
  if (path === '/delegation') return <DelegationPage />;
  if (path === '/security') return <SecurityPage />;
  return <NotFound />;
}

/** The shortcut overlay: a modal dialog (focus is kept inside; Escape closes it). */
function HelpDialog({ dialog: help }: { dialog: RefObject<HTMLDialogElement | null> }) {
  return (
    <dialog ref={help} class="help" aria-labelledby="help-title">
      <h2 id="help-title">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog">
        <button type="submit" class="primary">
          Close
        </button>
      </form>
    </dialog>
  );
}
