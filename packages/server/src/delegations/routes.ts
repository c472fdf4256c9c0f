import { API_PREFIX, type Api } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import type { Delegations } from './delegations.js';
import {
  CreateDelegationBody,
  DelegationList,
  DelegationListQuery,
  DelegationParams,
  DelegationView,
  EndDelegationBody,
  UpdateDelegationBody,
} from './schemas.js';

const DOC = {
  create: {
    ...op(
      'createDelegation',
      'Delegate roles',
      'Lets another enabled human decide gates of some or all of the caller’s roles for the window [startsAt, endsAt) (at most the policy’s `delegation.maxDays`, default 30), optionally limited by `scope`; `outOfOffice` turns on the channels’ auto-reply. Refused, writing nothing: `delegation_to_self`, `delegate_not_human`, `delegate_disabled`, `delegate_holds_seat`, `delegation_role_not_held`, `delegation_cascade`, `delegation_window_invalid`, `delegation_too_long`. A `delegation.created` ledger entry records it.',
    ),
    response: responses(201, DelegationView, 400, 401, 403, 409),
  },
  list: {
    ...op(
      'listDelegations',
      'My delegations',
      'Delegations the caller gave or received (in force or scheduled; `includeEnded` for all).',
    ),
    response: responses(200, DelegationList, 401),
  },
  get: {
    ...op('getDelegation', 'A delegation', 'One delegation, for its delegator, its delegate or an admin.'),
    response: responses(200, DelegationView, 401, 404),
  },
  update: {
    ...op(
      'updateDelegation',
      'Change a delegation',
      'New terms (roles, end, scope, out-of-office; the start only before the window begins), checked as on create; a `delegation.updated` entry records them.',
    ),
    response: responses(200, DelegationView, 400, 401, 403, 404, 409),
  },
  end: {
    ...op(
      'endDelegation',
      'End a delegation',
      'Ends it now (its delegator, its delegate or an admin): `delegation.ended` in the ledger; the requests it covered go back to the delegator.',
    ),
    response: responses(200, DelegationView, 400, 401, 403, 404, 409),
  },
};

/** `/delegations`: create, list, read, change and end delegations (docs/delegation.md). */
export function delegationRoutes(api: Api, delegations: Delegations): void {
  const tags = ['delegations'];
  api.post(
    `${API_PREFIX}/delegations`,
    { schema: { ...DOC.create, tags, body: CreateDelegationBody } },
    async (req, reply) => reply.code(201).send(await delegations.create(req.principal, req.body)),
  );
  api.get(
    `${API_PREFIX}/delegations`,
    { schema: { ...DOC.list, tags, querystring: DelegationListQuery } },
    async (req) => ({
      items: await delegations.list(req.principal, req.query),
    }),
  );
  api.get(
    `${API_PREFIX}/delegations/:delegationId`,
    { schema: { ...DOC.get, tags, params: DelegationParams } },
    async (req) => delegations.get(req.principal, req.params.delegationId),
  );
  api.patch(
    `${API_PREFIX}/delegations/:delegationId`,
    { schema: { ...DOC.update, tags, params: DelegationParams, body: UpdateDelegationBody } },
    async (req) => delegations.update(req.principal, req.params.delegationId, req.body),
  );
  api.post(
    `${API_PREFIX}/delegations/:delegationId/end`,
    { schema: { ...DOC.end, tags, params: DelegationParams, body: EndDelegationBody } },
    async (req) => delegations.end(req.principal, req.params.delegationId, req.body?.reason),
  );
}
