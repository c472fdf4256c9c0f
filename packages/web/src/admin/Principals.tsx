/** Principals: create (token shown once), roles, disable/enable, rotate a token (shown once). */
import { useState } from 'preact/hooks';
import { api, seg } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { when } from '../lib/labels.js';
import type { CreatedPrincipal, Me, PrincipalView } from '../lib/types.js';
import { ErrorBox, Principal } from '../views/common.js';
import { bind, FormError, useSubmit } from './form.js';
import { ShownOnce } from './Secret.js';

const list = (s: string) =>
  s
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function CreateForm({ onCreated }: { onCreated: (p: CreatedPrincipal) => void }) {
  const [id, setId] = useState('did:human:');
  const [roles, setRoles] = useState('');
  const [caps, setCaps] = useState('');
  const f = useSubmit(async () => {
    const kind = id.startsWith('did:agent:') ? 'agent' : 'human';
    const body = { id: id.trim(), roles: list(roles), kind, ...(caps.trim() ? { capabilities: list(caps) } : {}) };
    const p = await api<CreatedPrincipal>('POST', '/principals', body);
    setId('did:human:');
    setRoles('');
    setCaps('');
    onCreated(p);
  });
  return (
    <form class="card form-grid" aria-labelledby="create-title" onSubmit={f.onSubmit}>
      <h2 id="create-title" class="h3">
        New principal
      </h2>
      <label for="p-id">Id (did:human:… or did:agent:…)</label>
      <input id="p-id" value={id} required pattern="did:(human|agent):.+" onInput={bind(setId)} />
      <label for="p-roles">Roles (comma separated)</label>
      <input id="p-roles" value={roles} onInput={bind(setRoles)} />
      <label for="p-caps">Capabilities (agents, comma separated)</label>
      <input id="p-caps" value={caps} onInput={bind(setCaps)} />
      <div class="actions">
        <button type="submit" class="primary">
          Create principal
        </button>
      </div>
      <FormError error={f.error} />
    </form>
  );
}

/** Whether the principal is active, and when its token was issued or rotated and expires. */
function TokenState({ p }: { p: PrincipalView }) {
  return (
    <>
      <td>
        {p.disabledAt ? (
          <span class="badge unverified">disabled {when(p.disabledAt)}</span>
        ) : (
          <span class="badge verified">active</span>
        )}
      </td>
      <td class="small">
        {p.tokenRotatedAt ? `rotated ${when(p.tokenRotatedAt)}` : `since ${when(p.createdAt)}`}
        {p.tokenExpiresAt ? `, expires ${when(p.tokenExpiresAt)}` : ''}
      </td>
    </>
  );
}

function Row({
  p,
  me,
  onChanged,
  onToken,
}: {
  p: PrincipalView;
  me: Me;
  onChanged: () => void;
  onToken: (label: string, t: string) => void;
}) {
  const [roles, setRoles] = useState(p.roles.join(', '));
  const [error, setError] = useState<string | null>(null);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      setError(null);
      onChanged();
    } catch (x) {
      setError((x as Error).message);
    }
  };
  const rid = `roles-${p.id.replace(/[^A-Za-z0-9]/g, '_')}`;
  return (
    <tr data-principal={p.id}>
      <th scope="row">
        <Principal id={p.id} />
        <div class="muted small mono">{p.id}</div>
      </th>
      <td>{p.kind}</td>
      <td>
        <label for={rid} class="visually-hidden">
          Roles of {p.id}
        </label>
        <input id={rid} value={roles} size={18} onInput={(e) => setRoles((e.target as HTMLInputElement).value)} />{' '}
        <button
          type="button"
          class="small"
          onClick={() => act(() => api('PATCH', `/principals/${seg(p.id)}`, { roles: list(roles) }))}
        >
          Save roles
        </button>
      </td>
      <TokenState p={p} />
      <td class="actions-cell">
        <button
          type="button"
          class="small"
          disabled={p.id === me.id}
          onClick={() => act(() => api('PATCH', `/principals/${seg(p.id)}`, { disabled: !p.disabledAt }))}
        >
          {p.disabledAt ? 'Enable' : 'Disable'}
        </button>{' '}
        <button
          type="button"
          class="small"
          onClick={() =>
            act(async () =>
              onToken(
                `New token for ${p.id}`,
                (await api<{ token: string }>('POST', `/principals/${seg(p.id)}/token`, {})).token,
              ),
            )
          }
        >
          Rotate token
        </button>
        {error ? (
          <p class="error small" role="alert">
            {error}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

export function Principals({ me }: { me: Me }) {
  const d = useLoad(() => api<{ items: PrincipalView[] }>('GET', '/principals').then((r) => r.items), []);
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  return (
    <>
      {secret ? <ShownOnce label={secret.label} value={secret.value} onDismiss={() => setSecret(null)} /> : null}
      <CreateForm
        onCreated={(p) => {
          setSecret({ label: `Token for ${p.id}`, value: p.token });
          d.reload();
        }}
      />
      {d.error ? <ErrorBox error={d.error} what="The principals" /> : null}
      <div class="table-wrap">
        <table class="list" id="principals">
          <caption class="visually-hidden">Principals</caption>
          <thead>
            <tr>
              <th scope="col">Principal</th>
              <th scope="col">Kind</th>
              <th scope="col">Roles</th>
              <th scope="col">State</th>
              <th scope="col">Token</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(d.data ?? []).map((p) => (
              <Row
                key={`${p.id}:${p.roles.join()}:${p.disabledAt}`}
                p={p}
                me={me}
                onChanged={d.reload}
                onToken={(label, value) => setSecret({ label, value })}
              />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
