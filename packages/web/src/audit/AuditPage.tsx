/** `/audit/ledger` (explorer, in-browser verification, export) and `/audit/calibration` (charts). */
import { SubNav } from '../admin/AdminPage.js';
import { useFocusHeading, useTitle } from '../lib/hooks.js';
import { Redirect } from '../lib/router.js';
import type { Me } from '../lib/types.js';
import { NotFound } from '../views/NotFound.js';
import { Calibration } from './Calibration.js';
import { LedgerExplorer } from './LedgerExplorer.js';

const TABS: [string, string][] = [
  ['/audit/ledger', 'Ledger'],
  ['/audit/calibration', 'Calibration'],
];

export function AuditPage({ path, query, me }: { path: string; query: URLSearchParams; me: Me }) {
  const tab = TABS.find(([href]) => path.startsWith(href));
  const h = useFocusHeading(path);
  useTitle(tab ? `Audit: ${tab[1]}` : 'Audit');
  if (path === '/audit' || path === '/audit/') return <Redirect to="/audit/ledger" />;
  if (!tab) return <NotFound />;
  return (
    <main id="main" tabIndex={-1} class="page wide">
      <h1 tabIndex={-1} ref={h.ref}>
        Audit: {tab[1]}
      </h1>
      <SubNav tabs={TABS} path={path} label="Audit" />
      {!me.roles.includes('admin') && !me.roles.includes('auditor') ? (
        <p class="status error" role="alert">
          These pages need the auditor or admin role; the server refuses the requests for {me.id}.
        </p>
      ) : null}
      {tab[0] === '/audit/ledger' ? <LedgerExplorer query={query} /> : <Calibration query={query} me={me} />}
    </main>
  );
}
