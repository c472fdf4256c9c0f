/**
 * Type-level drift checks: the SDK's request types against the server's TypeBox schemas, and the
 * SDK's error codes against the server's. A drift fails `npm run typecheck` (tsconfig.test.json
 * includes this file); the runtime assertions below keep vitest honest about it too.
 */
import type { ErrorCode } from '@humanos/core';
import { ERROR_STATUS, type RISK_LEVELS } from '@humanos/core';
import type { Static } from 'typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ApproveBody, RejectBody } from '../../server/src/approvals/schemas.js';
import type { FeedbackBody, InRunDecisionBody, OverrideBody } from '../../server/src/execution/schemas.js';
import type { CapabilitiesBody, CreatePrincipalBody } from '../../server/src/principals/schemas.js';
import type { CreateTaskBody } from '../../server/src/tasks/schemas.js';
import {
  type ApproveInput,
  type CreatePrincipalInput,
  type CreateTaskInput,
  type FeedbackInput,
  type InRunDecisionInput,
  type OverrideInput,
  type RejectInput,
  SERVER_ERROR_CODES,
  type ServerErrorCode,
  type Task,
} from '../src/index.js';

/** `true` only when A and B are the same type (fields, optionality and all). */
type Mutual<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <T extends true>(_: T) => _;

/**
 * TypeBox types the schemas' open JSON objects (`payload`, `edits`) as `object`; the SDK says what
 * they are, `Record<string, unknown>`. Map one onto the other before comparing.
 */
type Norm<T> = T extends readonly (infer U)[]
  ? Norm<U>[]
  : T extends object
    ? [keyof T] extends [never]
      ? Record<string, unknown>
      : { [K in keyof T]: Norm<T[K]> }
    : T;

/**
 * `riskAssessment.level` is `T.Union(RISK_LEVELS.map(...))` in the schema: an array, not a tuple, so
 * its static type degrades to `never` (the runtime validation is right). It is compared apart below.
 */
type NoRiskLevel<T extends { riskAssessment?: unknown }> = Omit<T, 'riskAssessment'> & {
  riskAssessment?: Omit<NonNullable<T['riskAssessment']>, 'level'>;
};

// Each line fails to compile if the SDK type and the server schema drift apart, either way.
same<Mutual<Norm<NoRiskLevel<CreateTaskInput>>, Norm<NoRiskLevel<Static<typeof CreateTaskBody>>>>>(true);
same<Mutual<NonNullable<CreateTaskInput['riskAssessment']>['level'], (typeof RISK_LEVELS)[number] | undefined>>(true);
same<Mutual<Norm<ApproveInput>, Norm<Static<typeof ApproveBody>>>>(true);
same<Mutual<RejectInput, Static<typeof RejectBody>>>(true);
same<Mutual<CreatePrincipalInput, Static<typeof CreatePrincipalBody>>>(true);
same<Mutual<Norm<InRunDecisionInput>, Norm<Static<typeof InRunDecisionBody>>>>(true);
same<Mutual<FeedbackInput, Static<typeof FeedbackBody>>>(true);
same<Mutual<OverrideInput, Static<typeof OverrideBody>>>(true);
same<Mutual<{ capabilities: string[] }, Static<typeof CapabilitiesBody>>>(true);
same<Mutual<ServerErrorCode, ErrorCode>>(true);

describe('SDK types match the server', () => {
  it('every server error code is in the SDK union, and no other', () => {
    expect([...SERVER_ERROR_CODES].sort()).toEqual(Object.keys(ERROR_STATUS).sort());
  });

  it('task.confidence is number | null: the seed comparison needs a guard', () => {
    expectTypeOf<Task['confidence']>().toEqualTypeOf<number | null>();
    const task = { confidence: null } as Pick<Task, 'confidence'>;
    // The seed's `task.confidence < 0.6` does not compile; this is how to write it.
    expect(task.confidence !== null && task.confidence < 0.6).toBe(false);
  });
});
