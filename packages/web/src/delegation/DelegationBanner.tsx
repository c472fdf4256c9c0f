/**
 * The banner above every page while a delegation is in force: "X is delegating to you until …" for
 * the delegate, "You are out of office until …" (or "delegating to Y") for the delegator, with a link
 * to the settings page.
 */
import { useLoad } from '../lib/hooks.js';
import { principalLabel } from '../lib/labels.js';
import { Link } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import { loadDelegations, when } from './data.js';

export function DelegationBanner({ me }: { me: string }) {
  const s = useStore();
  const d = useLoad(() => loadDelegations(), [me, s.tick]);
  const active = (d.data ?? []).filter((x) => x.state === 'active');
  if (active.length === 0) return null;
  return (
    <div class="banner delegation-banner" role="status" data-testid="delegation-banner">
      {active.map((x) => (
        <p key={x.id}>
          {x.delegate === me ? (
            <>
              <strong>{principalLabel(x.delegator)}</strong> is delegating to you until {when(x.endsAt)} (
              {x.roles.join(', ')}): their requests are in your inbox, and you decide them on their behalf.
            </>
          ) : x.outOfOffice ? (
            <>
              You are out of office until {when(x.endsAt)}: <strong>{principalLabel(x.delegate)}</strong> decides for
              you.
            </>
          ) : (
            <>
              You are delegating {x.roles.join(', ')} to <strong>{principalLabel(x.delegate)}</strong> until{' '}
              {when(x.endsAt)}.
            </>
          )}{' '}
          <Link href="/delegation">Manage</Link>
        </p>
      ))}
    </div>
  );
}
