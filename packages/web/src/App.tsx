/** The console's shell: sign-in, header and navigation, routes, live updates, help overlay. */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AdminPage, Count } from './admin/AdminPage.js';
import { ApprovalPage } from './approval/ApprovalPage.js';
import { AuditPage, isAuditor } from './audit/AuditPage.js';
import { loadOpenReviews } from './audit/reviewData.js';
import { ApiError, api, currentToken, markSignedIn, onSessionEnded, setToken } from './lib/api.js';
import { listen } from './lib/events.js';
import { setPendingCount } from './lib/hooks.js';
import { SHORTCUTS, useShortcuts } from './lib/keys.js';
import { principalLabel } from './lib/labels.js';
import { Link, match, navigate, Redirect, useLocation } from './lib/router.js';
import { loadInbox, state, update, useStore } from './lib/store.js';
import type { Me } from './lib/types.js';
import { Passkeys } from './security/Passkeys.js';
import { Page } from './views/common.js';
import { HistoryPage } from './views/HistoryPage.js';
import { InboxPage } from './views/InboxPage.js';
import { NotFound } from './views/NotFound.js';
import { SignIn } from './views/SignIn.js';
import { TaskPage } from './views/TaskPage.js';

const SESSION_ENDED =
  'Your token is no longer accepted: it was rotated, or your principal was disabled. Sign in with a current token.';

export function App() {
  const s = useStore();
  const [message, setMessage] = useState<string | undefined>();
  const [checking, setChecking] = useState(Boolean(currentToken()));

  const signIn = async (token: string) => {
    setToken(token);
    try {
      const me = await api<Me>('GET', '/me');
      markSignedIn();
      update({ me, inbox: [], inboxLoaded: false, inboxCursor: null, tasks: new Map() });
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
    onSessionEnded(() => {
      update({ me: null });
      setMessage(SESSION_ENDED);
    });
    const t = currentToken();
    if (t) void signIn(t);
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
  if (!s.me) return <SignIn onToken={signIn} message={message} />;
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
          <span title={me.id}>
            {principalLabel(me.id)} <span class="muted">({me.roles.join(', ') || 'no roles'})</span>
          </span>
          <button type="button" class="link" onClick={() => help.current?.showModal()} aria-keyshortcuts="?">
            Shortcuts
          </button>
          <button
            type="button"
            onClick={() => {
              setToken(null);
              update({ me: null });
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <Routes path={loc.path} query={loc.query} me={me} />
      <HelpDialog dialog={help} />
    </>
  );
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
  // The security page (sessions come with issue 24's sign-in work); for now its passkeys section.
  if (path === '/security')
    return (
      <Page title="Security">
        <Passkeys />
      </Page>
    );
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
