import { Type as T } from 'typebox';
import { closed } from '../kernel/schemas.js';

/** Request schemas of the ledger routes. */
export const EntriesQuery = T.Object(
  { start: T.Integer({ minimum: 0 }), end: T.Optional(T.Integer({ minimum: 1 })) },
  closed,
);
export const InclusionQuery = T.Object(
  { index: T.Integer({ minimum: 0 }), size: T.Optional(T.Integer({ minimum: 1 })) },
  closed,
);
export const ConsistencyQuery = T.Object(
  { from: T.Integer({ minimum: 1 }), to: T.Optional(T.Integer({ minimum: 1 })) },
  closed,
);
