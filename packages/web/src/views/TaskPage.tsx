/** `/tasks/{id}`: a task's request, payloads (proposed / now / approved), gates, outcome and ledger timeline. */
import { DiffView } from '../approval/DiffView.js';
import { ReadOnlyPayload } from '../approval/Outcome.js';
import { api, seg } from '../lib/api.js';
import { useFocusHeading, useLoad, useTitle } from '../lib/hooks.js';
import { humanize, statusLabel, when } from '../lib/labels.js';
import { Link } from '../lib/router.js';
import { AgentText } from '../lib/text.js';
import type { HistoryEvent, Json, TaskDetail } from '../lib/types.js';
import { ErrorBox, Principal, Risk, Status, Timeline } from './common.js';

function Glance({ t }: { t: TaskDetail }) {
  const facts: [string, preact.ComponentChildren][] = [
    ['Status', <Status status={t.status} key="s" />],
    ['Risk', <Risk level={t.riskAssessment.level} key="r" />],
    ['Requested by', <Principal id={t.requester} key="p" />],
    ['Capabilities', t.requiredCapabilities.map(humanize).join(', ') || '—'],
    ['Created', when(t.createdAt)],
    ['Executor', t.execution ? <Principal id={t.execution.executor} key="e" /> : '—'],
  ];
  return (
    <dl class="glance" id="task-glance">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Gates({ t }: { t: TaskDetail }) {
  return (
    <section class="card" aria-labelledby="tg-title">
      <h2 id="tg-title" class="h3">
        Approval requests
      </h2>
      <ul class="gates">
        {t.approvals.map((g) => (
          <li key={g.id}>
            <Link href={`/approvals/${encodeURIComponent(g.id)}`}>
              {humanize(g.kind)}: {humanize(g.approverRole)}
            </Link>{' '}
            — {statusLabel(g.status)} ({g.approvals} of {g.required})
            <ul>
              {g.decisions.map((x) => (
                <li key={x.ledgerIndex}>
                  <Principal id={x.principal} /> {x.verdict} {x.reason ? `— “${x.reason}”` : ''} (ledger #
                  {x.ledgerIndex})
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Payloads({ t }: { t: TaskDetail }) {
  const shown = (t.approvedPayload ?? t.payload) as Json;
  return (
    <section class="card" aria-labelledby="tp-title">
      <h2 id="tp-title" class="h3">
        {t.approvedPayload ? 'Approved payload' : 'Payload as it stands'}
      </h2>
      <ReadOnlyPayload value={shown} id="task-payload" />
      <h3 class="h4">Changes against the agent's proposal</h3>
      <DiffView before={t.proposedPayload as Json} after={shown} empty="None." />
    </section>
  );
}

export function TaskPage({ id }: { id: string }) {
  const d = useLoad(
    () =>
      Promise.all([
        api<TaskDetail>('GET', `/tasks/${seg(id)}`),
        api<{ events: HistoryEvent[] }>('GET', `/tasks/${seg(id)}/history`).then((h) => h.events),
      ]),
    [id],
  );
  const h = useFocusHeading(id);
  useTitle(d.data ? `Task: ${d.data[0].description.slice(0, 50)}` : 'Task');
  if (d.error && !d.data)
    return (
      <main id="main" tabIndex={-1} class="page">
        <h1>Task</h1>
        <ErrorBox error={d.error} what="This task" />
      </main>
    );
  if (!d.data)
    return (
      <main id="main" tabIndex={-1} class="page">
        <p>Loading…</p>
      </main>
    );
  const [t, events] = d.data;
  return (
    <main id="main" tabIndex={-1} class="page wide">
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/history">History</Link> › <span>Task</span>
      </nav>
      <h1 tabIndex={-1} ref={h.ref} id="task-title">
        <AgentText text={t.description} />
      </h1>
      <Glance t={t} />
      <div class="two-col">
        <Payloads t={t} />
        <Gates t={t} />
      </div>
      <section class="card" aria-labelledby="tl-title">
        <h2 id="tl-title" class="h3">
          Timeline (from the ledger)
        </h2>
        <Timeline events={events} />
      </section>
    </main>
  );
}
