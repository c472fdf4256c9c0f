/** Webhooks: subscribe (secret shown once), remove, and each one's deliveries with retry of failed ones. */
import { useState } from 'preact/hooks';
import { api, qs, seg } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { eventLabel, when } from '../lib/labels.js';
import type { Webhook, WebhookDeliveryStatus } from '../lib/types.js';
import { ErrorBox } from '../views/common.js';
import { bind, FormError, useSubmit } from './form.js';
import { ShownOnce } from './Secret.js';

function DeliveryRow({ x, retry }: { x: WebhookDeliveryStatus; retry: () => Promise<void> }) {
  return (
    <tr data-delivery={x.id} data-status={x.status}>
      <td>
        {eventLabel(x.eventType)} <span class="muted small">#{x.ledgerIndex}</span>
      </td>
      <td>
        <span class={`badge status-${x.status}`}>{x.status}</span>
      </td>
      <td>{x.attempts}</td>
      <td class="small">
        {x.lastStatus ?? ''} {x.lastError ?? ''}
      </td>
      <td class="small">{when(x.nextAttemptAt)}</td>
      <td>
        {x.status === 'failed' ? (
          <button type="button" class="small" onClick={() => void retry()}>
            Retry
          </button>
        ) : null}
      </td>
    </tr>
  );
}

function Deliveries({ hook }: { hook: Webhook }) {
  const [status, setStatus] = useState('');
  const d = useLoad(
    () =>
      api<{ items: WebhookDeliveryStatus[] }>(
        'GET',
        `/webhooks/${seg(hook.id)}/deliveries${qs({ status, limit: 100 })}`,
      ).then((r) => r.items),
    [hook.id, status],
  );
  const [msg, setMsg] = useState<string | null>(null);
  const sid = `dstatus-${hook.id.replace(/[^A-Za-z0-9]/g, '_')}`;
  return (
    <div class="deliveries">
      <div class="row">
        <label for={sid}>Deliveries</label>
        <select id={sid} value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
          <option value="">All</option>
          <option value="pending">Pending</option>
          <option value="delivered">Delivered</option>
          <option value="failed">Failed</option>
        </select>
        <button type="button" class="small" onClick={d.reload}>
          Refresh
        </button>
      </div>
      {d.error ? <ErrorBox error={d.error} what="The deliveries" /> : null}
      {msg ? (
        <p class="status" role="status">
          {msg}
        </p>
      ) : null}
      <table class="list">
        <caption class="visually-hidden">Deliveries of {hook.url}</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Next attempt</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(d.data ?? []).map((x) => (
            <DeliveryRow
              key={x.id}
              x={x}
              retry={async () => {
                try {
                  await api('POST', `/webhooks/${seg(hook.id)}/deliveries/${seg(x.id)}/retry`, {});
                  setMsg(`Delivery of ledger #${x.ledgerIndex} queued again.`);
                } catch (e) {
                  setMsg(`Retry refused: ${(e as Error).message}`);
                }
                await d.reload();
              }}
            />
          ))}
        </tbody>
      </table>
      {d.data && d.data.length === 0 ? (
        <p class="muted small">No deliveries{status ? ` with status ${status}` : ''}.</p>
      ) : null}
    </div>
  );
}

function WebhookForm({ onCreated }: { onCreated: (secret: string) => void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('');
  const f = useSubmit(async () => {
    const evs = events.split(/[,\s]+/).filter(Boolean);
    const body = { url: url.trim(), ...(evs.length ? { events: evs } : {}) };
    const r = await api<Webhook & { secret: string }>('POST', '/webhooks', body);
    onCreated(r.secret);
    setUrl('');
    setEvents('');
  });
  return (
    <form class="card form-grid" aria-labelledby="wh-title" onSubmit={f.onSubmit}>
      <h2 id="wh-title" class="h3">
        New webhook
      </h2>
      <label for="wh-url">URL (https://…)</label>
      <input id="wh-url" type="url" required value={url} onInput={bind(setUrl)} />
      <label for="wh-events">Events (comma separated; empty for all)</label>
      <input
        id="wh-events"
        value={events}
        placeholder="approval.requested, approval.decided"
        onInput={bind(setEvents)}
      />
      <div class="actions">
        <button type="submit" class="primary">
          Subscribe
        </button>
      </div>
      <FormError error={f.error} />
    </form>
  );
}

export function Webhooks() {
  const d = useLoad(() => api<{ items: Webhook[] }>('GET', '/webhooks').then((r) => r.items), []);
  const [secret, setSecret] = useState<string | null>(null);
  const onCreated = (value: string) => {
    setSecret(value);
    void d.reload();
  };
  return (
    <>
      {secret ? <ShownOnce label="Signing secret" value={secret} onDismiss={() => setSecret(null)} /> : null}
      <WebhookForm onCreated={onCreated} />
      {d.error ? <ErrorBox error={d.error} what="The webhooks" /> : null}
      {(d.data ?? []).map((h) => (
        <section key={h.id} class="card" aria-label={`Webhook ${h.url}`} data-webhook={h.id}>
          <h2 class="h3 mono wrap">{h.url}</h2>
          <p class="small">
            {h.active ? 'Active' : 'Removed'} · events: {h.events.join(', ')} · created {when(h.createdAt)}{' '}
            {h.active ? (
              <button
                type="button"
                class="small danger"
                onClick={async () => {
                  await api('DELETE', `/webhooks/${seg(h.id)}`).catch(() => {});
                  d.reload();
                }}
              >
                Remove
              </button>
            ) : null}
          </p>
          <Deliveries hook={h} />
        </section>
      ))}
      {d.data && d.data.length === 0 ? <p class="empty">No webhooks yet.</p> : null}
    </>
  );
}
