import type { ApprovalWarning, GateSpec, PolicyDocument } from '@humanos/core';
import type { Kysely } from 'kysely';
import { holdersOf } from '../principals/holders.js';
import type { Database } from '../store/schema.js';

/** A gate as the check sees it: who may decide it and how many of them it needs. */
export interface GateNeed {
  /** How the message names it: `step 2`, `the routing gate`, `rule wire-large`. */
  label: string;
  roles: readonly string[];
  required: number;
  /** Gates of one approval path (a task's execution gates) share seats: one person fills at most one. */
  path: boolean;
  /** Where it escalates at expiry, if anywhere. */
  escalateTo: string | null;
}

const names = (roles: readonly string[]) => `role${roles.length > 1 ? 's' : ''} ${roles.join(', ')}`;

function fate(g: GateNeed): string {
  return g.escalateTo
    ? `it can only escalate to ${g.escalateTo} when it times out`
    : 'a task that gets it can only expire or be cancelled';
}

/** Who may decide `g`: holders of one of its roles, minus those excluded (the requester and whom it acts for). */
function eligibleFor(g: GateNeed, holders: ReadonlyMap<string, readonly string[]>, excluded: ReadonlySet<string>) {
  return [...new Set(g.roles.flatMap((r) => holders.get(r) ?? []))].filter((id) => !excluded.has(id));
}

/**
 * Whether `seats` (each a list of the people who may fill it) can each get a different person: a
 * bipartite matching by augmenting paths (Kuhn). Paths hold at most 10 steps of 20 seats.
 */
export function fillableSeats(seats: readonly (readonly string[])[]): number {
  const holder = new Map<string, number>();
  const tryAssign = (seat: number, visited: Set<string>): boolean => {
    for (const person of seats[seat] ?? []) {
      if (visited.has(person)) continue;
      visited.add(person);
      const other = holder.get(person);
      if (other === undefined || tryAssign(other, visited)) {
        holder.set(person, seat);
        return true;
      }
    }
    return false;
  };
  let filled = 0;
  for (let i = 0; i < seats.length; i++) if (tryAssign(i, new Set())) filled++;
  return filled;
}

/**
 * The gates nobody can decide, as `gate_undecidable` warnings: a gate whose roles no enabled human
 * (other than `excluded`) holds, a quorum with fewer such humans than it needs, and an approval path
 * whose seats cannot each get a different person (one person fills at most one seat per path: a
 * chain `finance → cfo` where the only CFO is also the only finance person cannot finish). Pure.
 *
 * @example
 * undecidable([{ label: 'step 1', roles: ['cfo'], required: 1, path: true, escalateTo: null }], new Map(), new Set())
 * // [{ code: 'gate_undecidable', source: 'policy', message: 'Nobody can decide step 1: no enabled human holds role cfo; …' }]
 */
export function undecidable(
  gates: readonly GateNeed[],
  holders: ReadonlyMap<string, readonly string[]>,
  excluded: ReadonlySet<string>,
): ApprovalWarning[] {
  const out: ApprovalWarning[] = [];
  const warn = (message: string) => out.push({ code: 'gate_undecidable', message, source: 'policy' });
  for (const g of gates) {
    const all = [...new Set(g.roles.flatMap((r) => holders.get(r) ?? []))];
    const eligible = eligibleFor(g, holders, excluded);
    if (eligible.length >= g.required) continue;
    const why =
      all.length === 0
        ? `no enabled human holds ${names(g.roles)}`
        : eligible.length === 0
          ? `only the requester (or whom the task acts for) holds ${names(g.roles)}, and they cannot decide their own task`
          : `it needs ${g.required} approvals from ${names(g.roles)} but only ${eligible.length} enabled human${eligible.length > 1 ? 's' : ''} other than the requester can give one (${eligible.join(', ')})`;
    warn(`Nobody can decide ${g.label}: ${why}; ${fate(g)}.`);
  }
  const path = gates.filter((g) => g.path);
  if (out.length > 0 || path.length < 2) return out;
  const seats = path.flatMap((g) => Array.from({ length: g.required }, () => eligibleFor(g, holders, excluded)));
  const filled = fillableSeats(seats);
  if (filled < seats.length) {
    const people = new Set(seats.flat());
    warn(
      `Nobody can finish the approval path (${path.map((g) => `${g.label}: ${g.roles.join('/')}`).join(' → ')}): ` +
        `its ${seats.length} seats need ${seats.length} different people and one person fills at most one seat, ` +
        `but only ${filled} can be filled by the ${people.size} eligible human${people.size === 1 ? '' : 's'} (${[...people].join(', ')}); ` +
        `${fate(path[path.length - 1] as GateNeed)}.`,
    );
  }
  return out;
}

/**
 * `undecidable` with the holders read from the store now.
 *
 * @example
 * await undecidableGates(db, gates, new Set([requester]))
 */
export async function undecidableGates(
  db: Kysely<Database>,
  gates: readonly GateNeed[],
  excluded: ReadonlySet<string>,
): Promise<ApprovalWarning[]> {
  if (gates.length === 0) return [];
  return undecidable(gates, await holdersOf(db, [...new Set(gates.flatMap((g) => g.roles))]), excluded);
}

/**
 * What the loaded policy demands that nobody can give, checked at start-up (logged once): each
 * rule's gates (its single role, chain steps or quorum; a requester is not known yet, so nobody is
 * excluded), and the built-in floor's default role, which high-risk tasks without a rule go to.
 *
 * @example
 * for (const w of await undecidablePolicy(db, policy)) log.warn(w.message);
 */
export async function undecidablePolicy(db: Kysely<Database>, policy: PolicyDocument): Promise<ApprovalWarning[]> {
  const defaultRole = policy.defaultApproverRole ?? 'approver';
  const perRule: GateNeed[][] = policy.rules.map((r) => {
    const q = r.require;
    const label = (what: string) => `${what} of policy rule ${r.id}`;
    const esc = q.escalateTo ?? null;
    if (q.approvalChain?.length)
      return q.approvalChain.map((s, i) => ({
        label: label(`step ${i + 1}`),
        roles: [s.role],
        required: 1,
        path: true,
        escalateTo: esc,
      }));
    if (q.quorum)
      return [
        {
          label: label('the quorum'),
          roles: q.quorum.eligible,
          required: q.quorum.required,
          path: true,
          escalateTo: esc,
        },
      ];
    if (q.approverRole)
      return [{ label: label('the gate'), roles: [q.approverRole], required: 1, path: true, escalateTo: esc }];
    return [];
  });
  const floor: GateNeed = {
    label: `the built-in floor's gate (high-risk tasks no rule matches; defaultApproverRole)`,
    roles: [defaultRole],
    required: 1,
    path: true,
    escalateTo: null,
  };
  const roles = [...new Set([defaultRole, ...perRule.flat().flatMap((g) => g.roles)])];
  const holders = await holdersOf(db, roles);
  return [...perRule, [floor]].flatMap((gates) => undecidable(gates, holders, new Set()));
}

/**
 * The gates a planned task opens, as the check sees them: the routing gate (if asked), the
 * execution steps (one approval path) and the spot-check of an unattended run (if queued).
 *
 * @example
 * plannedGates(plan.steps, null, null) // [{ label: 'the approval gate', roles: ['approver'], … }]
 */
export function plannedGates(
  steps: readonly GateSpec[],
  routingRole: string | null,
  auditRole: string | null,
): GateNeed[] {
  const gates: GateNeed[] = [];
  const one = (label: string, role: string): GateNeed => ({
    label,
    roles: [role],
    required: 1,
    path: false,
    escalateTo: null,
  });
  if (routingRole) gates.push(one('the routing gate (which resource gets the task)', routingRole));
  for (const [i, s] of steps.entries())
    gates.push({
      label: steps.length > 1 ? `step ${i + 1}` : 'the approval gate',
      roles: s.roles,
      required: s.required,
      path: true,
      escalateTo: s.escalateTo,
    });
  if (auditRole) gates.push(one('the spot-check of the unattended run', auditRole));
  return gates;
}
