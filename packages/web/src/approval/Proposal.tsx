import { humanize } from '../lib/labels.js';
import { AgentText } from '../lib/text.js';
import type { ApprovalDetail } from '../lib/types.js';
import { Risk } from '../views/common.js';

/**
 * What the agent says (its action, reasoning, confidence, alternatives): the agent's claim, set apart
 * from the payload that executes; then the risk assessment.
 */
export function Proposal({ a }: { a: ApprovalDetail }) {
  const conf = a.aiProposal.confidence;
  return (
    <section aria-labelledby="ai-title" aria-describedby="ai-note" class="card agent-says" id="agent-says">
      <h2 id="ai-title" class="h3">
        The agent says
      </h2>
      <p class="muted small" id="ai-note">
        Written by the agent: its claim, not what executes. What executes is the payload above.
      </p>
      <dl class="facts">
        <dt>Action</dt>
        <dd>
          <AgentText id="ai-action" text={a.aiProposal.action} />
        </dd>
        <dt>Reasoning</dt>
        <dd>
          <AgentText id="ai-reasoning" text={a.aiProposal.reasoning ?? 'none given'} />
        </dd>
        <dt id="conf-label">Confidence</dt>
        <dd>
          {conf === null ? (
            'not given'
          ) : (
            <>
              <span id="ai-confidence">{conf.toFixed(2)}</span>{' '}
              <meter min={0} max={1} low={0.5} high={0.8} optimum={1} value={conf} aria-labelledby="conf-label" />
            </>
          )}
        </dd>
        <dt>Alternatives</dt>
        <dd>
          {a.aiProposal.alternatives.length ? (
            <ul id="alternatives">
              {a.aiProposal.alternatives.map((x, i) => (
                <li key={i}>
                  <AgentText text={x} />
                </li>
              ))}
            </ul>
          ) : (
            'none offered'
          )}
        </dd>
        <dt>Risk</dt>
        <dd>
          <Risk level={a.riskAssessment.level} />
          {a.riskAssessment.factors.length ? (
            <ul class="factors" id="risk-factors">
              {a.riskAssessment.factors.map((f) => (
                <li key={f} title={f}>
                  {humanize(f)}
                </li>
              ))}
            </ul>
          ) : (
            <span class="muted"> no factors</span>
          )}
          {a.riskAssessment.mitigations.length ? (
            <p class="small">Mitigations: {a.riskAssessment.mitigations.map((m) => humanize(m)).join('; ')}</p>
          ) : null}
        </dd>
      </dl>
    </section>
  );
}
