import { APPROVAL_ID_PATTERN, DID_PATTERN, TASK_ID_PATTERN } from '@humanos/core';
import { Type as T } from 'typebox';

/**
 * Schema pieces every feature's request schemas share. Request schemas are the single place where
 * input is validated: every object is closed (`additionalProperties: false`) so an unknown field such
 * as `"status": "approved"` on create is a 400, not silently ignored; strings are bounded so nothing
 * unbounded reaches the store.
 */
export const ROLE = T.String({
  pattern: '^[a-z][a-z0-9_.-]{0,63}$',
  description: 'A role name, e.g. `finance_manager`',
});
export const TEXT = (max: number, extra: Record<string, unknown> = {}) => T.String({ maxLength: max, ...extra });
export const closed = { additionalProperties: false } as const;

export const Did = T.String({ pattern: DID_PATTERN, description: 'Principal DID, e.g. `did:human:john-dba`' });
export const TaskIdParams = T.Object({ taskId: T.String({ pattern: TASK_ID_PATTERN }) }, closed);
export const ApprovalIdParams = T.Object({ approvalId: T.String({ pattern: APPROVAL_ID_PATTERN }) }, closed);

export const JsonObject = T.Object({}, { additionalProperties: true, description: 'Any JSON object' });

export const LIMIT = T.Optional(T.Integer({ minimum: 1, maximum: 200, default: 50 }));
export const CURSOR = T.Optional(T.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }));

/** `?wait=` seconds of a long-poll. */
export const WaitQuery = T.Object({ wait: T.Optional(T.Number({ minimum: 0, maximum: 60 })) }, closed);
