import { type Static, Type as T } from 'typebox';
import {
  closed,
  Did,
  Enum,
  IsoTime,
  Items,
  Nullable,
  named,
  RiskLevelSchema,
  ROLE,
  TEXT,
  view,
} from '../kernel/schemas.js';
import { PolicyFileSchema } from '../policy/policyFile.js';

const DELEGATION_ID = T.String({ pattern: '^delegation:human:[0-9a-f]{16,64}$', description: 'A delegation id' });

export const DelegationParams = T.Object({ delegationId: DELEGATION_ID }, closed);

/**
 * The policy's action matcher (a rule's `match`, docs/policy.md), reused as is: a delegation limited
 * by it covers only the tasks the same rule would match.
 */
const RuleMatch = PolicyFileSchema.properties.rules.items.properties.match;

/** What a delegation is limited to beyond its roles (absent members: no limit). */
export const DelegationScopeSchema = named(
  'DelegationScope',
  T.Object(
    {
      match: T.Optional(RuleMatch),
      riskLevels: T.Optional(T.Array(RiskLevelSchema, { minItems: 1, maxItems: 4, uniqueItems: true })),
    },
    { ...closed, description: 'Only gates of tasks the matcher matches, at these risk levels, are delegated' },
  ),
);

const TERMS = {
  roles: T.Optional(
    T.Array(ROLE, {
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      description: 'The roles delegated (default: every role the delegator holds, except admin)',
    }),
  ),
  endsAt: IsoTime,
  scope: T.Optional(DelegationScopeSchema),
  outOfOffice: T.Optional(
    T.Boolean({ description: 'Out of office: channel messages to the delegator are replaced by a notice' }),
  ),
  message: T.Optional(TEXT(500, { description: 'The out-of-office note shown with the notice' })),
};

/** `POST /delegations`. */
export const CreateDelegationBody = named(
  'CreateDelegationBody',
  T.Object(
    {
      delegate: Did,
      delegator: T.Optional({ ...Did, description: 'Admins only: delegate for someone else (default: the caller)' }),
      startsAt: T.Optional({ ...IsoTime, description: 'Start of the window, inclusive (default: now)' }),
      ...TERMS,
      endsAt: { ...IsoTime, description: 'End of the window, exclusive' },
    },
    closed,
  ),
);

/** `PATCH /delegations/{id}`: new terms (the start only while the window has not begun). */
export const UpdateDelegationBody = named(
  'UpdateDelegationBody',
  T.Object(
    {
      startsAt: T.Optional(IsoTime),
      ...TERMS,
      endsAt: T.Optional(IsoTime),
    },
    closed,
  ),
);

export const EndDelegationBody = named('EndDelegationBody', T.Object({ reason: T.Optional(TEXT(500)) }, closed));

export const DelegationListQuery = T.Object(
  {
    as: T.Optional(
      named(
        'DelegationSide',
        Enum(['delegator', 'delegate', 'any'] as const, 'Delegations the caller gave, received, or both'),
      ),
    ),
    includeEnded: T.Optional(T.Boolean()),
  },
  closed,
);

export const DelegationState = named(
  'DelegationState',
  Enum(
    ['scheduled', 'active', 'ended'] as const,
    'Before its window, in it, or ended (by someone, or at the end of its window)',
  ),
);

export const DelegationView = named(
  'Delegation',
  view(
    {
      id: T.String(),
      delegator: T.String(),
      delegate: T.String(),
      roles: T.Array(T.String()),
      scope: DelegationScopeSchema,
      startsAt: IsoTime,
      endsAt: IsoTime,
      outOfOffice: T.Boolean(),
      message: Nullable(T.String()),
      state: DelegationState,
      createdAt: IsoTime,
      createdBy: T.String(),
      /** The `delegation.created` entry: the index a decision on behalf cites. */
      ledgerIndex: T.Integer(),
      endedAt: Nullable(IsoTime),
      endedBy: Nullable(T.String()),
      endReason: Nullable(T.String()),
    },
    'A time-boxed delegation of roles from one human to another',
  ),
);

export const DelegationList = named('DelegationList', Items(DelegationView, 'Delegations'));

export type DelegationView = Static<typeof DelegationView>;
export type DelegationScope = Static<typeof DelegationScopeSchema>;
export type CreateDelegationBody = Static<typeof CreateDelegationBody>;
export type UpdateDelegationBody = Static<typeof UpdateDelegationBody>;

/** An inbox item a delegate decides for someone else: for whom, under which delegation, until when. */
export const OnBehalfOfView = named(
  'OnBehalfOf',
  view(
    {
      delegator: T.String({ description: 'Whose request this is: the delegate decides on their behalf' }),
      delegationId: T.String(),
      until: IsoTime,
    },
    'Shown on an inbox item a delegate sees through a delegation ("on behalf of X")',
  ),
);
export type OnBehalfOfView = Static<typeof OnBehalfOfView>;
