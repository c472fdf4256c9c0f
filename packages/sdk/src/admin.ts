/** Administration: principals (and the caller's own capabilities), webhooks, the policy. */
import { path, query, type Transport } from './transport.js';
import type {
  CreatedPrincipal,
  CreatePrincipalInput,
  CreateTaskInput,
  PolicyDocument,
  PolicyEvaluation,
  PrincipalView,
  Webhook,
  WebhookDeliveryStatus,
} from './types.js';

/** `GET /policy`: the policy document in force and where it came from. */
export interface PolicyDocumentView {
  source: 'built-in' | 'file';
  policy: PolicyDocument;
}

/** `GET /me`: the caller as its token authenticates it. */
export interface Me {
  id: string;
  kind: 'human' | 'agent';
  roles: string[];
  capabilities: string[];
  /** Whether it may audit (admin, or the policy's `auditorRole`): the ledger, calibration, audit reviews. */
  auditor: boolean;
}

/** A replaced token, shown this once. */
export interface RotatedToken {
  id: string;
  token: string;
  tokenExpiresAt: string | null;
}

/** A webhook subscription with its signing secret (answered once, on create and rotate). */
export type CreatedWebhook = Webhook & { secret: string };

export class PrincipalsClient {
  constructor(private readonly http: Transport) {}

  /**
   * Creates a principal (admin) and returns its token, shown this once. `tokenExpiresIn` (seconds)
   * issues a short-lived token, e.g. for an agent's run; `capabilities` is what it can execute.
   *
   * @example
   * const bot = await admin.principals.create({ id: 'did:agent:pay-bot', roles: ['executor'], capabilities: ['accounting'] });
   */
  create(input: CreatePrincipalInput): Promise<CreatedPrincipal> {
    return this.http.request('POST', path`/principals`, { body: input });
  }

  list(): Promise<{ items: PrincipalView[] }> {
    return this.http.request('GET', path`/principals`, { retry: true });
  }

  /** One principal (admin, or the principal itself). */
  get(principalId: string): Promise<PrincipalView> {
    return this.http.request('GET', path`/principals/${principalId}`, { retry: true });
  }

  /** Who the token belongs to. */
  me(): Promise<Me> {
    return this.http.request('GET', path`/me`, { retry: true });
  }

  /**
   * Replaces the caller's own capabilities (`PUT /me/capabilities`), used for routing.
   *
   * @example
   * await client.principals.registerCapabilities(['accounting', 'invoice_processing']);
   */
  registerCapabilities(capabilities: string[]): Promise<{ id: string; capabilities: string[] }> {
    return this.http.request('PUT', path`/me/capabilities`, { body: { capabilities }, retry: true });
  }

  /**
   * Changes a principal's roles and/or disables it (admin). Disabling refuses its token at once;
   * `disabled: false` allows it again.
   *
   * @example
   * await admin.updatePrincipal('did:human:ann', { roles: ['finance_manager', 'cfo'] });
   * await admin.updatePrincipal('did:agent:old-bot', { disabled: true });
   */
  update(
    principalId: string,
    change: {
      roles?: string[];
      disabled?: boolean;
      /** The name people see (null clears it; the IdP sets it at sign-in). */
      displayName?: string | null;
      /** Matched against the IdP's verified e-mail at the first single sign-on (null clears it). */
      email?: string | null;
      /** The OpenID identity the person signs in as (null unlinks it). */
      oidc?: { issuer: string; subject: string } | null;
    },
  ): Promise<PrincipalView> {
    return this.http.request('PATCH', path`/principals/${principalId}`, { body: change, retry: true });
  }

  /**
   * Replaces a principal's token (admin, or the principal itself); the old token stops working at
   * once. The new one is returned this once; `expiresIn` (seconds) makes it short-lived.
   */
  rotateToken(principalId: string, opts: { expiresIn?: number } = {}): Promise<RotatedToken> {
    return this.http.request('POST', path`/principals/${principalId}/token`, { body: opts });
  }
}

export class WebhooksClient {
  constructor(private readonly http: Transport) {}

  /**
   * Subscribes a URL to ledger events (admin). Keep the returned secret: it signs every delivery.
   *
   * @example
   * const hook = await admin.createWebhook({ url: 'https://chat.example.com/hooks/humanos', events: ['approval.*'] });
   * // in the receiver (Standard Webhooks): verifyWebhookSignature(hook.secret, req.headers, rawBody)
   */
  create(input: { url: string; events?: string[]; secret?: string }): Promise<CreatedWebhook> {
    return this.http.request('POST', path`/webhooks`, { body: input });
  }

  list(): Promise<{ items: Webhook[] }> {
    return this.http.request('GET', path`/webhooks`, { retry: true });
  }

  /**
   * A new signing secret (yours, or generated and shown once); during `overlapSeconds` (default a
   * day) deliveries carry signatures with both, so receivers can switch without losing one.
   */
  rotateSecret(webhookId: string, input: { secret?: string; overlapSeconds?: number } = {}): Promise<CreatedWebhook> {
    return this.http.request('POST', path`/webhooks/${webhookId}/rotate-secret`, { body: input });
  }

  /** Stops a subscription; deliveries still queued for it are cancelled. */
  remove(webhookId: string): Promise<Webhook> {
    return this.http.request('DELETE', path`/webhooks/${webhookId}`, { retry: true });
  }

  deliveries(
    webhookId: string,
    q: { status?: WebhookDeliveryStatus['status']; limit?: number } = {},
  ): Promise<{ items: WebhookDeliveryStatus[] }> {
    return this.http.request('GET', `${path`/webhooks/${webhookId}/deliveries`}${query(q)}`, { retry: true });
  }

  /** Queues a failed delivery to be sent again now, its attempts counted afresh (admin). */
  retryDelivery(webhookId: string, deliveryId: string): Promise<WebhookDeliveryStatus> {
    return this.http.request('POST', path`/webhooks/${webhookId}/deliveries/${deliveryId}/retry`);
  }
}

export class PolicyClient {
  constructor(private readonly http: Transport) {}

  /**
   * A dry run of `createTask`: which policy applies, the risk, and the gates that would open, with
   * nothing created. Any principal may ask.
   *
   * @example
   * const r = await client.evaluatePolicy({ description: 'Wire $250,000 to ACME', payload: { amount: 250000 } });
   * r.gates.map((g) => g.approverRoles) // e.g. [['finance_manager'], ['cfo']]
   */
  evaluate(input: CreateTaskInput): Promise<PolicyEvaluation> {
    return this.http.request('POST', path`/policy/evaluate`, { body: input, retry: true });
  }

  /** The policy document in force and where it came from (admin or auditor). */
  get(): Promise<PolicyDocumentView> {
    return this.http.request('GET', path`/policy`, { retry: true });
  }
}
