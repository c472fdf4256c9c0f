/**
 * Attention checks in the audit view (`GET /audit/attention-checks`): per approver, how many planted
 * checks they decided and how many they caught (rejected) or missed (approved), and the latest checks
 * with what was planted. Checks are opt-in (HUMANOS_ATTENTION_CHECKS=on, docs/team.md).
 */
import type { AttentionCheckReport } from '@human/sdk';
import { api } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { when } from '../lib/labels.js';
import { ErrorBox, Principal } from '../views/common.js';

export function AttentionChecks() {
  const r = useLoad(() => api<AttentionCheckReport>('GET', '/audit/attention-checks'), []);
  const data = r.data;
  return (
    <section class="card" aria-labelledby="checks-title" id="attention-checks">
      <h2 id="checks-title" class="h3">
        Attention checks
      </h2>
      {r.error ? <ErrorBox error={r.error} what="The attention checks" /> : null}
      {data && !data.enabled ? (
        <p class="muted">Attention checks are off (HUMANOS_ATTENTION_CHECKS=on turns them on).</p>
      ) : null}
      {data?.enabled ? <p class="muted">{data.perThousand} checks per 1000 requests.</p> : null}
      {data && data.approvers.length > 0 ? (
        <table>
          <caption>Results per approver</caption>
          <thead>
            <tr>
              <th scope="col">Approver</th>
              <th scope="col">Decided</th>
              <th scope="col">Caught</th>
              <th scope="col">Missed</th>
              <th scope="col">Last</th>
            </tr>
          </thead>
          <tbody>
            {data.approvers.map((a) => (
              <tr key={a.principal} data-approver={a.principal}>
                <td>
                  <Principal id={a.principal} />
                </td>
                <td>{a.decided}</td>
                <td data-caught>{a.caught}</td>
                <td data-missed>{a.missed}</td>
                <td>{when(a.lastAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : data ? (
        <p class="muted">No attention check has been decided yet.</p>
      ) : null}
      {data && data.checks.length > 0 ? (
        <ul>
          {data.checks.slice(0, 10).map((c) => (
            <li key={c.id}>
              {when(c.createdAt)}: {c.flaw.kind === 'iban' ? 'IBAN swapped' : 'amount ×10'} at{' '}
              <code>{c.flaw.field}</code> — {c.decidedBy ? `${c.verdict} by ${c.decidedBy}` : 'open'}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
