import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type Backend, backends, createBackend, spawnServer } from '../../../../test-support/harness.js';
import { WaitQuery } from '../../src/kernel/schemas.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const GUIDE = new URL('../../../../docs/reverse-proxy.md', import.meta.url);

/** The nginx block of docs/reverse-proxy.md, between its markers: the config the guide tells operators to use. */
function documentedConfig(): string {
  const doc = readFileSync(GUIDE, 'utf8');
  const m = /<!-- nginx-config:begin -->\n```nginx\n([\s\S]*?)```\n<!-- nginx-config:end -->/.exec(doc);
  if (!m) throw new Error('docs/reverse-proxy.md has no marked nginx block');
  return m[1] as string;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = connect(port, '127.0.0.1', () => {
      c.end();
      resolve(true);
    }).on('error', () => resolve(false));
  });

interface Proxy {
  https: number;
  http: number;
  ca: string;
  proc: ChildProcess;
  dir: string;
}

/** Runs the documented config with the upstream, ports and certificate of this test substituted (and only those). */
async function startNginx(upstream: string): Promise<Proxy> {
  const dir = mkdtempSync(join(tmpdir(), 'humanos-nginx-'));
  const [https, http] = [await freePort(), await freePort()];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      join(dir, 'privkey.pem'),
      '-out',
      join(dir, 'fullchain.pem'),
    ],
    { stdio: 'ignore' },
  );
  const site = documentedConfig()
    .replace('server 127.0.0.1:8787;', `server ${upstream};`)
    .replace('listen 80;', `listen 127.0.0.1:${http};`)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${https} ssl http2;`)
    .replaceAll('/etc/ssl/humanos/', `${dir}/`);
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      // One process as the invoking user: no user switch, no privileged ports.
      'daemon off;',
      'master_process off;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (d) => `  ${d === 'body' ? 'client_body' : d}_temp_path ${dir}/${d};`,
      ),
      site,
      '}',
    ].join('\n'),
  );
  execFileSync(NGINX as string, ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
  const proc = spawn(NGINX as string, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await portOpen(https)); i++) await new Promise((r) => setTimeout(r, 50));
  return { https, http, ca: readFileSync(join(dir, 'fullchain.pem'), 'utf8'), proc, dir };
}

/** An https request through the proxy (trusting the test's certificate), its status, headers and body. */
function viaProxy(
  p: Proxy,
  method: string,
  path: string,
  body?: unknown,
  token = ADMIN_TOKEN,
): Promise<{ status: number; body: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port: p.https,
        method,
        path,
        ca: p.ca,
        headers: {
          host: 'localhost',
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode as number, body: text, ms: Date.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * docs/reverse-proxy.md's nginx config, run as written in front of a real server: TLS, the event
 * stream arrives unbuffered, a long-poll completes, the request id reaches the server's log, and
 * the read timeout is above the server's longest wait.
 */
for (const backend of backends()) {
  describe.skipIf(!NGINX && process.env.CI !== 'true')(`the documented nginx config [${backend}]`, () => {
    let b: Backend | undefined;
    let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
    let proxy: Proxy | undefined;
    afterEach(async () => {
      proxy?.proc.kill('SIGTERM');
      if (proxy) rmSync(proxy.dir, { recursive: true, force: true });
      await server?.kill();
      await b?.drop();
    });

    it('serves over TLS: SSE events arrive as they happen, a long-poll completes, X-Request-Id reaches the log', async () => {
      expect(NGINX, 'nginx is not installed (scripts/ensure-services.sh installs it)').toBeDefined();
      const readTimeout = Number(/proxy_read_timeout (\d+)s;/.exec(documentedConfig())?.[1]);
      expect(readTimeout).toBeGreaterThan((WaitQuery.properties.wait as unknown as { maximum: number }).maximum);
      b = await createBackend(backend);
      server = await spawnServer({ ...b.env, HUMANOS_LOG_LEVEL: 'info', HUMANOS_TRUST_PROXY: '127.0.0.1' });
      proxy = await startNginx(new URL(server.url).host);
      const p = proxy;

      expect((await viaProxy(p, 'GET', '/healthz')).status).toBe(200);
      // The plain-http server block only redirects.
      const redirect = await fetch(`http://127.0.0.1:${p.http}/healthz`, { redirect: 'manual' });
      expect(redirect.status).toBe(301);
      expect(redirect.headers.get('location')).toMatch(/^https:\/\//);

      // Subscribe to the event stream through the proxy, then make an event happen.
      const received: string[] = [];
      const stream = httpsRequest({
        host: '127.0.0.1',
        servername: 'localhost',
        port: p.https,
        path: '/v1/humanos/events',
        ca: p.ca,
        headers: { host: 'localhost', authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'text/event-stream' },
      });
      const opened = new Promise<number>((resolve) =>
        stream.on('response', (res) => {
          res.on('data', (d) => received.push(String(d)));
          resolve(res.statusCode as number);
        }),
      );
      stream.end();
      expect(await opened).toBe(200);
      const agent = JSON.parse(
        (await viaProxy(p, 'POST', '/v1/humanos/principals', { id: 'did:agent:proxied', roles: [] })).body,
      );
      const approver = JSON.parse(
        (await viaProxy(p, 'POST', '/v1/humanos/principals', { id: 'did:human:pia', roles: ['approver'] })).body,
      );
      const created = await viaProxy(
        p,
        'POST',
        '/v1/humanos/tasks',
        { description: 'Renew the certificate' },
        agent.token,
      );
      expect(created.status).toBe(201);
      const task = JSON.parse(created.body) as { taskId: string; approvalRequest: { id: string } };
      const sawTask = async () => {
        for (let i = 0; i < 100; i++) {
          if (received.join('').includes(task.taskId)) return true;
          await new Promise((r) => setTimeout(r, 50));
        }
        return false;
      };
      // Within 5 s: buffered, it would wait for the proxy's buffer to fill (the 15 s keep-alive at best).
      expect(await sawTask(), received.join('')).toBe(true);
      stream.destroy();

      // A long-poll through the proxy: answered when the approver decides, not by a proxy timeout.
      const poll = viaProxy(p, 'GET', `/v1/humanos/tasks/${task.taskId}/decision?wait=20`, undefined, agent.token);
      await new Promise((r) => setTimeout(r, 500));
      const decided = await viaProxy(
        p,
        'POST',
        `/v1/humanos/approvals/${task.approvalRequest.id}/approve`,
        { approvalReason: 'fine' },
        approver.token,
      );
      expect(decided.status).toBe(200);
      const answer = await poll;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 'approved' });
      expect(answer.ms).toBeLessThan(15_000);

      // nginx's $request_id (32 hex) is the server's request id in its access log.
      const logged = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { route?: string; reqId?: string; msg?: string });
      expect(logged.find((l) => l.msg === 'request' && l.route === '/v1/humanos/tasks')?.reqId).toMatch(
        /^[0-9a-f]{32}$/,
      );
    }, 90_000);
  });
}
