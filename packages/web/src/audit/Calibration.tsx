/**
 * Calibration per agent and capability (`GET /calibration?agent=&capability=`): the reliability curve
 * (stated confidence vs. how often humans found the work correct), Brier score, approval / edit /
 * reject / override rates, and the recommended autonomy level with its evidence.
 */
import { useState } from 'preact/hooks';
import { api, qs } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { autonomyLabel, pct, principalLabel } from '../lib/labels.js';
import { navigate } from '../lib/router.js';
import type { CalibrationView, Me, PrincipalView } from '../lib/types.js';
import { ErrorBox } from '../views/common.js';
import { RatesChart, ReliabilityChart } from './charts.js';

function Report({ c }: { c: CalibrationView }) {
  return (
    <div id="calibration-report">
      <dl class="glance">
        <div>
          <dt>Reviewed outcomes</dt>
          <dd id="cal-samples">{c.samples}</dd>
        </div>
        <div>
          <dt>Brier score</dt>
          <dd id="cal-brier">{c.brierScore === null ? 'n/a' : c.brierScore.toFixed(3)}</dd>
        </div>
        <div>
          <dt>Recommended autonomy</dt>
          <dd id="cal-autonomy" data-level={c.recommendedAutonomy}>
            {autonomyLabel(c.recommendedAutonomy)}
          </dd>
        </div>
      </dl>
      <div class="two-col">
        <section class="card" aria-labelledby="rel-title">
          <h2 id="rel-title" class="h3">
            Reliability
          </h2>
          <ReliabilityChart bins={c.reliability} />
        </section>
        <section class="card" aria-labelledby="rates-title">
          <h2 id="rates-title" class="h3">
            What humans did
          </h2>
          <RatesChart
            rates={[
              ['Approved', c.approvalRate],
              ['Edited', c.editRate],
              ['Rejected', c.rejectionRate],
              ['Overridden', c.overrideRate],
            ]}
          />
        </section>
      </div>
      <section class="card" aria-labelledby="ev-title">
        <h2 id="ev-title" class="h3">
          Evidence for the recommendation
        </h2>
        <ul id="cal-evidence">
          {c.evidence.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
        <p class="muted small">
          Lower Brier is better (0 = perfectly calibrated). Rates: approvals {pct(c.approvalRate)}, edits{' '}
          {pct(c.editRate)}, rejections {pct(c.rejectionRate)}, overrides {pct(c.overrideRate)}.
        </p>
      </section>
    </div>
  );
}

export function Calibration({ query, me }: { query: URLSearchParams; me: Me }) {
  const agent = query.get('agent') ?? '';
  const capability = query.get('capability') ?? '';
  const [a, setA] = useState(agent);
  const [cap, setCap] = useState(capability);
  const agents = useLoad(
    () =>
      me.roles.includes('admin')
        ? api<{ items: PrincipalView[] }>('GET', '/principals').then((r) => r.items.filter((p) => p.kind === 'agent'))
        : Promise.resolve([]),
    [],
  );
  const d = useLoad(
    () => (agent ? api<CalibrationView>('GET', `/calibration${qs({ agent, capability })}`) : Promise.resolve(null)),
    [agent, capability],
  );
  return (
    <>
      <form
        class="card row"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/audit/calibration${qs({ agent: a.trim(), capability: cap.trim() })}`);
        }}
      >
        <label for="cal-agent">Agent</label>
        <input
          id="cal-agent"
          list="agents"
          value={a}
          required
          placeholder="did:agent:…"
          onInput={(e) => setA((e.target as HTMLInputElement).value)}
        />
        <datalist id="agents">
          {(agents.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {principalLabel(p.id)}
            </option>
          ))}
        </datalist>
        <label for="cal-cap">Capability (optional)</label>
        <input id="cal-cap" value={cap} onInput={(e) => setCap((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">
          Show calibration
        </button>
      </form>
      {d.error ? <ErrorBox error={d.error} what="The calibration" /> : null}
      {d.data ? (
        <>
          <p>
            Calibration of <strong>{principalLabel(d.data.agent)}</strong>
            {d.data.capability ? ` for ${d.data.capability}` : ' across all capabilities'}.
          </p>
          <Report c={d.data} />
        </>
      ) : !agent ? (
        <p class="muted">Choose an agent to see how well its confidence matches human verdicts.</p>
      ) : null}
    </>
  );
}
