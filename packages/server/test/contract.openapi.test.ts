import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { APPROVAL_STATUSES, ERROR_STATUS, RISK_LEVELS, TASK_STATUSES } from '@humanos/core';
import Fastify from 'fastify';
import { Type as T } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { openApi } from '../src/http/openapi.js';
import { validateResponses } from '../src/http/responses.js';
import { named, responses, view } from '../src/kernel/schemas.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'node_modules/.bin');
const OFFLINE = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

/** Runs a tool, answering its exit code and output whether it succeeds or not. */
async function tool(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env: OFFLINE, maxBuffer: 1 << 26 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** The contract as a client sees it: the served OpenAPI document, linted and turned into types. */
describe('OpenAPI document', () => {
  let t: TestServer;
  let dir: string;
  let docFile: string;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    dir = await promisify(mkdtemp)(join(tmpdir(), 'humanos-openapi-'));
    docFile = join(dir, 'openapi.json');
    writeFileSync(docFile, await (await fetch(`${t.url}/v1/humanos/openapi.json`)).text());
  });
  afterAll(async () => {
    await t.close();
    await promisify(rm)(dir, { recursive: true, force: true });
  });

  it('passes redocly lint with the recommended ruleset, with no errors', async () => {
    const { code, out } = await tool(join(BIN, 'redocly'), ['lint', '--extends=recommended', docFile], dir);
    expect(out).toContain('Your API description is valid');
    expect(out).not.toMatch(/Error was generated/);
    expect(code, out).toBe(0);
  }, 120_000);

  it('documents every operation: unique operationId, summary, description, a 2xx and a problem response', async () => {
    const doc = JSON.parse(await (await fetch(`${t.url}/v1/humanos/openapi.json`)).text());
    const ids = new Set<string>();
    type Operation = {
      operationId: string;
      summary?: string;
      description?: string;
      responses: Record<string, { content?: object }>;
    };
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
        expect(ids.has(op.operationId), `${where}: duplicate operationId`).toBe(false);
        ids.add(op.operationId);
        expect(op.summary, where).toBeTruthy();
        expect(op.description, where).toBeTruthy();
        const codes = Object.keys(op.responses);
        expect(
          codes.some((c) => /^2\d\d$/.test(c)),
          where,
        ).toBe(true);
        expect(Object.keys(op.responses.default?.content ?? {})).toEqual(['application/problem+json']);
      }
    }
    expect(ids.size).toBeGreaterThan(35);
    expect(Object.keys(doc.paths['/v1/humanos/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
    expect(Object.keys(doc.paths['/v1/humanos/tasks'].post.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', 'default']),
    );
    expect(doc.servers).toHaveLength(1);
    expect(doc.info.license.identifier).toBe('Apache-2.0');
    expect(doc.tags.every((tag: { description?: string }) => Boolean(tag.description))).toBe(true);
  });

  it('generates a client with openapi-typescript that types real responses under tsc --strict', async () => {
    const gen = await tool(join(BIN, 'openapi-typescript'), [docFile, '-o', join(dir, 'api.d.ts')], dir);
    expect(gen.code, gen.out).toBe(0);
    writeFileSync(
      join(dir, 'client.ts'),
      `import type { paths } from './api';
type Json<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer B } } };
} ? B : never;
type Created = Json<'/v1/humanos/tasks', 'post', 201>;
type Task = Json<'/v1/humanos/tasks/{taskId}', 'get', 200>;
type Problem = paths['/v1/humanos/tasks']['post']['responses'][400]['content']['application/problem+json'];
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const taskId: Exact<Created['taskId'], string> = true;
export const status: Exact<Task['status'], 'awaiting_approval' | 'approved' | 'executing' | 'paused' | 'completed' | 'failed' | 'rejected' | 'expired' | 'cancelled' | 'overridden' | 'changes_requested'> = true;
export const confidence: Exact<Task['confidence'], number | null> = true;
export const gateId: Exact<Task['approvals'][number]['id'], string> = true;
export const code: 'not_found' extends Problem['code'] ? true : false = true;
declare const created: Created;
// @ts-expect-error the id is a string, not a number: the response is typed, not \`never\` or \`any\`
export const wrong: number = created.taskId;
`,
    );
    const tsc = join(BIN, 'tsc');
    const flags = ['--strict', '--noEmit', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler'];
    const checked = await tool(tsc, [...flags, join(dir, 'client.ts')], dir);
    expect(checked.code, checked.out).toBe(0);
  }, 120_000);
});

/**
 * The names SDK models are generated from (docs/api.md, "Schemas"). Removing or renaming one breaks
 * every generated client: this list only grows.
 */
const COMPONENTS = [
  // enums
  'TaskStatus',
  'ApprovalStatus',
  'ApprovalKind',
  'Verdict',
  'ErrorCode',
  'RiskLevel',
  'EscalationPolicy',
  'ApprovalRequirement',
  'AuditFrequency',
  'PolicySource',
  'RequirementOrigin',
  'PolicyFlagCode',
  'TextWarningKind',
  'FeedbackQuality',
  'HeartbeatAction',
  'RecommendedAutonomy',
  'ReviewStatus',
  'ReviewFrequency',
  'ReviewOutcome',
  'SampleReason',
  'PrincipalKind',
  'ConsentKind',
  'DeliveryStatus',
  // responses
  'Problem',
  'DecisionProblem',
  'Task',
  'TaskPage',
  'CreatedTask',
  'HumanInLoopSettings',
  'AiProposal',
  'RiskAssessment',
  'PolicyOutcome',
  'PolicyRequirement',
  'PolicyFlag',
  'ApprovalRequest',
  'ApprovalRequestPage',
  'ApprovalRequestDetail',
  'ChainStep',
  'Decision',
  'TextWarning',
  'RankedCandidate',
  'Provenance',
  'ApprovalResult',
  'RejectionResult',
  'PayloadChange',
  'TaskDecision',
  'ExecutionGrant',
  'SignedGrant',
  'ClaimResult',
  'HeartbeatResult',
  'InRunDecisionResult',
  'InRunDecisionApproved',
  'InRunDecisionPending',
  'OverrideResult',
  'Feedback',
  'CalibrationReport',
  'StageCalibration',
  'ReliabilityBin',
  'Checkpoint',
  'ConsistencyProof',
  'InclusionProof',
  'PublicKey',
  'LedgerEntries',
  'LedgerEntry',
  'TaskHistory',
  'HistoryEvent',
  'AuditReview',
  'AuditReviewPage',
  'ReviewedTask',
  'ReviewedTaskPage',
  'SampledTask',
  'Principal',
  'PrincipalList',
  'Me',
  'CreatedPrincipal',
  'RotatedToken',
  'Capabilities',
  'Consent',
  'ConsentList',
  'Webhook',
  'CreatedWebhook',
  'WebhookList',
  'WebhookDelivery',
  'WebhookDeliveryList',
  'QuietHours',
  'NotificationPreferences',
  'ChannelLinks',
  'MyChannels',
  'ChannelStatus',
  'RoleChannel',
  'LinkCode',
  'ChannelDelivery',
  'ChannelDeliveryList',
  'PolicyDocument',
  'PolicyFile',
  'PolicyEvaluation',
  'PlannedGate',
  // request bodies
  'CreateTaskBody',
  'HumanInLoop',
  'CancelBody',
  'ApproveBody',
  'RejectBody',
  'InRunDecisionBody',
  'ExecuteBody',
  'ClaimBody',
  'HeartbeatBody',
  'OverrideBody',
  'FeedbackBody',
  'CompleteBody',
  'FailBody',
  'CompleteReviewBody',
  'CreatePrincipalBody',
  'RotateTokenBody',
  'UpdatePrincipalBody',
  'GrantConsentBody',
  'CapabilitiesBody',
  'CreateWebhookBody',
  'RotateSecretBody',
  'PreferencesBody',
  'LinksBody',
  'RoleChannelBody',
];

type Schema = Record<string, unknown>;

/** Every subschema of `node` with the JSON path to it. */
function* subschemas(node: unknown, path: string): Generator<[string, Schema]> {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) yield* subschemas(v, `${path}/${i}`);
  } else if (typeof node === 'object' && node !== null) {
    yield [path, node as Schema];
    for (const [k, v] of Object.entries(node)) yield* subschemas(v, `${path}/${k}`);
  }
}

/** The schemas the wire contract is made of are named components, referenced wherever they are used. */
describe('named schemas', () => {
  let t: TestServer;
  let doc: { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, Schema> } };
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    doc = await (await fetch(`${t.url}/v1/humanos/openapi.json`)).json();
  });
  afterAll(() => t?.close());

  it('the document has the named components, the enums as core lists them', () => {
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(COMPONENTS));
    expect(schemas.TaskStatus?.enum).toEqual([...TASK_STATUSES]);
    expect(schemas.ApprovalStatus?.enum).toEqual([...APPROVAL_STATUSES]);
    expect(schemas.RiskLevel?.enum).toEqual([...RISK_LEVELS]);
    expect(schemas.ErrorCode?.enum).toEqual(Object.keys(ERROR_STATUS));
    expect(schemas.Verdict?.enum).toEqual(['approved', 'rejected']);
    expect(schemas.Problem?.properties).toMatchObject({ code: { $ref: '#/components/schemas/ErrorCode' } });
    expect(schemas.Task?.properties).toMatchObject({
      status: { $ref: '#/components/schemas/TaskStatus' },
      aiProposal: { $ref: '#/components/schemas/AiProposal' },
      approvals: { type: 'array', items: { $ref: '#/components/schemas/ApprovalRequest' } },
    });
  });

  it('no operation inlines an object or an enum, no schema inlines an enum; every $ref resolves', () => {
    const inlined: string[] = [];
    const refs = new Set<string>();
    for (const [path, schema] of subschemas(doc, '')) {
      if (typeof schema.$ref === 'string') refs.add(schema.$ref);
      const enumeration = Array.isArray(schema.enum) && schema.enum.length > 1;
      const object = schema.type === 'object' || 'properties' in schema;
      // An operation refers to objects and enums; a component may hold small unnamed objects, not enums.
      if (path.startsWith('/paths/') && (object || enumeration)) inlined.push(path);
      if (/^\/components\/schemas\/[^/]+\/./.test(path) && enumeration) inlined.push(path);
    }
    // Name the schema with `named()` in its feature's schemas.ts (docs/contributing.md, "Add a route").
    expect(inlined).toEqual([]);
    for (const ref of refs)
      expect(Object.keys(doc.components.schemas)).toContain(ref.replace('#/components/schemas/', ''));
    expect(refs.size).toBe(Object.keys(doc.components.schemas).length);
  });

  it('refuses two different schemas under one name when the route is added', async () => {
    const app = Fastify({ logger: false });
    await openApi(app, '0');
    const one = named('Thing', view({ a: T.String() }, 'A'));
    const other = named('Thing', view({ b: T.String() }, 'B'));
    app.get('/a', { schema: { response: responses(200, one) } }, async () => ({}));
    app.get('/again', { schema: { response: responses(200, T.Array(one)) } }, async () => []);
    expect(() => app.get('/b', { schema: { response: responses(200, other) } }, async () => ({}))).toThrow(
      /two different schemas are named Thing \(GET \/b\)/,
    );
    await app.close();
  });
});

for (const backend of backends()) {
  /**
   * The named schemas are shared schemas (`addSchema`): fastify then rebuilds an encapsulated
   * context's compilers from its factory, which would be its coercing, additional-property-removing
   * default had app.ts only called `setValidatorCompiler`. Validation stays as strict as before.
   */
  describe(`named request schemas validate as strictly as before [${backend}]`, () => {
    let t: TestServer;
    let agent: Api;
    beforeAll(async () => {
      t = await startTestServer(backend);
      agent = await t.principal('did:agent:named-bot');
    });
    afterAll(() => t?.close());

    it('an unknown member, a number as text and a value outside an enum are 400s that write nothing', async () => {
      const before = await t.fingerprint();
      const bodies = [
        { description: 'x', status: 'approved' },
        { description: 'x', humanInLoop: { approvalTimeout: '60' } },
        { description: 'x', humanInLoop: { approvalRequired: 'never' } },
        { description: 'x', riskAssessment: { level: 'extreme' } },
        { description: 'x', aiProposal: { action: 'a', extra: 1 } },
      ];
      for (const body of bodies) {
        const r = await agent.post('/tasks', body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.code).toBe('validation_failed');
      }
      expect((await agent.get('/tasks?status=nonsense')).status).toBe(400);
      // Query strings are still coerced (text to integer), bodies are not.
      expect((await agent.get('/tasks?status=approved&limit=2')).status).toBe(200);
      expect(await t.fingerprint()).toEqual(before);
    });
  });
}

/** The opt-in check every test server runs: a response that breaks its schema is a loud 500. */
describe('response validation', () => {
  it('turns a response that breaks its schema into a 500 internal problem naming the route', async () => {
    const app = Fastify({ logger: false });
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    validateResponses(app);
    const Thing = T.Object({ id: T.String() }, { additionalProperties: true });
    app.get('/good', { schema: { response: responses(200, Thing, 404) } }, async () => ({ id: 'a', extra: 1 }));
    app.get('/bad', { schema: { response: responses(200, Thing, 404) } }, async () => ({ id: 7 }));
    app.get('/undocumented', { schema: { response: { 200: Thing } as Record<string, unknown> } }, async (_req, reply) =>
      reply.code(202).send({ id: 'a' }),
    );
    // A named schema used twice in one response (a task's proposal and its gates' proposals).
    const Named = named('Named', view({ n: T.Integer() }, 'A named part'));
    const Twice = view({ a: Named, b: T.Array(Named) }, 'Uses Named twice');
    app.get('/twice', { schema: { response: responses(200, Twice) } }, async () => ({ a: { n: 1 }, b: [{ n: 'x' }] }));
    try {
      // Checked, not an Ajv error about an ambiguous `$id` (the names are for the document only).
      const twice = await app.inject('/twice');
      expect(twice.statusCode).toBe(500);
      expect(twice.json().detail).toMatch(/GET \/twice \(200\) breaks its schema: \/b\/0\/n must be integer/);
      const good = await app.inject('/good');
      expect(good.statusCode).toBe(200);
      expect(good.json()).toEqual({ id: 'a', extra: 1 });
      const bad = await app.inject('/bad');
      expect(bad.statusCode).toBe(500);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.json()).toMatchObject({ code: 'internal', status: 500 });
      expect(bad.json().detail).toMatch(/GET \/bad \(200\) breaks its schema: \/id must be string/);
      const other = await app.inject('/undocumented');
      expect(other.statusCode).toBe(500);
      expect(other.json().detail).toMatch(/status 202 is not documented/);
    } finally {
      await app.close();
    }
  });
});
