/**
 * `/audit/ledger` (explorer, in-browser verification, export), `/audit/calibration` (charts) and
 * `/audit/reviews` (periodic reviews of unattended runs; `/audit/reviews/{id}` one review).
 */
import { useEffect } from 'preact/hooks';
import { SubNav } from '../admin/AdminPage.js';
import { useFocusHeading, useTitle } from '../lib/hooks.js';
import { match, Redirect } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import type { Me } from '../lib/types.js';
import { NotFound } from '../views/NotFound.js';
import { ApproverMetrics } from './ApproverMetrics.js';
import { AttentionChecks } from './AttentionChecks.js';
import { Calibration } from './Calibration.js';
import { LedgerExplorer } from './LedgerExplorer.js';
import { ReviewList } from './ReviewList.js';
import { ReviewPage } from './ReviewPage.js';
import { loadOpenReviews } from './reviewData.js';

const TABS: [string, string][] = [
  ['/audit/ledger', 'Ledger'],
  ['/audit/calibration', 'Calibration'],
  ['/audit/reviews', 'Reviews'],
];

/** Admins and holders of the auditor role read the audit pages (the server decides; this only warns). */
export const isAuditor = (me: Me): boolean => me.auditor;

export function AuditPage({ path, query, me }: { path: string; query: URLSearchParams; me: Me }) {
  const s = useStore();
  const tab = TABS.find(([href]) => path === href || path.startsWith(`${href}/`));
  const review = match('/audit/reviews/:id', path);
  const title = review ? 'Audit: Review' : tab ? `Audit: ${tab[1]}` : 'Audit';
  const h = useFocusHeading(path);
  useTitle(title);
  const auditor = isAuditor(me);
  useEffect(() => {
    if (auditor) void loadOpenReviews();
  }, [path, auditor]);
  if (path === '/audit' || path === '/audit/') return <Redirect to="/audit/ledger" />;
  if (!tab || (path.startsWith('/audit/reviews/') && !review)) return <NotFound />;
  return (
    <main id="main" tabIndex={-1} class="page wide">
      <h1 tabIndex={-1} ref={h.ref}>
        {title}
      </h1>
      <SubNav tabs={TABS} path={path} label="Audit" badges={{ '/audit/reviews': [s.openReviews, 'open'] }} />
      {!auditor ? (
        <p class="status error" role="alert" id="forbidden">
          These pages need the auditor or admin role; the server refuses the requests for {me.id}.
        </p>
      ) : null}
      {review ? (
        <ReviewPage id={review.id as string} me={me} />
      ) : tab[0] === '/audit/ledger' ? (
        <LedgerExplorer query={query} />
      ) : tab[0] === '/audit/reviews' ? (
        <>
          <ReviewList query={query} />
          <AttentionChecks />
          <ApproverMetrics />
        </>
      ) : (
        <Calibration query={query} me={me} />
      )}
    </main>
  );
}
