/**
 * The security page's passkeys (issue 24): add one under a name (the browser's WebAuthn registration,
 * user verification required), see them, rename and remove them. Enrolment and removal are ledger
 * entries: the log says which key could sign a decision when.
 */
import type { startRegistration } from '@simplewebauthn/browser';
import { useState } from 'preact/hooks';
import { bind, FormError, useSubmit } from '../admin/form.js';
import { api, seg } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { when } from '../lib/labels.js';
import { ErrorBox } from '../views/common.js';

/** A passkey as `GET /me/passkeys` lists it. */
export interface PasskeyItem {
  credentialId: string;
  name: string;
  algorithm: number;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  ledgerIndex: number;
}

const ALG: Record<number, string> = { [-7]: 'ES256 (P-256)', [-8]: 'EdDSA (Ed25519)' };

function AddPasskey({ onAdded }: { onAdded: (name: string) => void }) {
  const [name, setName] = useState('');
  const f = useSubmit(async () => {
    const label = name.trim();
    const options = await api<Parameters<typeof startRegistration>[0]['optionsJSON']>(
      'POST',
      '/me/passkeys/registration-options',
      {},
    );
    const { startRegistration: start } = await import('@simplewebauthn/browser');
    const response = await start({ optionsJSON: options });
    await api('POST', '/me/passkeys', { name: label, response });
    setName('');
    onAdded(label);
  });
  return (
    <form class="card form-grid" aria-labelledby="pk-add-title" onSubmit={f.onSubmit}>
      <h3 id="pk-add-title" class="h3">
        Add a passkey
      </h3>
      <label for="pk-name">Name (so you recognise it: “Work laptop”, “YubiKey”)</label>
      <input id="pk-name" required maxLength={100} value={name} onInput={bind(setName)} />
      <div class="actions">
        <button type="submit" class="primary" id="pk-add">
          Add passkey
        </button>
      </div>
      <FormError error={f.error} />
    </form>
  );
}

function PasskeyRow({ k, changed }: { k: PasskeyItem; changed: (msg: string) => void }) {
  const act = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
      changed(what);
    } catch (e) {
      changed(`Not done: ${(e as Error).message}`);
    }
  };
  const rename = () => {
    const input = document.getElementById(`pk-rename-${k.credentialId}`) as HTMLInputElement | null;
    const name = input?.value.trim() ?? '';
    if (name) void act(`Renamed to “${name}”.`, () => api('PATCH', `/me/passkeys/${seg(k.credentialId)}`, { name }));
  };
  return (
    <tr data-passkey={k.credentialId} data-revoked={k.revokedAt ? 'yes' : 'no'}>
      <td>{k.name}</td>
      <td class="small">{ALG[k.algorithm] ?? k.algorithm}</td>
      <td class="small">
        {when(k.createdAt)} <span class="muted">(ledger #{k.ledgerIndex})</span>
      </td>
      <td class="small">{k.lastUsedAt ? when(k.lastUsedAt) : 'never'}</td>
      <td>
        {k.revokedAt ? (
          <span class="badge">removed {when(k.revokedAt)}</span>
        ) : (
          <span class="row">
            <label class="visually-hidden" for={`pk-rename-${k.credentialId}`}>
              New name for {k.name}
            </label>
            <input id={`pk-rename-${k.credentialId}`} class="small" placeholder="New name" maxLength={100} />
            <button type="button" class="small" onClick={rename}>
              Rename
            </button>
            <button
              type="button"
              class="small danger"
              aria-label={`Remove ${k.name}`}
              onClick={() =>
                void act(`Removed “${k.name}”.`, () =>
                  api('POST', `/me/passkeys/${seg(k.credentialId)}/revoke`, { reason: 'removed in the console' }),
                )
              }
            >
              Remove
            </button>
          </span>
        )}
      </td>
    </tr>
  );
}

/**
 * The caller's passkeys: the list, and the form to add one. High-risk decisions (as the policy says)
 * are signed with one of them.
 *
 * @example
 * <Passkeys />
 */
export function Passkeys() {
  const d = useLoad(() => api<{ items: PasskeyItem[] }>('GET', '/me/passkeys').then((r) => r.items), []);
  const [msg, setMsg] = useState<string | null>(null);
  const changed = (m: string) => {
    setMsg(m);
    void d.reload();
  };
  return (
    <section aria-labelledby="pk-title" id="passkeys">
      <h2 id="pk-title">Passkeys</h2>
      <p class="muted">
        Decisions the policy marks (high risk, by default) are signed with your passkey: its signature over the exact
        payload is kept in the ledger, where anyone can check it.
      </p>
      {msg ? (
        <p class="status" role="status" id="pk-status">
          {msg}
        </p>
      ) : null}
      <AddPasskey onAdded={(name) => changed(`Passkey “${name}” added.`)} />
      {d.error ? <ErrorBox error={d.error} what="Your passkeys" /> : null}
      {d.data && d.data.length > 0 ? (
        <table class="list" id="pk-list">
          <caption class="visually-hidden">Your passkeys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Added</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {d.data.map((k) => (
              <PasskeyRow key={k.credentialId} k={k} changed={changed} />
            ))}
          </tbody>
        </table>
      ) : null}
      {d.data && d.data.length === 0 ? <p class="empty">No passkeys yet.</p> : null}
    </section>
  );
}
