/**
 * The policy in force (`GET /policy`) and a dry run of a task body against it (`POST /policy/evaluate`),
 * with its warnings (a gate no enabled human can decide: `gate_undecidable`).
 */
import { useState } from 'preact/hooks';
import { Warnings } from '../approval/Warnings.js';
import { api } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { humanize } from '../lib/labels.js';
import type { PolicyDryRun } from '../lib/types.js';
import { ErrorBox, Risk } from '../views/common.js';
import { JsonTree } from '../views/JsonTree.js';
import { bind, FormError, useSubmit } from './form.js';

const SAMPLE = {
  description: 'Wire transfer $50,000 to vendor Acme Corp',
  requiredCapabilities: ['payments'],
  humanInLoop: { approverRole: 'finance_manager', approvalTimeout: 3600 },
  payload: { vendor: 'Acme Corp', amount: 50000, currency: 'USD' },
};

function DryRun() {
  const [text, setText] = useState(JSON.stringify(SAMPLE, null, 2));
  const [out, setOut] = useState<PolicyDryRun | null>(null);
  const f = useSubmit(async () => {
    setOut(null);
    setOut(await api<PolicyDryRun>('POST', '/policy/evaluate', JSON.parse(text)));
  });
  return (
    <section class="card" aria-labelledby="dry-title">
      <h2 id="dry-title" class="h3">
        Dry run a task
      </h2>
      <form onSubmit={f.onSubmit}>
        <label for="dry-body">A POST /tasks body (nothing is written)</label>
        <textarea id="dry-body" rows={10} spellcheck={false} value={text} onInput={bind(setText)} />
        <div class="actions">
          <button type="submit" class="primary">
            Evaluate
          </button>
        </div>
      </form>
      <FormError error={f.error} />
      {out ? (
        <div id="dry-result" role="status">
          <p>
            <Risk level={out.riskAssessment.level} /> · policy {String(out.policy.id ?? '')} v
            {String(out.policy.version ?? '')}: {String(out.policy.reason ?? '')}
          </p>
          <Warnings id="dry-warnings" title="Warnings" level={3} warnings={out.warnings ?? []} />
          {out.riskAssessment.factors.length ? (
            <p class="small">Risk factors: {out.riskAssessment.factors.map(humanize).join(', ')}</p>
          ) : null}
          {out.routing ? <p>Routing first by {humanize(out.routing.approverRole)}.</p> : null}
          {out.gates.length === 0 ? (
            <p id="dry-gates">
              No approval: the task would run without a human
              {out.audit ? ` (spot-checked ${out.audit.frequency}, sample ${out.audit.sampleRate})` : ''}.
            </p>
          ) : (
            <ol id="dry-gates">
              {out.gates.map((g) => (
                <li key={g.step}>
                  Step {g.step + 1}: {g.required} of {g.approverRoles.map(humanize).join(' or ')}
                  {g.timeout ? `, within ${g.timeout}s` : ''}
                  {g.escalationPolicy === 'auto' && g.escalateTo ? `, then escalates to ${humanize(g.escalateTo)}` : ''}
                  {g.reason ? ` — ${g.reason}` : ''}
                </li>
              ))}
            </ol>
          )}
        </div>
      ) : null}
    </section>
  );
}

export function PolicyAdmin() {
  const d = useLoad(() => api<{ source: string; policy: unknown }>('GET', '/policy'), []);
  return (
    <>
      <DryRun />
      <section class="card" aria-labelledby="pol-title">
        <h2 id="pol-title" class="h3">
          Policy in force
        </h2>
        {d.error ? <ErrorBox error={d.error} what="The policy" /> : null}
        {d.data ? (
          <>
            <p>Source: {d.data.source === 'file' ? 'the policy file' : 'built-in defaults'}.</p>
            <JsonTree value={d.data.policy} />
          </>
        ) : null}
      </section>
    </>
  );
}
