/**
 * The HumanOS web inbox. Dependency-free on purpose: everything an agent wrote (descriptions,
 * reasoning, payloads) is untrusted and is only ever put into the page as text (`textContent`,
 * never `innerHTML`), and the server sends a CSP that allows no inline script.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Decision {
  principal: string;
  verdict: string;
  reason: string;
  feedback: string | null;
  decidedAt: string;
  ledgerIndex: number;
  /** An approval of an earlier version of the payload (an edit came after it): it no longer counts. */
  stale?: boolean;
}

interface Approval {
  id: string;
  taskId: string;
  /** execution | routing | decision (in-run) | review (low confidence) | audit (spot-check) */
  kind: string;
  /** In-run decisions carry their own payload. */
  payload?: Json;
  proposedResource?: string | null;
  ranking?: { id: string; score: number; capabilityMatch: number; meanQuality: number | null; ratings: number }[];
  status: string;
  requestedAt: string;
  expiresAt: string | null;
  approverRole: string;
  required: number;
  approvals: number;
  escalateTo: string | null;
  escalationPolicy: string | null;
  aiProposal: { action: string; reasoning: string | null; confidence: number | null; alternatives: string[] };
  riskAssessment: { level: string; factors: string[]; mitigations: string[] };
  decisions: Decision[];
  /** Agent text with bidi controls or zero-width characters (shown escaped). */
  textWarnings?: { path: string; kinds: string[] }[];
  chain?: {
    id: string;
    step: number;
    approverRole: string;
    status: string;
    required: number;
    reason: string | null;
    decisions: Decision[];
  }[];
  task: {
    id: string;
    description: string;
    requester?: string;
    onBehalfOf?: string | null;
    status?: string;
    payload?: Json;
    policy?: { id: string; version: number; reason: string; floorApplied: boolean };
  };
}

interface HistoryEvent {
  index: number;
  type: string;
  at: string;
  actor: string;
  approvalId: string | null;
  verified: boolean;
}

const API = '/v1/humanos';
const TOKEN_KEY = 'humanos.token';

const state: {
  token: string | null;
  me: { id: string; kind: string; roles: string[] } | null;
  items: Approval[];
  selected: string | null;
  sort: 'urgent' | 'newest';
  stream: AbortController | null;
} = { token: sessionStorage.getItem(TOKEN_KEY), me: null, items: [], selected: null, sort: 'urgent', stream: null };

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Server clock minus ours: deadlines are the server's, so countdowns run on its time. */
let clockSkew = 0;
const now = () => Date.now() + clockSkew;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(API + path, {
    method,
    headers: {
      authorization: `Bearer ${state.token ?? ''}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const serverTime = Number(res.headers.get('x-humanos-time'));
  if (serverTime > 0) clockSkew = serverTime - Date.now();
  const data = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
  // A token that worked before and no longer does was rotated or its principal disabled: the
  // session is over, wherever in the app the request came from.
  if (res.status === 401 && state.me) endSession();
  if (!res.ok) throw new ApiError(res.status, data.code ?? `http_${res.status}`, data.detail ?? res.statusText);
  return data as T;
}

const SESSION_ENDED =
  'Your token is no longer accepted: it was rotated, or your principal was disabled. Sign in with a current token.';

function endSession(): void {
  signOut();
  renderSignIn(SESSION_ENDED);
}

// ---- DOM helpers: text only ----------------------------------------------------------------------

/**
 * Bidi controls and zero-width characters in agent text are shown escaped (`⟦U+202E⟧`), never
 * rendered: `"\u202E00001\u202C"` would otherwise read as `10000`. (The same rule as core's
 * `revealInvisible`; this page is served unbundled, so it cannot import core.)
 */
const INVISIBLE =
  /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u180E\u200B-\u200D\u2060-\u2064\uFEFF]|[\u{E0000}-\u{E007F}]/gu;
function reveal(text: string): string {
  return text.replace(
    INVISIBLE,
    (c) => `⟦U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}⟧`,
  );
}

type Child = Node | string | number | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | ((e: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false) el.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(reveal(String(c))) : c);
  }
  return el;
}

function announce(text: string): void {
  const live = document.getElementById('live');
  if (live) live.textContent = text;
}

const main = () => document.getElementById('main') as HTMLElement;

// ---- time ----------------------------------------------------------------------------------------

function countdown(expiresAt: string | null): string {
  if (!expiresAt) return 'no deadline';
  const ms = Date.parse(expiresAt) - now();
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return `expires in ${d ? `${d}d ` : ''}${d || hh ? `${hh}h ` : ''}${mm}m ${ss}s`;
}

function countdownEl(expiresAt: string | null): HTMLElement {
  const el = h('span', { class: 'countdown', 'data-expires': expiresAt ?? '' }, countdown(expiresAt));
  if (countdown(expiresAt) === 'expired') el.classList.add('expired');
  return el;
}

setInterval(() => {
  for (const el of document.querySelectorAll<HTMLElement>('.countdown')) {
    const text = countdown(el.dataset.expires || null);
    el.textContent = text;
    el.classList.toggle('expired', text === 'expired');
  }
}, 1000);

// ---- merge patch diff ----------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The RFC 7386 merge patch that turns `before` into `after` (arrays are replaced whole). */
function mergePatchBetween(before: Json, after: Json): Json | undefined {
  if (!isObject(before) || !isObject(after))
    return JSON.stringify(before) === JSON.stringify(after) ? undefined : after;
  const patch: Record<string, Json> = {};
  for (const k of Object.keys(before)) if (!(k in after)) patch[k] = null;
  for (const [k, v] of Object.entries(after)) {
    if (!(k in before)) patch[k] = v;
    else {
      const sub = mergePatchBetween(before[k] as Json, v);
      if (sub !== undefined) patch[k] = sub;
    }
  }
  return Object.keys(patch).length ? patch : undefined;
}

function diffLines(before: Json, patch: Json, path = ''): HTMLElement[] {
  if (!isObject(patch))
    return [
      h('li', { class: 'chg' }, `~ ${path || '(payload)'}: ${JSON.stringify(before)} → ${JSON.stringify(patch)}`),
    ];
  const out: HTMLElement[] = [];
  for (const [k, v] of Object.entries(patch)) {
    const p = path ? `${path}.${k}` : k;
    const old = isObject(before) ? before[k] : undefined;
    if (v === null) out.push(h('li', { class: 'del' }, `- ${p} (removed; was ${JSON.stringify(old)})`));
    else if (old === undefined) out.push(h('li', { class: 'add' }, `+ ${p}: ${JSON.stringify(v)}`));
    else if (isObject(v) && isObject(old)) out.push(...diffLines(old, v, p));
    else out.push(h('li', { class: 'chg' }, `~ ${p}: ${JSON.stringify(old)} → ${JSON.stringify(v)}`));
  }
  return out;
}

// ---- views ---------------------------------------------------------------------------------------

function renderSignIn(message?: string): void {
  document.getElementById('who')?.replaceChildren();
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form',
    {
      class: 'signin',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        state.token = input.value.trim();
        try {
          await signIn();
        } catch (err) {
          state.token = null;
          sessionStorage.removeItem(TOKEN_KEY);
          renderSignIn(
            err instanceof ApiError && err.status === 401
              ? 'That token is not valid.'
              : `Sign-in failed: ${(err as Error).message}`,
          );
        }
      },
    },
    h('h2', {}, 'Sign in'),
    h('p', {}, 'Paste the access token you were given for your HumanOS principal.'),
    h('label', { for: 'token' }, 'Access token'),
    input,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
    message ? h('p', { class: 'status error', role: 'alert' }, message) : null,
  );
  main().replaceChildren(form);
  input.focus();
}

async function signIn(): Promise<void> {
  state.me = await api('GET', '/me');
  sessionStorage.setItem(TOKEN_KEY, state.token ?? '');
  document
    .getElementById('who')
    ?.replaceChildren(
      h('span', {}, `Signed in as ${state.me?.id} (${state.me?.roles.join(', ') || 'no roles'})`),
      h('button', { type: 'button', onclick: signOut }, 'Sign out'),
    );
  main().replaceChildren(
    h(
      'div',
      { class: 'layout' },
      h(
        'section',
        { class: 'inbox', 'aria-labelledby': 'inbox-title' },
        h('h2', { id: 'inbox-title' }, 'Inbox'),
        h('div', { id: 'inbox-body' }),
      ),
      h(
        'section',
        { id: 'detail', class: 'detail', 'aria-live': 'polite' },
        h('p', {}, 'Select an approval request to see it here.'),
      ),
    ),
  );
  await refreshInbox();
  void listen();
}

function signOut(): void {
  state.stream?.abort();
  state.token = null;
  state.me = null;
  state.selected = null;
  sessionStorage.removeItem(TOKEN_KEY);
  renderSignIn();
}

function sortItems(items: Approval[]): Approval[] {
  const due = (a: Approval) => (a.expiresAt ? Date.parse(a.expiresAt) : Number.POSITIVE_INFINITY);
  return [...items].sort((a, b) =>
    state.sort === 'urgent'
      ? due(a) - due(b) || Date.parse(b.requestedAt) - Date.parse(a.requestedAt)
      : Date.parse(b.requestedAt) - Date.parse(a.requestedAt),
  );
}

async function refreshInbox(): Promise<void> {
  const body = document.getElementById('inbox-body');
  if (!body) return;
  const r = await api<{ items: Approval[] }>('GET', '/approvals?status=pending&limit=200');
  state.items = r.items;
  const select = h(
    'select',
    {
      id: 'sort',
      onchange: (e: Event) => {
        state.sort = (e.target as HTMLSelectElement).value as 'urgent' | 'newest';
        void refreshInbox();
      },
    },
    h('option', { value: 'urgent', selected: state.sort === 'urgent' }, 'Most urgent first'),
    h('option', { value: 'newest', selected: state.sort === 'newest' }, 'Newest first'),
  );
  const list = h('ul', { 'aria-label': 'Pending approval requests' });
  for (const a of sortItems(state.items)) {
    list.append(
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'item',
            'data-approval': a.id,
            'aria-current': state.selected === a.id ? 'true' : 'false',
            onclick: () => void openDetail(a.id),
          },
          h('span', { class: 'desc' }, a.task.description),
          h(
            'span',
            { class: 'meta' },
            h('span', { class: `risk ${a.riskAssessment.level}` }, `${a.riskAssessment.level} risk`),
            ` · ${a.approverRole} · `,
            countdownEl(a.expiresAt),
          ),
        ),
      ),
    );
  }
  body.replaceChildren(
    h('label', { for: 'sort' }, 'Order'),
    select,
    state.items.length === 0 ? h('p', { class: 'empty' }, 'Nothing waiting for you.') : list,
  );
}

async function openDetail(id: string, status?: HTMLElement): Promise<void> {
  state.selected = id;
  for (const b of document.querySelectorAll<HTMLElement>('.item'))
    b.setAttribute('aria-current', String(b.dataset.approval === id));
  const detail = document.getElementById('detail');
  if (!detail) return;
  let a: Approval;
  let history: { events: HistoryEvent[]; checkpointSize: number } | null = null;
  try {
    a = await api<Approval>('GET', `/approvals/${encodeURIComponent(id)}`);
    history = await api<{ events: HistoryEvent[]; checkpointSize: number }>(
      'GET',
      `/tasks/${encodeURIComponent(a.taskId)}/history`,
    ).catch(() => null);
  } catch (err) {
    detail.replaceChildren(
      h('p', { class: 'status error', role: 'alert' }, `Cannot load ${id}: ${(err as Error).message}`),
    );
    return;
  }
  const payload = (a.kind === 'decision' ? (a.payload ?? {}) : (a.task.payload ?? {})) as Json;
  const routing = a.kind === 'routing';
  const assignee = h(
    'select',
    { id: 'assign-to' },
    ...(a.ranking ?? []).map((r) =>
      h(
        'option',
        { value: r.id, selected: r.id === a.proposedResource },
        `${r.id} — match ${Math.round(r.capabilityMatch * 100)} %, quality ${r.meanQuality === null ? 'unrated' : r.meanQuality.toFixed(2)} (${r.ratings})`,
      ),
    ),
  );
  const pending = a.status === 'pending';
  const highRisk = a.riskAssessment.level === 'high' || a.riskAssessment.level === 'critical';

  const editor = h('textarea', { id: 'edit-payload', rows: '8', spellcheck: 'false', 'aria-describedby': 'edit-help' });
  editor.value = JSON.stringify(payload, null, 2);
  const diff = h('ul', { class: 'diff', id: 'diff', 'aria-label': 'Your changes to the payload' });
  const reason = h('textarea', { id: 'reason', rows: '3', 'aria-describedby': 'reason-help' });
  const feedback = h('textarea', { id: 'feedback', rows: '2' });
  const statusBox = status ?? h('div', { id: 'decision-status' });
  statusBox.id = 'decision-status';

  const currentPatch = (): { patch?: Json; error?: string } => {
    try {
      const edited = JSON.parse(editor.value) as Json;
      if (!isObject(edited)) return { error: 'The payload must stay a JSON object.' };
      return { patch: mergePatchBetween(payload, edited) };
    } catch {
      return { error: 'The edited payload is not valid JSON.' };
    }
  };
  const showDiff = () => {
    const { patch, error } = currentPatch();
    diff.replaceChildren(
      ...(error
        ? [h('li', { class: 'del' }, error)]
        : patch === undefined
          ? [h('li', {}, 'No changes.')]
          : diffLines(payload, patch)),
    );
  };
  editor.addEventListener('input', showDiff);
  showDiff();

  const decide = async (verdict: 'approve' | 'reject') => {
    const text = reason.value.trim();
    const fail = (msg: string) => {
      statusBox.className = 'status error';
      statusBox.setAttribute('role', 'alert');
      statusBox.textContent = msg;
    };
    if (verdict === 'reject' && !text) return fail('A reason is required to reject.');
    if (verdict === 'approve' && !text && highRisk)
      return fail(`A reason is required to approve a ${a.riskAssessment.level}-risk request.`);
    const { patch, error } = currentPatch();
    if (error) return fail(error);
    const body =
      verdict === 'approve'
        ? {
            approvalReason: text,
            ...(feedback.value.trim() ? { feedback: feedback.value.trim() } : {}),
            ...(patch !== undefined && !routing ? { edits: patch } : {}),
            ...(routing && assignee.value ? { assignTo: assignee.value } : {}),
          }
        : { rejectionReason: text, ...(feedback.value.trim() ? { feedback: feedback.value.trim() } : {}) };
    try {
      const r = await api<{ status: string; taskStatus: string; provenance: { ledgerIndex: number } }>(
        'POST',
        `/approvals/${encodeURIComponent(id)}/${verdict}`,
        body,
      );
      const done = h(
        'div',
        { class: 'status ok', role: 'status' },
        `${verdict === 'approve' ? 'Approved' : 'Rejected'}: the request is ${r.status}, the task is ${r.taskStatus} (ledger #${r.provenance.ledgerIndex}).`,
      );
      announce(done.textContent ?? '');
      await refreshInbox();
      await openDetail(id, done);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409)
        fail(`Someone else already decided this request (${err.message}). It has been refreshed.`);
      else if (err instanceof ApiError && err.status === 410)
        fail(`This request has expired and can no longer be decided (${err.message}).`);
      else fail(`Not recorded: ${(err as Error).message}`);
      await refreshInbox();
    }
  };

  const conf = a.aiProposal.confidence;
  detail.replaceChildren(
    h('h2', {}, a.task.description),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Status'),
      h('dd', { id: 'gate-status' }, a.status),
      h('dt', {}, 'Requested by'),
      h('dd', {}, `${a.task.requester ?? 'unknown'}${a.task.onBehalfOf ? ` on behalf of ${a.task.onBehalfOf}` : ''}`),
      h('dt', {}, 'Approver role'),
      h('dd', {}, a.approverRole),
      h('dt', {}, 'Requested'),
      h('dd', {}, new Date(a.requestedAt).toLocaleString()),
      h('dt', {}, 'Deadline'),
      h('dd', {}, countdownEl(a.expiresAt), a.expiresAt ? ` (${new Date(a.expiresAt).toLocaleString()})` : ''),
      h('dt', {}, 'If nobody decides'),
      h(
        'dd',
        {},
        a.escalationPolicy === 'auto' && a.escalateTo
          ? `escalates to ${a.escalateTo}`
          : 'the task expires and never runs',
      ),
      h('dt', {}, 'Required by'),
      h('dd', {}, a.task.policy ? `${a.task.policy.id} v${a.task.policy.version}: ${a.task.policy.reason}` : '—'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'ai-title' },
      h('h3', { id: 'ai-title' }, 'AI proposal'),
      h('p', { id: 'ai-action' }, a.aiProposal.action),
      h(
        'p',
        {},
        h('strong', {}, 'Reasoning: '),
        h('span', { id: 'ai-reasoning' }, a.aiProposal.reasoning ?? 'none given'),
      ),
      h(
        'p',
        {},
        h('strong', { id: 'conf-label' }, 'Confidence: '),
        conf === null
          ? 'not given'
          : h(
              'span',
              {},
              h('span', { id: 'ai-confidence' }, conf.toFixed(2)),
              ' ',
              h('meter', {
                min: '0',
                max: '1',
                low: '0.5',
                high: '0.8',
                optimum: '1',
                value: String(conf),
                'aria-labelledby': 'conf-label',
              }),
            ),
      ),
      h('h3', {}, `Alternatives (${a.aiProposal.alternatives.length})`),
      a.aiProposal.alternatives.length
        ? h('ul', { id: 'alternatives' }, ...a.aiProposal.alternatives.map((x) => h('li', {}, x)))
        : h('p', {}, 'None offered.'),
    ),
    a.textWarnings?.length
      ? h(
          'p',
          { class: 'warning', role: 'note', 'data-testid': 'invisible-warning' },
          `Hidden characters: the agent's text contains invisible or direction-changing characters, shown as ⟦U+…⟧ (in ${a.textWarnings.map((w) => w.path).join(', ')}). Read those values carefully.`,
        )
      : '',
    h(
      'section',
      { 'aria-labelledby': 'risk-title' },
      h('h3', { id: 'risk-title' }, 'Risk'),
      h(
        'p',
        {},
        h('span', { class: `risk ${a.riskAssessment.level}` }, a.riskAssessment.level),
        ' ',
        a.riskAssessment.factors.join(', ') || 'no factors',
      ),
      a.riskAssessment.mitigations.length
        ? h('p', {}, `Mitigations: ${a.riskAssessment.mitigations.join(', ')}`)
        : null,
    ),
    h(
      'section',
      { 'aria-labelledby': 'progress-title' },
      h('h3', { id: 'progress-title' }, `Approvals: ${a.approvals} of ${a.required}`),
      a.decisions.length
        ? h(
            'ul',
            {},
            ...a.decisions.map((d) =>
              h(
                'li',
                {},
                `${d.principal} ${d.verdict} — “${d.reason}” (${new Date(d.decidedAt).toLocaleString()}, ledger #${d.ledgerIndex})`,
                d.stale
                  ? h(
                      'strong',
                      { class: 'stale' },
                      d.principal === state.me?.id
                        ? ' — your approval was for an earlier version; the payload was edited since, approve again'
                        : ' — for an earlier version of the payload; no longer counts',
                    )
                  : null,
              ),
            ),
          )
        : h('p', {}, 'No decisions yet.'),
      a.chain && a.chain.length > 1
        ? h(
            'ol',
            { id: 'chain', 'aria-label': 'All steps of this approval' },
            ...a.chain.map((c) =>
              h(
                'li',
                { 'aria-current': c.id === a.id ? 'step' : 'false' },
                `Step ${c.step + 1}: ${c.approverRole} — ${c.status}${c.reason ? ` (${c.reason})` : ''}`,
                c.decisions.length
                  ? h('ul', {}, ...c.decisions.map((d) => h('li', {}, `${d.principal} ${d.verdict} — “${d.reason}”`)))
                  : null,
              ),
            ),
          )
        : null,
    ),
    h(
      'section',
      { 'aria-labelledby': 'payload-title' },
      h('h3', { id: 'payload-title' }, 'Payload'),
      h('pre', { id: 'payload' }, JSON.stringify(payload, null, 2)),
    ),
    pending
      ? h(
          'section',
          { 'aria-labelledby': 'decide-title' },
          h('h3', { id: 'decide-title' }, 'Decide'),
          ...(routing
            ? [h('label', { for: 'assign-to' }, 'Assign the task to'), assignee]
            : [
                h('label', { for: 'edit-payload' }, 'Edit the payload (optional)'),
                h(
                  'p',
                  { id: 'edit-help', class: 'meta' },
                  'Your edits are sent as a JSON merge patch; what you approve is exactly what runs.',
                ),
                editor,
                h('p', { class: 'meta' }, 'Changes against the proposal:'),
                diff,
              ]),
          h('label', { for: 'reason' }, `Reason${highRisk ? ' (required)' : ' (required to reject)'}`),
          h('p', { id: 'reason-help', class: 'meta' }, 'Recorded and signed with your decision.'),
          reason,
          h('label', { for: 'feedback' }, 'Feedback for the agent (optional)'),
          feedback,
          h(
            'div',
            { class: 'actions' },
            h(
              'button',
              { type: 'button', class: 'primary', id: 'approve', onclick: () => void decide('approve') },
              'Approve',
            ),
            h(
              'button',
              { type: 'button', class: 'danger', id: 'reject', onclick: () => void decide('reject') },
              'Reject',
            ),
          ),
          statusBox,
        )
      : statusBox,
    h(
      'section',
      { 'aria-labelledby': 'history-title' },
      h('h3', { id: 'history-title' }, 'History'),
      history
        ? h(
            'ol',
            { class: 'timeline', id: 'history' },
            ...history.events.map((e) =>
              h(
                'li',
                {},
                `#${e.index} ${e.type} · ${new Date(e.at).toLocaleString()} · ${e.actor} `,
                h(
                  'span',
                  { class: `badge ${e.verified ? 'verified' : 'unverified'}` },
                  e.verified ? 'verified' : 'NOT verified',
                ),
              ),
            ),
          )
        : h('p', {}, 'History unavailable.'),
    ),
  );
}

// ---- live updates --------------------------------------------------------------------------------

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleRefresh(taskId: string | null): void {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    await refreshInbox().catch(() => {});
    const open = state.items.find((i) => i.id === state.selected);
    const detail = document.getElementById('detail');
    // Re-render an open request when it changed elsewhere, unless the user is typing into it.
    if (state.selected && (open?.taskId === taskId || !open) && detail && !detail.contains(document.activeElement)) {
      await openDetail(state.selected, document.getElementById('decision-status') ?? undefined).catch(() => {});
    }
  }, 100);
}

/** Server-sent events over fetch (EventSource cannot send an Authorization header); resumes by id. */
async function listen(): Promise<void> {
  state.stream?.abort();
  const ac = new AbortController();
  state.stream = ac;
  // Start from now: the inbox was just loaded, so history before this point is already on screen.
  let lastId = '';
  try {
    const cp = await fetch(`${API}/ledger/checkpoint`);
    if (cp.ok) lastId = String(((await cp.json()) as { size: number }).size - 1);
  } catch {
    // an empty ledger has no checkpoint: stream from the start
  }
  while (!ac.signal.aborted && state.token) {
    try {
      const res = await fetch(`${API}/events`, {
        headers: { authorization: `Bearer ${state.token}`, ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal: ac.signal,
      });
      if (res.status === 401) {
        endSession();
        return;
      }
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i = buf.indexOf('\n\n');
        while (i >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) lastId = line.slice(4);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) {
            const e = JSON.parse(data) as { taskId: string | null; type: string };
            if (e.type === 'approval.requested') announce('A new approval request arrived.');
            scheduleRefresh(e.taskId);
          }
          i = buf.indexOf('\n\n');
        }
      }
    } catch {
      if (ac.signal.aborted) return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// ---- start ---------------------------------------------------------------------------------------

if (state.token) {
  signIn().catch(() => {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    renderSignIn('Your session has ended; sign in again.');
  });
} else {
  renderSignIn();
}
