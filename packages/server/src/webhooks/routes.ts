import type { FastifyReply, FastifyRequest } from 'fastify';
import { DeliveriesQuery } from '../delivery/schemas.js';
import { isReadOnly } from '../kernel/access.js';
import { API_PREFIX, type Api, sendProblem } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import {
  CreatedWebhook,
  CreateWebhookBody,
  DeliveryList,
  DeliveryParams,
  DeliveryView,
  RotateSecretBody,
  WebhookIdParams,
  WebhookList,
  WebhookView,
} from './schemas.js';
import type { Webhooks } from './webhooks.js';

/** Webhooks (admin): ledger events POSTed to a URL in the Standard Webhooks format. */
export function webhookRoutes(api: Api, webhooks: Webhooks): void {
  api.post(
    `${API_PREFIX}/webhooks`,
    {
      schema: {
        ...op(
          'createWebhook',
          'Subscribe a webhook',
          'Ledger events POSTed to a URL, signed with the secret answered once (admin).',
        ),
        tags: ['webhooks'],
        body: CreateWebhookBody,
        response: responses(201, CreatedWebhook, 400, 401, 403),
      },
    },
    async (req, reply) => reply.code(201).send(await webhooks.create(req.principal, req.body)),
  );
  api.get(
    `${API_PREFIX}/webhooks`,
    {
      schema: {
        ...op('listWebhooks', 'List webhooks', 'Every subscription (admin).'),
        tags: ['webhooks'],
        response: responses(200, WebhookList, 401, 403),
      },
    },
    async (req) => ({
      items: await webhooks.list(req.principal),
    }),
  );
  api.delete(
    `${API_PREFIX}/webhooks/:webhookId`,
    {
      schema: {
        ...op('deleteWebhook', 'Delete a webhook', 'Deactivates the subscription; answers it as it was (admin).'),
        tags: ['webhooks'],
        params: WebhookIdParams,
        response: responses(200, WebhookView, 400, 401, 403, 404),
      },
    },
    async (req) => webhooks.remove(req.principal, req.params.webhookId),
  );
  api.post(
    `${API_PREFIX}/webhooks/:webhookId/rotate-secret`,
    {
      schema: {
        ...op(
          'rotateWebhookSecret',
          'Rotate a webhook secret',
          'A new signing secret (answered once); during the overlap deliveries carry both signatures (admin).',
        ),
        tags: ['webhooks'],
        params: WebhookIdParams,
        body: RotateSecretBody,
        response: responses(200, CreatedWebhook, 400, 401, 403, 404),
      },
    },
    async (req) => webhooks.rotateSecret(req.principal, req.params.webhookId, req.body ?? {}),
  );
  deliveryRoutes(api, webhooks);
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

/** A subscription's deliveries, and retrying a failed one (admin). */
function deliveryRoutes(api: Api, webhooks: Webhooks): void {
  api.get(
    `${API_PREFIX}/webhooks/:webhookId/deliveries`,
    {
      schema: {
        ...op('listDeliveries', 'List deliveries', 'The subscription’s deliveries and how they went (admin).'),
        tags: ['webhooks'],
        params: WebhookIdParams,
        querystring: DeliveriesQuery,
        response: responses(200, DeliveryList, 400, 401, 403, 404),
      },
    },
    async (req) => ({ items: await webhooks.deliveries(req.principal, req.params.webhookId, req.query) }),
  );
  api.post(
    `${API_PREFIX}/webhooks/:webhookId/deliveries/:deliveryId/retry`,
    {
      schema: {
        ...op('retryDelivery', 'Retry a delivery', 'Queues a failed delivery again (admin).'),
        tags: ['webhooks'],
        params: DeliveryParams,
        response: responses(200, DeliveryView, 400, 401, 403, 404, 409),
      },
    },
    async (req) => webhooks.retry(req.principal, req.params.webhookId, req.params.deliveryId),
  );
}
