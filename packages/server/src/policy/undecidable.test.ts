/**
 * Undecidable gates (issue 25): a gate whose roles no enabled human other than the requester holds,
 * a quorum with too few holders, and a chain whose seats cannot each get a different person are
 * reported by the dry run, on task creation (response and `task.created` event) and at start-up.
 * Both backends.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, spawnServer, startTestServer, type TestServer } from '../../../../test-support/harness.js';
import { fillableSeats, undecidable } from './undecidable.js';

const POLICY = {
  name: 'gates-test',
  version: 1,
  rules: [
    {
      id: 'wire',
      match: { descriptionMatches: 'wire' },
      require: { approvalChain: [{ role: 'finance' }, { role: 'cfo' }] },
    },
    { id: 'db', match: { descriptionMatches: 'database' }, require: { quorum: { required: 2, eligible: ['dba'] } } },
    { id: 'legal', match: { descriptionMatches: 'contract' }, require: { approverRole: 'legal' } },
    { id: 'deploy', match: { descriptionMatches: 'deploy' }, require: { approverRole: 'sre' } },
  ],
};

describe('undecidable (pure)', () => {
  it('matches seats to different people', () => {
    expect(fillableSeats([['a'], ['a']])).toBe(1);
    expect(fillableSeats([['a', 'b'], ['a']])).toBe(2);
    expect(fillableSeats([['a', 'b'], ['a', 'b'], ['b']])).toBe(2);
    expect(fillableSeats([])).toBe(0);
  });

  it('names the gate, the reason and what happens to the task', () => {
    const holders = new Map([
      ['cfo', ['did:human:c']],
      ['finance', ['did:human:c']],
      ['dba', ['did:human:d', 'did:human:e']],
    ]);
    const gate = (roles: string[], required = 1, label = 'step 1') => ({
      label,
      roles,
      required,
      path: true,
      escalateTo: null,
    });
    expect(undecidable([gate(['legal'])], holders, new Set())).toEqual([
      {
        code: 'gate_undecidable',
        source: 'policy',
        message:
          'Nobody can decide step 1: no enabled human holds role legal; a task that gets it can only expire or be cancelled.',
      },
    ]);
    expect(undecidable([gate(['cfo'])], holders, new Set(['did:human:c']))[0]?.message).toMatch(
      /only the requester .* holds role cfo/,
    );
    expect(undecidable([gate(['dba'], 2)], holders, new Set(['did:human:e']))[0]?.message).toMatch(
      /needs 2 approvals from role dba but only 1 enabled human other than the requester can give one \(did:human:d\)/,
    );
    expect(undecidable([gate(['dba'], 2)], holders, new Set())).toEqual([]);
    const chain = undecidable([gate(['finance']), gate(['cfo'], 1, 'step 2')], holders, new Set());
    expect(chain).toHaveLength(1);
    expect(chain[0]?.message).toMatch(/its 2 seats need 2 different people .* only 1 can be filled/);
    expect(undecidable([{ ...gate(['legal']), escalateTo: 'admin' }], holders, new Set())[0]?.message).toMatch(
      /it can only escalate to admin when it times out/,
    );
  });
});

for (const backend of backends()) {
  describe(`undecidable gates [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    let carol: Api;
    let sam: Api;

    beforeAll(async () => {
      const file = `/tmp/humanos-undecidable-${process.pid}-${backend}.json`;
      writeFileSync(file, JSON.stringify(POLICY));
      t = await startTestServer(backend, { HUMANOS_POLICY: file });
      agent = await t.principal('did:agent:bot', []);
      // Carol holds finance and cfo: the wire chain needs two different people.
      carol = await t.principal('did:human:carol', ['finance', 'cfo']);
      await t.principal('did:human:dana', ['dba']);
      sam = await t.principal('did:human:sam', ['sre']);
      // A disabled holder and a read-only relay are nobody.
      await t.principal('did:human:old-lawyer', ['legal']);
      expect((await t.admin.req('PATCH', '/principals/did:human:old-lawyer', { disabled: true })).status).toBe(200);
      await t.principal('did:human:relay', ['legal', 'integration']);
    });
    afterAll(async () => t?.close());

    const codes = (w: { code: string }[]) => w.map((x) => x.code);

    it('the dry run warns about each kind of gate nobody can decide', async () => {
      const legal = await agent.post('/policy/evaluate', { description: 'Sign the contract' });
      expect(legal.status).toBe(200);
      expect(legal.body.warnings).toEqual([
        {
          code: 'gate_undecidable',
          source: 'policy',
          message:
            'Nobody can decide the approval gate: no enabled human holds role legal; a task that gets it can only expire or be cancelled.',
        },
      ]);
      const db = await agent.post('/policy/evaluate', { description: 'Drop the database' });
      expect(db.body.warnings[0].message).toMatch(/needs 2 approvals from role dba but only 1 enabled human/);
      const wire = await agent.post('/policy/evaluate', { description: 'wire 10 EUR' });
      expect(wire.body.warnings[0].message).toMatch(
        /Nobody can finish the approval path \(step 1: finance → step 2: cfo\)/,
      );
      const deploy = await agent.post('/policy/evaluate', { description: 'deploy v2' });
      expect(deploy.body.warnings).toEqual([]);
      // The floor's default role (`approver`) is held by nobody here.
      const floor = await agent.post('/policy/evaluate', {
        description: 'Archive logs',
        riskAssessment: { level: 'high' },
      });
      expect(floor.body.warnings[0].message).toMatch(/no enabled human holds role approver/);
    });

    it('the caller, as requester, is not counted', async () => {
      const asSam = await (await t.principal('did:human:sam2', [])).post('/policy/evaluate', {
        description: 'deploy v3',
      });
      expect(asSam.body.warnings).toEqual([]);
      const own = await sam.post('/policy/evaluate', { description: 'deploy v4' });
      expect(own.body.warnings[0].message).toMatch(/only the requester .* holds role sre/);
      // Carol asking for a wire leaves no one for either step.
      const wire = await carol.post('/policy/evaluate', { description: 'wire 5 EUR' });
      expect(wire.body.warnings.length).toBe(2);
    });

    it('task creation answers the warning and records it in the task.created event', async () => {
      const created = await agent.post('/tasks', { description: 'Sign the contract with ACME' });
      expect(created.status).toBe(201);
      expect(codes(created.body.warnings)).toEqual(['gate_undecidable']);
      const fine = await agent.post('/tasks', { description: 'deploy v5' });
      expect(fine.body.warnings).toEqual([]);
      const entries = await t.server.store.db
        .selectFrom('ledger_entries')
        .select('entry')
        .where('entry', 'like', `%"taskId":"${created.body.taskId}"%`)
        .execute();
      const event = entries.map((e) => JSON.parse(e.entry)).find((e) => e.type === 'task.created');
      expect(event.data.warnings).toEqual(created.body.warnings);
      // The event stream serves the entry as stored.
      const stream = await readCreated(t.url, agent.token as string, created.body.taskId);
      expect(stream.warnings).toEqual(created.body.warnings);
    });

    it('a change of roles counts at once: taken away, the gate is undecidable; given back, it is not', async () => {
      await t.principal('did:human:dba-2', []);
      const quorum = () => agent.post('/policy/evaluate', { description: 'Drop the staging database' });
      expect((await quorum()).body.warnings[0].message).toMatch(/needs 2 approvals from role dba but only 1/);
      const grant = await t.admin.req('PATCH', '/principals/did:human:dba-2', { roles: ['dba'] });
      expect(grant.status).toBe(200);
      expect((await quorum()).body.warnings).toEqual([]);
      expect((await t.admin.req('PATCH', '/principals/did:human:dba-2', { roles: ['viewer'] })).status).toBe(200);
      expect((await quorum()).body.warnings[0].message).toMatch(/needs 2 approvals from role dba but only 1/);
      // The index holds exactly the record's roles, for every principal.
      const rows = await t.server.store.db.selectFrom('principals').select(['id', 'roles']).execute();
      const held = rows.flatMap((r) => (JSON.parse(r.roles) as string[]).map((role) => `${role} ${r.id}`)).sort();
      const indexed = await t.server.store.db.selectFrom('principal_roles').selectAll().execute();
      expect(indexed.map((r) => `${r.role} ${r.principal_id}`).sort()).toEqual(held);
    });

    it('start-up names the rules nobody can decide', async () => {
      const warnings = await t.server.service.policy.undecidable();
      const text = warnings.map((w) => w.message).join('\n');
      expect(text).toMatch(/policy rule wire/);
      expect(text).toMatch(/the quorum of policy rule db/);
      expect(text).toMatch(/the gate of policy rule legal/);
      expect(text).not.toMatch(/policy rule deploy/);
      expect(text).toMatch(/built-in floor's gate .* no enabled human holds role approver/);
    });
  });
}

describe('start-up log', () => {
  it('logs the built-in floor role nobody holds, once', async () => {
    const server = await spawnServer({ HUMANOS_DATA_DIR: `/tmp/humanos-undecidable-log-${process.pid}` });
    try {
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.includes('gate_undecidable'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/no enabled human holds role approver/);
    } finally {
      await server.kill();
    }
  });
});

/** The `task.created` event of `taskId` from the event stream (`GET /events`). */
async function readCreated(url: string, token: string, taskId: string): Promise<{ warnings: unknown }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 5000);
  try {
    const res = await fetch(`${url}/v1/humanos/events`, {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': '0' },
      signal: ac.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += dec.decode(value, { stream: true });
      for (const block of buf.split('\n\n')) {
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!block.includes('event: task.created') || !data) continue;
        const e = JSON.parse(data.slice(6));
        if (e.taskId === taskId) return e.data;
      }
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
