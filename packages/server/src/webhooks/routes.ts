import type { FastifyReply, FastifyRequest } from 'fastify';
import { isReadOnly } from '../kernel/access.js';
import { API_PREFIX, type Api, sendProblem } from '../kernel/routes.js';
import { CreateWebhookBody, DeliveriesQuery, DeliveryParams, RotateSecretBody, WebhookIdParams } from './schemas.js';
import type { Webhooks } from './webhooks.js';

/** Webhooks (admin): ledger events POSTed to a URL in the Standard Webhooks format. */
export function webhookRoutes(api: Api, webhooks: Webhooks): void {
  api.post(`${API_PREFIX}/webhooks`, { schema: { tags: ['webhooks'], body: CreateWebhookBody } }, async (req, reply) =>
    reply.code(201).send(await webhooks.create(req.principal, req.body)),
  );
  api.get(`${API_PREFIX}/webhooks`, { schema: { tags: ['webhooks'] } }, async (req) => ({
    items: await webhooks.list(req.principal),
  }));
  api.delete(
    `${API_PREFIX}/webhooks/:webhookId`,
    { schema: { tags: ['webhooks'], params: WebhookIdParams } },
    async (req) => webhooks.remove(req.principal, req.params.webhookId),
  );
  api.post(
    `${API_PREFIX}/webhooks/:webhookId/rotate-secret`,
    { schema: { tags: ['webhooks'], params: WebhookIdParams, body: RotateSecretBody } },
    async (req) => webhooks.rotateSecret(req.principal, req.params.webhookId, req.body ?? {}),
  );
  api.get(
    `${API_PREFIX}/webhooks/:webhookId/deliveries`,
    { schema: { tags: ['webhooks'], params: WebhookIdParams, querystring: DeliveriesQuery } },
    async (req) => ({ items: await webhooks.deliveries(req.principal, req.params.webhookId, req.query) }),
  );
  api.post(
    `${API_PREFIX}/webhooks/:webhookId/deliveries/:deliveryId/retry`,
    { schema: { tags: ['webhooks'], params: DeliveryParams } },
    async (req) => webhooks.retry(req.principal, req.params.webhookId, req.params.deliveryId),
  );
}

/**
 * The `preHandler` hook that keeps relay principals (the `integration` role) read-only: they read
 * tasks and approvals to relay them, and any other method is a 403 problem.
 */
export async function readOnlyRoles(req: FastifyRequest, reply: FastifyReply) {
  if (req.method === 'GET' || req.method === 'HEAD' || !req.principal) return;
  if (isReadOnly(req.principal)) {
    return sendProblem(reply, 'forbidden', 'the integration role is read-only: it may read tasks and approvals');
  }
}
