import type { FastifyInstance } from 'fastify';
import { DeliveriesQuery } from '../delivery/schemas.js';
import { API_PREFIX, type Api } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import type { Channels } from './channels.js';
import { EMAIL_DECIDE_PATH, type Page } from './emailPage.js';
import {
  ChannelDeliveries,
  ChannelStatus,
  LinkCode,
  LinksBody,
  LinksView,
  MyChannels,
  PreferencesBody,
  PreferencesView,
  PrincipalParams,
  RoleChannelBody,
  RoleChannelView,
  RoleParams,
} from './schemas.js';

/** Channel settings on the authenticated API: own links and preferences, link codes, admin mappings. */
export function channelRoutes(api: Api, channels: Channels): void {
  const tags = ['channels'];
  const doc = (
    id: string,
    summary: string,
    description: string,
    status: 200 | 201,
    ok: object,
    ...errors: number[]
  ) => ({
    ...op(id, summary, description),
    tags,
    response: responses(status, ok, ...errors),
  });
  api.get(
    `${API_PREFIX}/channels`,
    {
      schema: doc(
        'getChannels',
        'Channels',
        'Which channels are configured, and (admin) how they are linked.',
        200,
        ChannelStatus,
        401,
      ),
    },
    async (req) => channels.status(req.principal),
  );
  api.get(
    `${API_PREFIX}/channels/me`,
    {
      schema: doc(
        'getMyChannels',
        'My channels',
        'The caller’s Slack and e-mail links and preferences.',
        200,
        MyChannels,
        401,
      ),
    },
    async (req) => channels.identity.me(req.principal),
  );
  api.put(
    `${API_PREFIX}/channels/me/preferences`,
    {
      schema: {
        ...doc(
          'setMyPreferences',
          'Set my preferences',
          'Channels on or off, and quiet hours in a time zone.',
          200,
          PreferencesView,
          400,
          401,
        ),
        body: PreferencesBody,
      },
    },
    async (req) => channels.identity.setPreferences(req.principal, req.body),
  );
  api.post(
    `${API_PREFIX}/channels/slack/link-code`,
    {
      schema: doc(
        'createSlackLinkCode',
        'Slack link code',
        'A one-time code; `/humanos link CODE` in Slack links the user.',
        201,
        LinkCode,
        401,
      ),
    },
    async (req, reply) => reply.code(201).send(await channels.identity.linkCode(req.principal)),
  );
  adminChannelRoutes(api, channels, doc);
}

/** (admin) Links principals to Slack users and addresses, and roles to Slack channels. */
function adminChannelRoutes(
  api: Api,
  channels: Channels,
  doc: (id: string, summary: string, description: string, status: 200 | 201, ok: object, ...errors: number[]) => object,
): void {
  api.get(
    `${API_PREFIX}/channels/deliveries`,
    {
      schema: {
        ...doc(
          'listChannelDeliveries',
          'Notification deliveries',
          'Recent Slack and e-mail deliveries (admin).',
          200,
          ChannelDeliveries,
          400,
          401,
          403,
        ),
        querystring: DeliveriesQuery,
      },
    },
    async (req) => ({ items: await channels.deliveries(req.principal, req.query) }),
  );
  api.put(
    `${API_PREFIX}/channels/links/:principalId`,
    {
      schema: {
        ...doc(
          'setChannelLinks',
          'Link a principal',
          'Its Slack user and e-mail address (null removes one; admin).',
          200,
          LinksView,
          400,
          401,
          403,
          404,
        ),
        params: PrincipalParams,
        body: LinksBody,
      },
    },
    async (req) => channels.identity.setLinks(req.principal, req.params.principalId, req.body),
  );
  api.put(
    `${API_PREFIX}/channels/roles/:role`,
    {
      schema: {
        ...doc(
          'setRoleChannel',
          'A role’s Slack channel',
          'Where a role’s requests are posted (null: nowhere; admin).',
          200,
          RoleChannelView,
          400,
          401,
          403,
        ),
        params: RoleParams,
        body: RoleChannelBody,
      },
    },
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
