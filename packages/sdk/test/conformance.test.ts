/**
 * The shared retry and header cases (`sdks/conformance/cases.json`) against the TypeScript SDK: each
 * case gets its own scripted HTTP server on loopback answering the case's responses in order. The
 * Python and Go SDKs run the same file (`sdks/python/tests/test_conformance.py`,
 * `sdks/go/humanos/conformance_test.go`).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HumanOSApiError, HumanOSClient } from '../src/index.js';
import { SDK_VERSION } from '../src/transport.js';

interface ResponseSpec {
  status: number;
  headers?: Record<string, string>;
  problem?: string;
  text?: string;
  body?: string;
}
interface Case {
  name: string;
  op: 'get_task' | 'create_task' | 'create_principal';
  responses: ResponseSpec[];
  expect: {
    outcome: 'ok' | 'error';
    requests: number;
    minElapsedMs?: number;
    idempotencyKey?: 'absent' | 'stable';
    error?: { code: string; status: number; retryAfterSeconds?: number; requestId?: string };
  };
}
interface Spec {
  apiKey: string;
  ops: Record<string, { method: string; path: string }>;
  bodies: Record<string, unknown>;
  cases: Case[];
  everyRequest: {
    userAgentPattern: string;
    authorization: string;
    requestIdHeader: string;
    requestIdPerAttempt: string;
  };
}

const spec = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../sdks/conformance/cases.json'), 'utf8'),
) as Spec;

function headerValue(v: string): string {
  const m = /^@http-date\+(\d+)$/.exec(v);
  return m ? new Date(Date.now() + Number(m[1]) * 1000).toUTCString() : v;
}

function render(r: ResponseSpec): [string, string] {
  if (r.problem !== undefined) {
    const doc = {
      type: 'about:blank',
      title: r.problem,
      status: r.status,
      code: r.problem,
      detail: `conformance ${r.problem}`,
    };
    return [JSON.stringify(doc), 'application/problem+json'];
  }
  if (r.text !== undefined) return [r.text, 'text/html'];
  return [JSON.stringify(spec.bodies[r.body as string]), 'application/json'];
}

/** A loopback server answering `responses` in order (the last one again when they run out). */
async function scripted(responses: ResponseSpec[]) {
  const requests: { method: string; path: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
      const r = responses[Math.min(requests.length, responses.length) - 1] as ResponseSpec;
      const [body, type] = render(r);
      const headers: Record<string, string> = { 'content-type': type };
      for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = headerValue(v);
      res.writeHead(r.status, headers).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function call(client: HumanOSClient, op: Case['op']): Promise<unknown> {
  if (op === 'get_task') return client.tasks.get('t_conf');
  if (op === 'create_task') return client.tasks.create({ description: 'conformance' });
  return client.principals.create({ id: 'did:agent:conf', roles: ['agent'] });
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('conformance: sdks/conformance/cases.json', () => {
  it('the User-Agent carries the package version', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });

  for (const c of spec.cases) {
    it(c.name, async () => {
      const srv = await scripted(c.responses);
      close = srv.close;
      const client = new HumanOSClient({ baseUrl: srv.url, apiKey: spec.apiKey, timeoutMs: 5000 });
      const t0 = Date.now();
      const outcome = await call(client, c.op).catch((e: unknown) => e);
      const elapsed = Date.now() - t0;
      const op = spec.ops[c.op] as { method: string; path: string };
      expect(srv.requests).toHaveLength(c.expect.requests);
      for (const r of srv.requests) {
        expect([r.method, r.path]).toEqual([op.method, op.path]);
        expect(r.headers['user-agent']).toMatch(new RegExp(spec.everyRequest.userAgentPattern));
        expect(r.headers['user-agent']).toMatch(/^humanos-sdk-typescript\//);
        expect(r.headers.authorization).toBe(spec.everyRequest.authorization);
        expect(r.headers[spec.everyRequest.requestIdHeader]).toBeTruthy();
      }
      const rids = srv.requests.map((r) => r.headers[spec.everyRequest.requestIdHeader]);
      expect(spec.everyRequest.requestIdPerAttempt).toBe('distinct');
      expect(new Set(rids).size).toBe(rids.length);
      const keys = srv.requests.map((r) => r.headers['idempotency-key']);
      if (c.expect.idempotencyKey === 'absent') expect(keys.every((k) => k === undefined)).toBe(true);
      if (c.expect.idempotencyKey === 'stable') {
        expect(keys[0]).toBeTruthy();
        expect(new Set(keys).size).toBe(1);
      }
      if (c.expect.minElapsedMs !== undefined) expect(elapsed).toBeGreaterThanOrEqual(c.expect.minElapsedMs);
      if (c.expect.outcome === 'ok') {
        expect(outcome).not.toBeInstanceOf(Error);
        return;
      }
      expect(outcome).toBeInstanceOf(HumanOSApiError);
      const e = outcome as HumanOSApiError;
      const want = c.expect.error as NonNullable<Case['expect']['error']>;
      expect([e.code, e.status, e.requestId]).toEqual([want.code, want.status, want.requestId]);
      if (want.retryAfterSeconds !== undefined) expect(e.retryAfterMs).toBe(want.retryAfterSeconds * 1000);
    });
  }
});
