import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { HumanOSError } from '@humanos/core';
import { type Static, Type as T, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import type { Identity } from './identity.js';
import { ACTION_APPROVE, ACTION_REJECT, decideModal, type SlackApi } from './slack.js';
import { type ApprovalView, approvalView, consoleRequired, oneClickRefusal, statusLine } from './view.js';

/** Slack signs each request at most this long ago (its own recommendation: five minutes). */
export const SLACK_TOLERANCE_SECONDS = 300;

/**
 * The decision path every channel goes through: the same checks, seats, policy and ledger entry as
 * REST. `payloadDigest` is the digest the message or link was made for: `decide()` checks it in the
 * decision's transaction, so an edit that commits first makes the click `stale_payload`, never a
 * decision for the edited payload.
 */
export type DecideFn = (
  actor: Principal,
  approvalId: string,
  verdict: 'approved' | 'rejected',
  input: { reason?: string; feedback?: string; channel: 'slack' | 'email'; payloadDigest: string },
) => Promise<unknown>;

/**
 * Checks Slack's request signature: `x-slack-signature` is `v0=` and the hex HMAC-SHA256, keyed
 * with the app's signing secret, of `v0:<x-slack-request-timestamp>:<raw body>`; the timestamp must
 * be within five minutes of now. Throws `unauthorized` otherwise.
 *
 * @example
 * verifySlackSignature(secret, req.headers, rawBody, Math.floor(Date.now() / 1000));
 */
export function verifySlackSignature(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  raw: string,
  nowSeconds: number,
): void {
  const ts = String(headers['x-slack-request-timestamp'] ?? '');
  const sig = String(headers['x-slack-signature'] ?? '');
  if (!/^\d{1,12}$/.test(ts) || !/^v0=[0-9a-f]{64}$/.test(sig)) {
    throw new HumanOSError('unauthorized', 'missing or malformed Slack signature headers');
  }
  if (Math.abs(nowSeconds - Number(ts)) > SLACK_TOLERANCE_SECONDS) {
    throw new HumanOSError('unauthorized', 'the Slack request timestamp is too old (or in the future)');
  }
  const expected = createHmac('sha256', secret).update(`v0:${ts}:${raw}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(sig.slice(3), 'hex'))) {
    throw new HumanOSError('unauthorized', 'the Slack request signature does not match');
  }
}

const Text = T.String({ maxLength: 4000 });
/** The members of a Slack interaction HumanOS reads (Slack sends many more: they are let through). */
const InteractionSchema = T.Object({
  type: Text,
  user: T.Object({ id: T.String({ minLength: 1, maxLength: 200 }) }),
  trigger_id: T.Optional(Text),
  actions: T.Optional(T.Array(T.Object({ action_id: Text, value: T.Optional(Text) }), { maxItems: 25 })),
  container: T.Optional(T.Object({ channel_id: T.Optional(Text), message_ts: T.Optional(Text) })),
  channel: T.Optional(T.Object({ id: T.Optional(Text) })),
  view: T.Optional(
    T.Object({
      private_metadata: T.Optional(Text),
      state: T.Optional(
        T.Object({
          values: T.Optional(
            T.Record(T.String(), T.Record(T.String(), T.Object({ value: T.Optional(T.Union([Text, T.Null()])) }))),
          ),
        }),
      ),
    }),
  ),
});
type Interaction = Static<typeof InteractionSchema>;
/** What an Approve/Reject button carries: the gate and the payload digest its message showed. */
const ButtonSchema = T.Object({ a: Text, d: Text });
/** What the reason dialog carries: the button's gate and digest, the verdict, and the message it came from. */
const ModalSchema = T.Object({
  a: Text,
  d: Text,
  v: T.Union([T.Literal('approved'), T.Literal('rejected')]),
  channel: T.Optional(Text),
  ts: T.Optional(Text),
});

/**
 * Parses JSON Slack sent (after its signature was checked) into `schema`'s shape; anything else —
 * unparsable, or a member missing or of another type — is a `400 bad_request`, never a crash.
 */
function slackJson<S extends TSchema>(schema: S, text: string | null | undefined, what: string): Static<S> {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new HumanOSError('bad_request', `malformed Slack ${what}: not JSON`);
  }
  if (!Value.Check(schema, value)) throw new HumanOSError('bad_request', `malformed Slack ${what}`);
  return value as Static<S>;
}

/**
 * Slack's interactivity endpoint (and the `/humanos` slash command): verifies each request, maps
 * the Slack user to the principal it is linked to, and decides through the one decision path. An
 * unlinked or unauthorised user is told so (an ephemeral message, or an error in the dialog) and
 * nothing is written; a stale button (decided, expired, payload changed) answers with the current
 * state and refreshes the message. A request that was acted on cannot be replayed.
 */
export class SlackInteractions {
  constructor(
    private readonly deps: FeatureDeps,
    private readonly identity: Identity,
    private readonly decide: DecideFn,
    private readonly api: SlackApi,
    private readonly signingSecret: string,
    private readonly publicUrl: string | undefined,
    /** Brings a posted message up to date (after a stale click). */
    private readonly refresh: (channel: string, ts: string) => Promise<void>,
  ) {}

  /** Handles one signed request; resolves with the JSON body Slack gets back. */
  async handle(headers: Record<string, string | string[] | undefined>, raw: string): Promise<Record<string, unknown>> {
    verifySlackSignature(this.signingSecret, headers, raw, Math.floor(Date.now() / 1000));
    const nonce = `slack:${createHash('sha256').update(String(headers['x-slack-signature'])).digest('hex')}`;
    if (await this.seen(nonce))
      throw new HumanOSError('unauthorized', 'this Slack request was already handled (replay)');
    const form = new URLSearchParams(raw);
    let result: { body: Record<string, unknown>; acted: boolean };
    if (form.has('payload')) {
      const p = slackJson(InteractionSchema, form.get('payload'), 'interaction payload');
      if (p.type === 'block_actions') result = await this.onButton(p);
      else if (p.type === 'view_submission') result = await this.onSubmit(p);
      else result = { body: {}, acted: false };
    } else {
      result = await this.onCommand(form);
    }
    // Only requests that changed something are remembered: a refused one wrote nothing at all.
    if (result.acted) await this.remember(nonce);
    return result.body;
  }

  private async seen(nonce: string): Promise<boolean> {
    return !!(await this.deps.db.selectFrom('channel_nonces').select('id').where('id', '=', nonce).executeTakeFirst());
  }

  private async remember(nonce: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.write(async (trx) => {
      await trx.deleteFrom('channel_nonces').where('expires_at', '<', Date.now()).execute();
      await trx
        .insertInto('channel_nonces')
        .values({ id: nonce, expires_at: Math.max(now, Date.now()) + 2 * SLACK_TOLERANCE_SECONDS * 1000 })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
  }

  private tell(channel: string | undefined, user: string, text: string): Promise<void> {
    if (!channel) return Promise.resolve();
    return this.api.client.chat.postEphemeral({ channel, user, text }).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Why an approval cannot be decided from this message any more, or undefined. */
  private stale(v: ApprovalView | undefined, digest: string): string | undefined {
    if (!v) return 'This approval no longer exists.';
    if (v.gate.status !== 'pending') return `This request is no longer open: ${statusLine(v)}.`;
    if (v.gate.expires_at !== null && this.deps.now() >= v.gate.expires_at) return 'This request has expired.';
    if (v.digest !== digest) return CHANGED;
    return undefined;
  }

  private async onButton(p: Interaction): Promise<{ body: Record<string, unknown>; acted: boolean }> {
    const action = p.actions?.[0];
    const channel = p.container?.channel_id ?? p.channel?.id;
    const ts = p.container?.message_ts;
    if (!action || (action.action_id !== ACTION_APPROVE && action.action_id !== ACTION_REJECT))
      return { body: {}, acted: false };
    const value = slackJson(ButtonSchema, action.value, 'button value');
    const actor = await this.identity.principalFor('slack', p.user.id);
    if (!actor) {
      await this.tell(channel, p.user.id, NOT_LINKED);
      return { body: {}, acted: false };
    }
    const v = await approvalView(this.deps.db, value.a, this.publicUrl, this.deps.policy);
    // An early, friendly answer; the authority is decide(), which checks the digest under its locks.
    const stale = this.stale(v, value.d);
    if (stale || !v) return this.staleClick(channel, ts, p.user.id, stale ?? '');
    const verdict = action.action_id === ACTION_APPROVE ? 'approved' : 'rejected';
    // A message posted before the request got warnings (or an old button) still decides nothing here.
    const consoleOnly = oneClickRefusal(v, verdict);
    if (consoleOnly) return this.staleClick(channel, ts, p.user.id, refusal(consoleRequired(consoleOnly)));
    if (verdict === 'rejected' || v.requireReason || v.requireFeedback) {
      // The dialog carries the digest of the message that was clicked, not of whatever is current now.
      await this.api.client.views.open({
        trigger_id: p.trigger_id as string,
        view: decideModal(v, verdict, { digest: value.d, channel, ts }) as never,
      });
      return { body: {}, acted: true };
    }
    try {
      await this.decide(actor, v.gate.id, 'approved', { channel: 'slack', payloadDigest: value.d });
    } catch (e) {
      if (e instanceof HumanOSError && e.code === 'stale_payload')
        return this.staleClick(channel, ts, p.user.id, CHANGED);
      await this.tell(channel, p.user.id, refusal(e));
      return { body: {}, acted: false };
    }
    await this.tell(channel, p.user.id, `✅ You approved “${v.ctx.description}”.`);
    return { body: {}, acted: true };
  }

  /** A click on a message made for a version that is gone: say so, bring the message up to date, write nothing. */
  private async staleClick(
    channel: string | undefined,
    ts: string | undefined,
    user: string,
    text: string,
  ): Promise<{ body: Record<string, unknown>; acted: boolean }> {
    await this.tell(channel, user, text);
    if (channel && ts) await this.refresh(channel, ts).catch(() => undefined);
    return { body: {}, acted: false };
  }

  /** The reason dialog was submitted: decide, or show why not inside the dialog. */
  private async onSubmit(p: Interaction): Promise<{ body: Record<string, unknown>; acted: boolean }> {
    if (!p.view) return { body: {}, acted: false };
    const meta = slackJson(ModalSchema, p.view.private_metadata, 'dialog metadata');
    const values = p.view.state?.values ?? {};
    const reason = values.reason?.value?.value ?? undefined;
    const feedback = values.feedback?.value?.value ?? undefined;
    const error = (text: string) => ({ body: { response_action: 'errors', errors: { reason: text } }, acted: false });
    const actor = await this.identity.principalFor('slack', p.user.id);
    if (!actor) return error(NOT_LINKED);
    const v = await approvalView(this.deps.db, meta.a, this.publicUrl, this.deps.policy);
    const stale = this.stale(v, meta.d);
    if (stale || !v) return error(stale ?? '');
    const consoleOnly = oneClickRefusal(v, meta.v);
    if (consoleOnly) return error(refusal(consoleRequired(consoleOnly)));
    try {
      await this.decide(actor, meta.a, meta.v, { reason, feedback, channel: 'slack', payloadDigest: meta.d });
    } catch (e) {
      if (e instanceof HumanOSError && e.code === 'stale_payload' && meta.channel && meta.ts)
        await this.refresh(meta.channel, meta.ts).catch(() => undefined);
      return error(e instanceof HumanOSError && e.code === 'stale_payload' ? CHANGED : refusal(e));
    }
    return { body: { response_action: 'clear' }, acted: true };
  }

  /** `/humanos link CODE` links the Slack user to the principal that asked for the code. */
  private async onCommand(form: URLSearchParams): Promise<{ body: Record<string, unknown>; acted: boolean }> {
    const [verb, code] = (form.get('text') ?? '').trim().split(/\s+/);
    const user = form.get('user_id') ?? '';
    if (verb !== 'link' || !code || !user) {
      return { body: { response_type: 'ephemeral', text: HELP }, acted: false };
    }
    try {
      const principal = await this.identity.redeemSlackCode(code, user);
      return { body: { response_type: 'ephemeral', text: `Linked: in HumanOS you are ${principal}.` }, acted: true };
    } catch (e) {
      return { body: { response_type: 'ephemeral', text: refusal(e) }, acted: false };
    }
  }
}

const CHANGED =
  'The request changed since this message was posted; it now shows the current version. Decide again if you still agree.';
const NOT_LINKED =
  'Your Slack account is not linked to HumanOS, so nothing was decided. Get a link code in the web inbox or with `humanos channels link-code`, then type `/humanos link CODE` here (or ask an admin to link you).';
const HELP =
  'Usage: `/humanos link CODE` — links your Slack account to your HumanOS principal (get a code in the web inbox or with `humanos channels link-code`).';

/** A refusal from the decision path, in words for the person who clicked. */
function refusal(e: unknown): string {
  if (e instanceof HumanOSError) return `Not decided (${e.code}): ${e.message}`;
  throw e;
}
