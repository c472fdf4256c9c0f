import { HumanOSError, type PolicyDocument } from '@humanos/core';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { prepared, type Slots } from '../store/prepared.js';
import type { Database } from '../store/schema.js';
import type { TaskRow } from './rows.js';

/** Who is calling: the authenticated principal of a request. */
export interface Principal {
  id: string;
  kind: 'human' | 'agent';
  roles: string[];
  /** What it can execute (registered capabilities); an executor sees and runs only tasks these cover. */
  capabilities?: string[];
  /**
   * How this request authenticated. A sign-in session (the console's cookie, or the CLI's session
   * token) authenticates exactly as a bearer token does: the same principal, roles and access rule
   * below; only decisions look at it (they record `data.auth`, and the policy's `maxSessionAge` counts
   * from `authTime`, when the person last authenticated at the identity provider, epoch ms).
   * Undefined for callers that did not come through the REST authentication (Slack, e-mail links).
   */
  auth?: { method: 'token' } | { method: 'session'; sessionId: string; authTime: number };
}

/** Whether `actor` holds every capability in `required` (a JSON array column or a list). */
export function coversCapabilities(actor: Principal, required: string | readonly string[]): boolean {
  const needed = typeof required === 'string' ? (JSON.parse(required) as string[]) : required;
  const held = actor.capabilities ?? [];
  return needed.every((c) => held.includes(c));
}

/**
 * Whether `actor` acts as an admin: the admin role, held by a human. An agent never has admin powers,
 * even if a role list (from before this rule, or an edited row) says so.
 */
export function isAdmin(actor: Principal): boolean {
  return actor.kind === 'human' && actor.roles.includes('admin');
}

/** The role of relays (chat bridges, ticket bots): reads every task and approval, writes nothing. */
export const INTEGRATION_ROLE = 'integration';

/** Why a read-only caller is refused a write (REST's pre-handler and every channel's decisions alike). */
export const READ_ONLY_DETAIL =
  'the integration role is read-only: it may read tasks and approvals, never decide or write';

/**
 * Whether a caller may only read: it holds the integration role and is not an admin. The one rule for
 * every write: REST refuses such a caller's non-GET requests up front, and `decide()` (the path REST,
 * Slack and e-mail decisions all take) refuses it with the principal's roles as they stand.
 */
export function isReadOnly(actor: Principal): boolean {
  return actor.roles.includes(INTEGRATION_ROLE) && !isAdmin(actor);
}

/** Refuses (`forbidden`) a caller that is not a human admin. */
export function requireAdmin(actor: Principal): void {
  if (!isAdmin(actor)) throw new HumanOSError('forbidden', 'this needs the admin role (held by a human)');
}

type RowFacts = Pick<TaskRow, 'requester' | 'on_behalf_of' | 'executor' | 'assigned_to' | 'required_capabilities'>;

/** A task's row facts and the roles of its gates: everything the visibility rule looks at. */
export interface VisibilityFacts {
  row: RowFacts;
  gateRoles: Set<string>;
}

/**
 * Who may do what, in one place: the admin and auditor checks, and the visibility rule for tasks
 * ("who may see a task") that the task routes, the approval routes, the event stream and execution
 * all share. A task the caller may not see answers 404, never 403: whether it exists is itself
 * information a stranger must not learn.
 *
 * @example
 * const task = await access.visibleTask(db, actor, 'task:human:…'); // or HumanOSError('not_found')
 * access.requireAuditor(actor, 'reading the ledger');
 */
export class Access {
  constructor(private readonly policy: PolicyDocument) {}

  /** The role that audits (the policy's `auditorRole`, `auditor` by default). */
  get auditorRole(): string {
    return this.policy.auditorRole ?? 'auditor';
  }

  isAdmin(actor: Principal): boolean {
    return isAdmin(actor);
  }

  requireAdmin(actor: Principal): void {
    requireAdmin(actor);
  }

  /** Admins and auditors read what spans tasks (the policy, the ledger, calibration). */
  isAuditor(actor: Principal): boolean {
    return this.isAdmin(actor) || actor.roles.includes(this.auditorRole);
  }

  requireAuditor(actor: Principal, what: string): void {
    if (!this.isAuditor(actor)) {
      throw new HumanOSError('forbidden', `${what} needs the admin or ${this.auditorRole} role`);
    }
  }

  /** The task row, locked for the rest of the transaction when `lock` (or `not_found`). */
  async loadTask(db: Kysely<Database>, taskId: string, lock = false): Promise<TaskRow> {
    const row = await (lock ? TASK_LOCKED : TASK).first(db, { id: taskId });
    if (!row) throw new HumanOSError('not_found', `no task ${taskId}`);
    return row;
  }

  /**
   * Who may see a task, as far as the task row alone tells: admins, its requester and the human it
   * acts for, its executor or assigned resource, holders of the executor role whose capabilities
   * cover the task's (a task that names none is run by its requester), and relays (the read-only
   * integration role). The rest of the rule, holding a role of one of its gates, needs the gates.
   */
  seesFromRow(actor: Principal, t: RowFacts): boolean {
    if (this.isAdmin(actor) || t.requester === actor.id || t.on_behalf_of === actor.id) return true;
    if (actor.roles.includes(INTEGRATION_ROLE)) return true;
    if (t.executor === actor.id || t.assigned_to === actor.id) return true;
    return (
      actor.roles.includes('executor') &&
      t.required_capabilities !== '[]' &&
      coversCapabilities(actor, t.required_capabilities)
    );
  }

  /** The whole visibility rule: the row's facts, or holding a role of one of the task's gates. */
  async canSee(db: Kysely<Database>, actor: Principal, task: TaskRow): Promise<boolean> {
    if (this.seesFromRow(actor, task)) return true;
    if (actor.roles.length === 0) return false;
    const hit = await db
      .selectFrom('approvals')
      .select('approvals.id')
      .where('approvals.task_id', '=', task.id)
      .where((eb) => this.heldByRoles(eb, actor.roles))
      .limit(1)
      .executeTakeFirst();
    return !!hit;
  }

  /** The visibility rule for a page of tasks at once (the event stream's filter). */
  async visibleAmong(db: Kysely<Database>, actor: Principal, taskIds: readonly string[]): Promise<Set<string>> {
    const visible = new Set<string>();
    if (taskIds.length === 0) return visible;
    const tasks = await db
      .selectFrom('tasks')
      .select(['id', 'requester', 'on_behalf_of', 'executor', 'assigned_to', 'required_capabilities'])
      .where('id', 'in', taskIds)
      .execute();
    const rest: string[] = [];
    for (const t of tasks) {
      if (this.seesFromRow(actor, t)) visible.add(t.id);
      else rest.push(t.id);
    }
    if (rest.length > 0 && actor.roles.length > 0) {
      const byRole = await db
        .selectFrom('approvals')
        .select('approvals.task_id')
        .where('approvals.task_id', 'in', rest)
        .where((eb) => this.heldByRoles(eb, actor.roles))
        .execute();
      for (const r of byRole) visible.add(r.task_id);
    }
    return visible;
  }

  /**
   * What the visibility rule needs about a page of tasks (their row facts and the roles of their
   * gates), read once so that `seesWithFacts` can apply the rule to many principals without a query
   * each (thousands of event streams woken by one change).
   */
  async visibilityFacts(db: Kysely<Database>, taskIds: readonly string[]): Promise<Map<string, VisibilityFacts>> {
    const facts = new Map<string, VisibilityFacts>();
    if (taskIds.length === 0) return facts;
    const tasks = await db
      .selectFrom('tasks')
      .select(['id', 'requester', 'on_behalf_of', 'executor', 'assigned_to', 'required_capabilities'])
      .where('id', 'in', taskIds)
      .execute();
    for (const t of tasks) facts.set(t.id, { row: t, gateRoles: new Set() });
    const roles = await db
      .selectFrom('approval_roles')
      .innerJoin('approvals', 'approvals.id', 'approval_roles.approval_id')
      .select(['approvals.task_id', 'approval_roles.role'])
      .where('approvals.task_id', 'in', taskIds)
      .execute();
    for (const r of roles) facts.get(r.task_id)?.gateRoles.add(r.role);
    return facts;
  }

  /** The visibility rule (as `canSee`) on facts read by `visibilityFacts`. */
  seesWithFacts(actor: Principal, facts: VisibilityFacts): boolean {
    return this.seesFromRow(actor, facts.row) || actor.roles.some((r) => facts.gateRoles.has(r));
  }

  /**
   * "This gate may be decided by one of these roles", as a correlated EXISTS: written as a join, SQLite
   * drove it from the role index and scanned every gate the role ever had (0.3 ms per call and growing).
   */
  heldByRoles(eb: ExpressionBuilder<Database, 'approvals'>, roles: readonly string[]) {
    return eb.exists(
      eb
        .selectFrom('approval_roles')
        .select('approval_roles.approval_id')
        .whereRef('approval_roles.approval_id', '=', 'approvals.id')
        .where('approval_roles.role', 'in', roles),
    );
  }

  /** The task, if the caller may see it; `not_found` otherwise. */
  async visibleTask(db: Kysely<Database>, actor: Principal, taskId: string): Promise<TaskRow> {
    const task = await this.loadTask(db, taskId);
    if (!(await this.canSee(db, actor, task))) throw new HumanOSError('not_found', `no task ${taskId}`);
    return task;
  }
}

// A task by id is read by nearly every request: compiled once (`store/prepared.ts`).
const TASK = prepared((db, v: Slots<{ id: string }>) => db.selectFrom('tasks').selectAll().where('id', '=', v.id));
const TASK_LOCKED = prepared((db, v: Slots<{ id: string }>, dialect) =>
  dialect.forUpdate(db.selectFrom('tasks').selectAll().where('id', '=', v.id)),
);
