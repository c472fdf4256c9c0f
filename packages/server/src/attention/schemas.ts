import { TASK_ID_PATTERN } from '@humanos/core';
import { type Static, Type as T } from 'typebox';
import { AttentionCheckReveal } from '../approvals/schemas.js';
import { closed, IsoTime, Nullable, named, view } from '../kernel/schemas.js';

/** `POST /audit/attention-checks`: plant one check now, modelled on a task (or on the newest open request). */
export const PlantCheckBody = named(
  'PlantAttentionCheckBody',
  T.Object(
    {
      sourceTaskId: T.Optional(
        T.String({
          pattern: TASK_ID_PATTERN,
          description: 'The real task to model the check on (default: the newest open request with an amount or IBAN)',
        }),
      ),
    },
    { ...closed, description: 'Plant an attention check now' },
  ),
);

/** One planted check and, once decided, how it went. */
export const AttentionCheckItem = named(
  'AttentionCheck',
  view(
    {
      id: T.String(),
      approvalId: T.String(),
      taskId: T.String(),
      sourceTaskId: Nullable(T.String()),
      flaw: AttentionCheckReveal,
      createdAt: IsoTime,
      decidedBy: Nullable(T.String()),
      verdict: Nullable(T.String()),
      decidedAt: Nullable(IsoTime),
    },
    'A synthetic request with a planted flaw (it can never execute)',
  ),
);

/** One approver's results: how many checks they decided, and how many they caught (rejected). */
export const AttentionApproverResult = named(
  'AttentionCheckApprover',
  view(
    {
      principal: T.String(),
      decided: T.Integer(),
      caught: T.Integer({ description: 'Checks rejected (the flaw was noticed)' }),
      missed: T.Integer({ description: 'Checks approved (the flaw went unnoticed)' }),
      lastAt: Nullable(IsoTime),
    },
    'An approver’s attention-check results',
  ),
);

export const AttentionCheckReport = named(
  'AttentionCheckReport',
  view(
    {
      enabled: T.Boolean({ description: 'HUMANOS_ATTENTION_CHECKS=on (off by default)' }),
      perThousand: T.Integer({
        description: 'Checks planted per 1000 real requests (HUMANOS_ATTENTION_CHECK_PER_THOUSAND)',
      }),
      approvers: T.Array(AttentionApproverResult),
      checks: T.Array(AttentionCheckItem, { description: 'The latest 100 checks, newest first' }),
    },
    'Attention checks: the results per approver and the latest checks',
  ),
);

export type PlantCheckBody = Static<typeof PlantCheckBody>;
export type AttentionCheckItem = Static<typeof AttentionCheckItem>;
export type AttentionCheckReport = Static<typeof AttentionCheckReport>;
