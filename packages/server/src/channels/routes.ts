import type { FastifyInstance } from 'fastify';
import { API_PREFIX, type Api } from '../kernel/routes.js';
import { DeliveriesQuery } from '../webhooks/schemas.js';
import type { Channels } from './channels.js';
import { EMAIL_DECIDE_PATH, type Page } from './emailPage.js';
import { LinksBody, PreferencesBody, PrincipalParams, RoleChannelBody, RoleParams } from './schemas.js';

/** Channel settings on the authenticated API: own links and preferences, link codes, admin mappings. */
export function channelRoutes(api: Api, channels: Channels): void {
  const tags = ['channels'];
  api.get(`${API_PREFIX}/channels`, { schema: { tags } }, async (req) => channels.status(req.principal));
  api.get(`${API_PREFIX}/channels/deliveries`, { schema: { tags, querystring: DeliveriesQuery } }, async (req) => ({
    items: await channels.deliveries(req.principal, req.query),
  }));
  api.get(`${API_PREFIX}/channels/me`, { schema: { tags } }, async (req) => channels.identity.me(req.principal));
  api.put(`${API_PREFIX}/channels/me/preferences`, { schema: { tags, body: PreferencesBody } }, async (req) =>
    channels.identity.setPreferences(req.principal, req.body),
  );
  api.post(`${API_PREFIX}/channels/slack/link-code`, { schema: { tags } }, async (req, reply) =>
    reply.code(201).send(await channels.identity.linkCode(req.principal)),
  );
  api.put(
    `${API_PREFIX}/channels/links/:principalId`,
    { schema: { tags, params: PrincipalParams, body: LinksBody } },
    async (req) => channels.identity.setLinks(req.principal, req.params.principalId, req.body),
  );
  api.put(
    `${API_PREFIX}/channels/roles/:role`,
    { schema: { tags, params: RoleParams, body: RoleChannelBody } },
    async (req) => channels.setRoleChannel(req.principal, req.params.role, req.body.slackChannel),
  );
}

const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The routes that other systems call without a bearer token: Slack's interactivity endpoint
 * (authenticated by Slack's request signature) and the one-click e-mail links (by their signed
 * token). Both take `application/x-www-form-urlencoded` bodies, read raw for the signature check.
 */
export async function channelPublicRoutes(app: FastifyInstance, channels: Channels): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, body),
    );
    const slack = channels.slack;
    if (slack) {
      scope.post(`${API_PREFIX}/channels/slack/interactions`, { schema: { hide: true } }, async (req) =>
        slack.interactions.handle(req.headers, typeof req.body === 'string' ? req.body : ''),
      );
    }
    const email = channels.email;
    if (email) {
      const send = (reply: import('fastify').FastifyReply, p: Page) =>
        reply
          .code(p.status)
          .type('text/html; charset=utf-8')
          .header('content-security-policy', PAGE_CSP)
          .header('cache-control', 'no-store')
          .header('referrer-policy', 'no-referrer')
          .header('x-content-type-options', 'nosniff')
          .send(p.html);
      scope.get(EMAIL_DECIDE_PATH, { schema: { hide: true } }, async (req, reply) =>
        send(reply, await email.links.confirmation(String((req.query as { t?: string }).t ?? ''))),
      );
      scope.post(EMAIL_DECIDE_PATH, { schema: { hide: true } }, async (req, reply) =>
        send(reply, await email.links.confirm(new URLSearchParams(typeof req.body === 'string' ? req.body : ''))),
      );
    }
  });
}
