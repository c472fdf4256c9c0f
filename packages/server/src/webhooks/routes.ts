import { API_PREFIX, type Api } from '../kernel/routes.js';
import { CreateWebhookBody, DeliveriesQuery, DeliveryParams, WebhookIdParams } from './schemas.js';
import type { Webhooks } from './webhooks.js';

/** Webhooks (admin): ledger events POSTed to a URL, signed with the subscription's secret. */
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
