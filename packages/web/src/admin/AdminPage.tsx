/** `/admin/principals`, `/admin/webhooks`, `/admin/policy`: the admin's jobs without the CLI. */
import { useFocusHeading, useTitle } from '../lib/hooks.js';
import { Link, Redirect } from '../lib/router.js';
import type { Me } from '../lib/types.js';
import { NotFound } from '../views/NotFound.js';
import { PolicyAdmin } from './PolicyAdmin.js';
import { Principals } from './Principals.js';
import { Webhooks } from './Webhooks.js';

const TABS: [string, string][] = [
  ['/admin/principals', 'Principals'],
  ['/admin/webhooks', 'Webhooks'],
  ['/admin/policy', 'Policy'],
];

/** Tabs of a section; `badges` puts a count after a tab (`{ '/audit/reviews': ['3', 'open'] }`). */
export function SubNav({
  tabs,
  path,
  label,
  badges = {},
}: {
  tabs: [string, string][];
  path: string;
  label: string;
  badges?: Record<string, [count: string, what: string]>;
}) {
  return (
    <nav aria-label={label} class="subnav">
      <ul>
        {tabs.map(([href, text]) => (
          <li key={href}>
            <Link href={href} aria-current={path.startsWith(href) ? 'page' : undefined}>
              {text}
              <Count n={badges[href]?.[0] ?? ''} what={badges[href]?.[1] ?? ''} />
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A count in a nav link (`Reviews 3`); read as "3 open". Nothing when empty. */
export function Count({ n, what }: { n: string; what: string }) {
  if (!n) return null;
  return (
    <span class="count">
      {n}
      <span class="visually-hidden"> {what}</span>
    </span>
  );
}

export function AdminPage({ path, me }: { path: string; me: Me }) {
  const tab = TABS.find(([href]) => path.startsWith(href));
  const h = useFocusHeading(path);
  useTitle(tab ? `Admin: ${tab[1]}` : 'Admin');
  if (path === '/admin' || path === '/admin/') return <Redirect to="/admin/principals" />;
  if (!tab) return <NotFound />;
  return (
    <main id="main" tabIndex={-1} class="page wide">
      <h1 tabIndex={-1} ref={h.ref}>
        Admin: {tab[1]}
      </h1>
      <SubNav tabs={TABS} path={path} label="Admin" />
      {!me.roles.includes('admin') ? (
        <p class="status error" role="alert">
          These pages need the admin role; the server refuses the requests for {me.id}.
        </p>
      ) : null}
      {tab[0] === '/admin/principals' ? (
        <Principals me={me} />
      ) : tab[0] === '/admin/webhooks' ? (
        <Webhooks />
      ) : (
        <PolicyAdmin />
      )}
    </main>
  );
}
