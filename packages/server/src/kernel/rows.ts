import type { Selectable } from 'kysely';
import { preparedUpdate } from '../store/prepared.js';
import type { Database } from '../store/schema.js';

/** How values travel in and out of store columns: JSON text and epoch milliseconds. */

export const j = (v: unknown): string => JSON.stringify(v);

export const p = <T>(s: string | null): T => (s === null ? null : JSON.parse(s)) as T;

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Row types of the tables features pass around. */
export type TaskRow = Selectable<Database['tasks']>;
export type ApprovalRow = Selectable<Database['approvals']>;
export type DecisionRow = Selectable<Database['decisions']>;

/**
 * A task's row moved from the status it was read with (a concurrent change updates nothing: the
 * caller refuses on 0), with one prepared statement per set of columns (`store/prepared.ts`).
 *
 * @example
 * if ((await moveTaskRow(trx, { status: 'executing', updated_at: now }, { id, status: 'approved' })) !== 1) throw …;
 */
export const moveTaskRow = preparedUpdate('tasks', ['id', 'status']);
