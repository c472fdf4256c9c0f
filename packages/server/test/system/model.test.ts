import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../../test-support/harness.js';

/**
 * Model-based test: random sequences of create (single / chain / quorum, with or without deadlines),
 * approve, reject, time passing with the timer sweep, and execute, run against the real server and
 * against a small model of the rules. After every step the answers and the states must agree.
 */

const PEOPLE: [string, string[]][] = [
  ['ann', ['a']],
  ['bob', ['b']],
  ['cat', ['a', 'b']],
  ['dan', ['c']],
  ['eve', ['a', 'c']],
];

interface MGate {
  id: string;
  roles: string[];
  required: number;
  status: 'waiting' | 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';
  approvers: string[];
  timeoutMs: number | null;
  expiresAt: number | null;
}
interface MTask {
  id: string;
  status: string;
  gates: MGate[];
}
interface Model {
  tasks: MTask[];
  now: number;
}
interface Real {
  t: TestServer;
  agent: Api;
  people: Record<string, Api>;
}

type Cmd = fc.AsyncCommand<Model, Real>;

class Create implements Cmd {
  constructor(
    readonly kind: 'single' | 'chain' | 'quorum',
    readonly roles: string[],
    readonly required: number,
    readonly timeout: number | null,
  ) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    const hitl = this.timeout ? { approvalTimeout: this.timeout } : {};
    const body =
      this.kind === 'single'
        ? { description: 'model task', humanInLoop: { approverRole: this.roles[0], ...hitl } }
        : this.kind === 'chain'
          ? { description: 'model task', humanInLoop: hitl, approvalChain: this.roles.map((role) => ({ role })) }
          : {
              description: 'model task',
              approvalPolicy: {
                type: 'threshold',
                required: this.required,
                eligible: this.roles,
                ...(this.timeout ? { timeout: this.timeout } : {}),
              },
            };
    const res = await r.agent.post('/tasks', body);
    expect(res.status).toBe(201);
    const ids: string[] = (res.body.approvalChain ?? [res.body.approvalRequest]).map((g: { id: string }) => g.id);
    const steps =
      this.kind === 'chain'
        ? this.roles.map((role) => [role])
        : this.kind === 'single'
          ? [[this.roles[0] as string]]
          : [this.roles];
    const timeoutMs = this.timeout ? this.timeout * 1000 : null;
    m.tasks.push({
      id: res.body.taskId,
      status: 'awaiting_approval',
      gates: steps.map((roles, i) => ({
        id: ids[i] as string,
        roles,
        required: this.kind === 'quorum' ? this.required : 1,
        status: i === 0 ? 'pending' : 'waiting',
        approvers: [],
        timeoutMs,
        expiresAt: i === 0 && timeoutMs ? m.now + timeoutMs : null,
      })),
    });
  }
  toString() {
    return `create(${this.kind} ${this.roles.join(',')} req=${this.required} t=${this.timeout})`;
  }
}

class Decide implements Cmd {
  constructor(
    readonly verdict: 'approve' | 'reject',
    readonly taskPick: number,
    readonly gatePick: number,
    readonly person: number,
    /** Usually pick someone holding the gate's role, so most sequences get past the refusals. */
    readonly eligible: boolean,
  ) {}
  check(m: Readonly<Model>) {
    return m.tasks.length > 0;
  }
  async run(m: Model, r: Real) {
    const task = m.tasks[this.taskPick % m.tasks.length] as MTask;
    const gate = task.gates[this.gatePick % task.gates.length] as MGate;
    const pool = this.eligible ? PEOPLE.filter(([, roles]) => roles.some((x) => gate.roles.includes(x))) : PEOPLE;
    const [name, roles] = (pool[this.person % pool.length] ?? PEOPLE[0]) as [string, string[]];
    const res = await (r.people[name] as Api).post(
      `/approvals/${gate.id}/${this.verdict}`,
      this.verdict === 'approve' ? { approvalReason: 'model' } : { rejectionReason: 'model' },
    );
    // The model of decide(): visibility, role, expiry, turn, state, seat — in the server's order.
    const canSee = task.gates.some((g) => g.roles.some((x) => roles.includes(x)));
    let expected: number;
    if (!canSee) expected = 404;
    else if (!gate.roles.some((x) => roles.includes(x))) expected = 403;
    else if (
      gate.status === 'expired' ||
      (gate.status === 'pending' && gate.expiresAt !== null && m.now >= gate.expiresAt)
    )
      expected = 410;
    else if (gate.status !== 'pending') expected = 409;
    else if (task.gates.some((g) => g.approvers.includes(name))) expected = 409;
    else expected = 200;
    expect(res.status, `${this} → ${JSON.stringify(res.body)}`).toBe(expected);
    if (expected !== 200) return;
    gate.approvers.push(name);
    if (this.verdict === 'reject') {
      gate.status = 'rejected';
      task.status = 'rejected';
      for (const g of task.gates) if (g.status === 'waiting') g.status = 'cancelled';
    } else if (gate.approvers.length >= gate.required) {
      gate.status = 'approved';
      const next = task.gates.find((g) => g.status === 'waiting');
      if (next) {
        next.status = 'pending';
        next.expiresAt = next.timeoutMs ? m.now + next.timeoutMs : null;
      } else task.status = 'approved';
    }
  }
  toString() {
    return `${this.verdict}(task ${this.taskPick}, gate ${this.gatePick}, ${PEOPLE[this.person % PEOPLE.length]?.[0]})`;
  }
}

class Advance implements Cmd {
  constructor(readonly seconds: number) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    m.now += this.seconds * 1000;
    r.t.clock.advance(this.seconds * 1000);
    await r.t.server.service.timers.expireDue();
    for (const task of m.tasks) {
      for (const g of task.gates) {
        if (g.status === 'pending' && g.expiresAt !== null && m.now >= g.expiresAt) {
          g.status = 'expired';
          task.status = 'expired';
          for (const w of task.gates) if (w.status === 'waiting') w.status = 'cancelled';
        }
      }
    }
  }
  toString() {
    return `advance(${this.seconds}s)`;
  }
}

class Execute implements Cmd {
  constructor(readonly taskPick: number) {}
  check(m: Readonly<Model>) {
    return m.tasks.length > 0;
  }
  async run(m: Model, r: Real) {
    const task = m.tasks[this.taskPick % m.tasks.length] as MTask;
    const res = await r.agent.post(`/tasks/${task.id}/execute`, {});
    const expected = task.status === 'approved' ? 200 : task.status === 'expired' ? 410 : 409;
    expect(res.status, `${this} on ${task.status}`).toBe(expected);
    if (expected === 200) task.status = 'executing';
  }
  toString() {
    return `execute(${this.taskPick})`;
  }
}

const commands = [
  fc
    .tuple(
      fc.constantFrom<'single' | 'chain' | 'quorum'>('single', 'chain', 'quorum'),
      fc.shuffledSubarray(['a', 'b', 'c'], { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 2 }),
      fc.option(fc.constantFrom(30, 90), { nil: null }),
    )
    .map(
      ([kind, roles, required, timeout]) =>
        new Create(kind, roles, Math.min(required, kind === 'quorum' ? 2 : 1), timeout),
    ),
  fc
    .tuple(
      fc.constantFrom<'approve' | 'reject'>('approve', 'approve', 'approve', 'reject'),
      fc.nat(20),
      fc.nat(3),
      fc.nat(PEOPLE.length - 1),
      fc.boolean(),
    )
    .map(([v, t, g, p, e]) => new Decide(v, t, g, p, e)),
  fc.tuple(fc.nat(20), fc.nat(3), fc.nat(PEOPLE.length - 1)).map(([t, g, p]) => new Decide('approve', t, g, p, true)),
  fc.constantFrom(10, 40).map((s) => new Advance(s)),
  fc.nat(20).map((t) => new Execute(t)),
];

for (const backend of backends()) {
  describe(`model-based: the server agrees with the rules [${backend}]`, () => {
    let real: Real;
    beforeAll(async () => {
      const t = await startTestServer(backend);
      const agent = await t.principal('did:agent:model-bot', []);
      const people: Record<string, Api> = {};
      for (const [name, roles] of PEOPLE) people[name] = await t.principal(`did:human:${name}`, roles);
      real = { t, agent, people };
    });
    afterAll(async () => real?.t.close());

    it('random create / approve / reject / expire / execute sequences find no divergence', async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: '+1' }), async (cmds) => {
          const model: Model = { tasks: [], now: real.t.clock.now() };
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          // Final state: every task and gate status as the model says.
          for (const task of model.tasks) {
            const got = (await real.agent.get(`/tasks/${task.id}`)).body;
            expect(got.status).toBe(task.status);
            expect(got.approvals.map((g: { status: string }) => g.status)).toEqual(task.gates.map((g) => g.status));
          }
        }),
        { numRuns: Number(process.env.HUMANOS_MODEL_RUNS ?? 60) },
      );
    }, 300_000);
  });
}
