/**
 * `/delegation`: out of office and delegation. The signed-in person delegates some or all of their
 * roles to a colleague for a window (the server refuses what it must: to themselves, an agent, a
 * co-approver of the same requests, longer than the policy allows, …, and the refusal is shown), sees
 * the delegations they gave and received, and ends one.
 */
import { useState } from 'preact/hooks';
import { api, seg } from '../lib/api.js';
import { useLoad, useTitle } from '../lib/hooks.js';
import { principalLabel } from '../lib/labels.js';
import { loadInbox, state, update, useStore } from '../lib/store.js';
import { ErrorBox } from '../views/common.js';
import { type DelegationItem, loadDelegations, when } from './data.js';

/** After a change: the banner and the inbox (requests moved to or from a delegate) reload. */
function refreshAll(): void {
  void loadInbox();
  update({ tick: state.tick + 1, touched: new Set() });
}

/** A `datetime-local` value (the reader's time zone) as RFC 3339, or undefined when empty. */
const fromLocal = (v: string): string | undefined => (v ? new Date(v).toISOString() : undefined);

function NewDelegation({ roles, onCreated }: { roles: string[]; onCreated: () => Promise<void> }) {
  const [status, setStatus] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const picked = roles.filter((r) => f.get(`role:${r}`) === 'on');
    try {
      const d = await api<DelegationItem>('POST', '/delegations', {
        delegate: String(f.get('delegate') ?? '').trim(),
        endsAt: fromLocal(String(f.get('endsAt') ?? '')),
        ...(fromLocal(String(f.get('startsAt') ?? '')) ? { startsAt: fromLocal(String(f.get('startsAt'))) } : {}),
        ...(picked.length > 0 && picked.length < roles.length ? { roles: picked } : {}),
        ...(f.get('outOfOffice') === 'on' ? { outOfOffice: true } : {}),
        ...(String(f.get('message') ?? '').trim() ? { message: String(f.get('message')).trim() } : {}),
      });
      setStatus(`Delegated to ${principalLabel(d.delegate)} until ${when(d.endsAt)}.`);
      (e.currentTarget as HTMLFormElement | null)?.reset();
      await onCreated();
      refreshAll();
    } catch (err) {
      setStatus(`Not delegated: ${(err as Error).message}`);
    }
  };
  return (
    <section class="card" aria-labelledby="new-delegation-title">
      <h2 id="new-delegation-title">Delegate or go out of office</h2>
      <form onSubmit={(e) => void submit(e)} class="delegation-form">
        <label>
          Delegate (their DID)
          <input name="delegate" required placeholder="did:human:bob" autocomplete="off" />
        </label>
        <label>
          From (empty: now)
          <input type="datetime-local" name="startsAt" />
        </label>
        <label>
          Until (not included)
          <input type="datetime-local" name="endsAt" required />
        </label>
        <fieldset>
          <legend>Roles (none ticked: all of them)</legend>
          {roles.map((r) => (
            <label key={r} class="inline">
              <input type="checkbox" name={`role:${r}`} /> {r}
            </label>
          ))}
        </fieldset>
        <label class="inline">
          <input type="checkbox" name="outOfOffice" /> I am out of office (Slack and e-mail name my delegate)
        </label>
        <label>
          Note
          <input name="message" maxLength={500} placeholder="On holiday, back on the 15th" />
        </label>
        <button type="submit" class="primary">
          Delegate
        </button>
      </form>
      {status ? (
        <p class="status" role="status">
          {status}
        </p>
      ) : null}
    </section>
  );
}

function DelegationRow({ d, me, onEnded }: { d: DelegationItem; me: string; onEnded: () => Promise<void> }) {
  const [status, setStatus] = useState<string | null>(null);
  const end = async () => {
    try {
      await api('POST', `/delegations/${seg(d.id)}/end`, {});
      await onEnded();
      refreshAll();
    } catch (e) {
      setStatus(`Not ended: ${(e as Error).message}`);
    }
  };
  const given = d.delegator === me;
  return (
    <tr data-delegation={d.id}>
      <td>{given ? `to ${principalLabel(d.delegate)}` : `from ${principalLabel(d.delegator)}`}</td>
      <td>{d.roles.join(', ')}</td>
      <td>
        {when(d.startsAt)} – {when(d.endsAt)}
      </td>
      <td>
        {d.state}
        {d.outOfOffice ? ' (out of office)' : ''}
      </td>
      <td>
        {d.state !== 'ended' ? (
          <button type="button" class="small" onClick={() => void end()}>
            {given ? 'End' : 'Decline'}
          </button>
        ) : null}
        {status ? <span role="status">{status}</span> : null}
      </td>
    </tr>
  );
}

/** The delegation settings page. */
export function DelegationPage() {
  useTitle('Delegation');
  const s = useStore();
  const me = s.me?.id ?? '';
  const d = useLoad(() => loadDelegations(), [me]);
  const roles = (s.me?.roles ?? []).filter((r) => r !== 'admin');
  return (
    <main id="main" tabIndex={-1} class="page">
      <h1>Delegation and out of office</h1>
      <p class="lede">
        A delegate decides your requests on your behalf within the window you set; each decision names you both and is
        signed into the ledger. Delegations do not pass on, and escalation still follows your role.
      </p>
      <NewDelegation roles={roles} onCreated={d.reload} />
      <section class="card" aria-labelledby="delegations-title">
        <h2 id="delegations-title">Your delegations</h2>
        {d.error ? <ErrorBox error={d.error} what="your delegations" /> : null}
        {d.data && d.data.length === 0 ? <p>None in force or scheduled.</p> : null}
        {d.data && d.data.length > 0 ? (
          <table class="delegations">
            <thead>
              <tr>
                {['Who', 'Roles', 'Window', 'State'].map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.data.map((x) => (
                <DelegationRow key={x.id} d={x} me={me} onEnded={d.reload} />
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </main>
  );
}
