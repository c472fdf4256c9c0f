/**
 * Type helpers of the drift checks (types.test.ts, responses.test.ts): how an SDK type is compared
 * with `Static<typeof Schema>` of the server's TypeBox schema. Types only; nothing here runs.
 */

/** `true` only when A and B are the same type (fields, optionality, nullability and all). */
export type Mutual<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only with `true`: `same<Mutual<A, B>>(true)`. */
export const same = <T extends true>(_: T) => _;

/**
 * Puts both sides in one form before comparing:
 * - TypeBox types an open JSON object (`T.Object({}, { additionalProperties: true })`: a payload, edits)
 *   as `object`; the SDK says what it is, `Record<string, unknown>`. Both become the latter.
 * - Intersections and `extends` chains become one plain object type, so `A & B` compares equal to
 *   the object with both members (`Mutual` tells them apart otherwise).
 * Functions are left as they are.
 */
export type Norm<T> = T extends readonly (infer U)[]
  ? Norm<U>[]
  : T extends (...args: never[]) => unknown
    ? T
    : T extends object
      ? [keyof T] extends [never]
        ? Record<string, unknown>
        : { [K in keyof T]: Norm<T[K]> }
      : T;

/** The members an SDK type names, without its index signature (`[k: string]: unknown`). */
export type Known<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** What an SDK method resolves with: `Res<TasksClient['get']>`. */
export type Res<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;

/** The n-th parameter of an SDK method, without `undefined` (a default or an optional one). */
export type Arg<F, N extends number> = F extends (...args: infer A) => unknown ? NonNullable<A[N]> : never;
