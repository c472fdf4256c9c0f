import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  type Backend,
  backends,
  type ChildServer,
  createBackend,
  spawnServer,
} from '../../../../test-support/harness.js';
import { WaitQuery } from '../../src/kernel/schemas.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const CADDY = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((p) => existsSync(p));
const GUIDE = new URL('../../../../docs/reverse-proxy.md', import.meta.url);
const MAX_WAIT_S = (WaitQuery.properties.wait as unknown as { maximum: number }).maximum;

/** A marked block of docs/reverse-proxy.md (`nginx` or `caddy`): the config the guide tells operators to use. */
function documentedConfig(kind: 'nginx' | 'caddy' = 'nginx'): string {
  const doc = readFileSync(GUIDE, 'utf8');
  const m = new RegExp(
    `<!-- ${kind}-config:begin -->\n\`\`\`${kind}\n([\\s\\S]*?)\`\`\`\n<!-- ${kind}-config:end -->`,
  ).exec(doc);
  if (!m) throw new Error(`docs/reverse-proxy.md has no marked ${kind} block`);
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

/**
 * Runs the documented Caddyfile with the site name (`localhost`, so Caddy's internal CA signs its
 * certificate) and the upstream substituted, behind global options that keep it to this test: admin
 * endpoint off, free loopback ports, its own HOME/XDG dirs (certificates, autosave) in a temp dir,
 * and the internal CA kept out of the system's trust store. `edit` changes the site block further
 * (to show what a setting does).
 */
async function startCaddy(upstream: string, edit: (site: string) => string = (s) => s): Promise<Proxy> {
  const dir = mkdtempSync(join(tmpdir(), 'humanos-caddy-'));
  const [https, http] = [await freePort(), await freePort()];
  const site = documentedConfig('caddy')
    .replace('humanos.example.com {', 'localhost {')
    .replace('reverse_proxy 127.0.0.1:8787 {', `reverse_proxy ${upstream} {`);
  const global = ['admin off', `http_port ${http}`, `https_port ${https}`, 'default_bind 127.0.0.1', 'local_certs'];
  writeFileSync(join(dir, 'Caddyfile'), `{\n${[...global, 'skip_install_trust'].join('\n')}\n}\n${edit(site)}`);
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  const proc = spawn(CADDY as string, ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr?.on('data', (d) => {
    log += d;
  });
  const root = join(dir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
  const proxy = { https, http, ca: '', proc, dir };
  // The certificate is issued in the background after the ports open: ready once a handshake verifies.
  for (let i = 0; i < 200 && !proxy.ca; i++) {
    if (proc.exitCode !== null) throw new Error(`caddy exited: ${log}`);
    if (existsSync(root) && (await portOpen(https))) {
      const ca = readFileSync(root, 'utf8');
      const ok = await viaProxy({ ...proxy, ca }, 'GET', '/healthz').then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) proxy.ca = ca;
    }
    if (!proxy.ca) await new Promise((r) => setTimeout(r, 50));
  }
  if (!proxy.ca) throw new Error(`caddy did not serve https: ${log}`);
  return proxy;
}

/** What a request through the proxy may add: a source address on loopback and headers of the client's own. */
interface ClientSide {
  localAddress?: string;
  headers?: Record<string, string>;
}

/** An https request through the proxy (trusting the test's certificate), its status, headers and body. */
function viaProxy(
  p: Proxy,
  method: string,
  path: string,
  body?: unknown,
  token = ADMIN_TOKEN,
  client: ClientSide = {},
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
        ...(client.localAddress ? { localAddress: client.localAddress } : {}),
        headers: {
          ...client.headers,
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

type LogLine = { method?: string; route?: string; reqId?: string; msg?: string; ip?: string; protocol?: string };
const logLines = (server: ChildServer): LogLine[] =>
  server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

/**
 * Subscribes to the event stream through the proxy, creates a task (an agent and an approver made
 * through the proxy too) and expects the stream to carry it within 5 s: buffered, it would wait for
 * the proxy's buffer to fill (the 15 s keep-alive at best).
 */
async function eventThroughProxy(p: Proxy) {
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
  ) as { token: string };
  const approver = JSON.parse(
    (await viaProxy(p, 'POST', '/v1/humanos/principals', { id: 'did:human:pia', roles: ['approver'] })).body,
  ) as { token: string };
  const created = await viaProxy(p, 'POST', '/v1/humanos/tasks', { description: 'Renew the certificate' }, agent.token);
  expect(created.status).toBe(201);
  const task = JSON.parse(created.body) as { taskId: string; approvalRequest: { id: string } };
  const sawTask = async () => {
    for (let i = 0; i < 100; i++) {
      if (received.join('').includes(task.taskId)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };
  expect(await sawTask(), received.join('')).toBe(true);
  stream.destroy();
  return { agent, approver, task };
}

/** A long-poll through the proxy, answered when the approver decides, not by a proxy timeout. */
async function decisionThroughProxy(p: Proxy, flow: Awaited<ReturnType<typeof eventThroughProxy>>) {
  const { agent, approver, task } = flow;
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
}

/**
 * docs/reverse-proxy.md's nginx config, run as written in front of a real server: TLS, the event
 * stream arrives unbuffered, a long-poll completes, the request id reaches the server's log, and
 * the read timeout is above the server's longest wait.
 */
for (const backend of backends()) {
  describe.skipIf(!NGINX && process.env.CI !== 'true')(`the documented nginx config [${backend}]`, () => {
    let b: Backend | undefined;
    let server: ChildServer | undefined;
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
      expect(readTimeout).toBeGreaterThan(MAX_WAIT_S);
      b = await createBackend(backend);
      server = await spawnServer({ ...b.env, HUMANOS_LOG_LEVEL: 'info', HUMANOS_TRUST_PROXY: '127.0.0.1' });
      proxy = await startNginx(new URL(server.url).host);
      const p = proxy;

      expect((await viaProxy(p, 'GET', '/healthz')).status).toBe(200);
      // The plain-http server block only redirects.
      const redirect = await fetch(`http://127.0.0.1:${p.http}/healthz`, { redirect: 'manual' });
      expect(redirect.status).toBe(301);
      expect(redirect.headers.get('location')).toMatch(/^https:\/\//);

      await decisionThroughProxy(p, await eventThroughProxy(p));

      // nginx's $request_id (32 hex) is the server's request id in its access log.
      const logged = logLines(server);
      expect(logged.find((l) => l.msg === 'request' && l.route === '/v1/humanos/tasks')?.reqId).toMatch(
        /^[0-9a-f]{32}$/,
      );
    }, 90_000);
  });
}

/**
 * docs/reverse-proxy.md's Caddyfile, run by the real caddy in front of a real server, TLS from
 * Caddy's internal CA: the server believes the client's address and scheme Caddy forwards (and not
 * the ones a client makes up), the event stream arrives unbuffered, a long-poll is held for its
 * whole wait and another is answered by a decision; and the documented `read_timeout` is what
 * bounds a long-poll (set below the wait, the same poll gets Caddy's 504).
 */
for (const backend of backends()) {
  describe.skipIf(!CADDY && process.env.CI !== 'true')(`the documented Caddyfile [${backend}]`, () => {
    let b: Backend | undefined;
    let server: ChildServer | undefined;
    const proxies: Proxy[] = [];
    afterEach(async () => {
      for (const p of proxies.splice(0)) {
        p.proc.kill('SIGTERM');
        rmSync(p.dir, { recursive: true, force: true });
      }
      await server?.kill();
      await b?.drop();
    });

    it('forwards the client address and https, streams SSE, holds long-polls within its read_timeout', async () => {
      expect(CADDY, 'caddy is not installed (scripts/ensure-services.sh installs it)').toBeDefined();
      const readTimeout = Number(/read_timeout (\d+)s/.exec(documentedConfig('caddy'))?.[1]);
      expect(readTimeout).toBeGreaterThan(MAX_WAIT_S);
      b = await createBackend(backend);
      server = await spawnServer({ ...b.env, HUMANOS_LOG_LEVEL: 'info', HUMANOS_TRUST_PROXY: '127.0.0.1' });
      const upstream = new URL(server.url).host;
      const p = await startCaddy(upstream);
      proxies.push(p);

      // Plain http redirects to https.
      const redirect = await fetch(`http://127.0.0.1:${p.http}/healthz`, { redirect: 'manual' });
      expect(redirect.status).toBe(308);
      expect(redirect.headers.get('location')).toMatch(/^https:\/\//);

      // The client connects from 127.0.0.2 (Caddy's peer) and makes up its own forwarded headers:
      // the server believes Caddy (trusted as 127.0.0.1), which overwrites them.
      const listed = await viaProxy(p, 'GET', '/v1/humanos/principals', undefined, ADMIN_TOKEN, {
        localAddress: '127.0.0.2',
        headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'http', 'x-request-id': 'made-up' },
      });
      expect(listed.status).toBe(200);
      const flow = await eventThroughProxy(p);

      // Held for its whole wait (the task is undecided), answered by the server, not cut by Caddy.
      // A 3 s wait on the undecided task, through one proxy or the other.
      const poll = (via: Proxy) =>
        viaProxy(via, 'GET', `/v1/humanos/tasks/${flow.task.taskId}/decision?wait=3`, undefined, flow.agent.token);
      const held = await poll(p);
      expect(held.status).toBe(200);
      expect(held.ms).toBeGreaterThanOrEqual(2900);
      expect(JSON.parse(held.body)).toMatchObject({ status: 'awaiting_approval' });
      // The same Caddyfile with read_timeout below the wait: Caddy cuts the poll with 504, so the
      // documented value is what keeps long-polls whole.
      const short = await startCaddy(upstream, (site) => site.replace(/read_timeout \d+s/, 'read_timeout 1s'));
      proxies.push(short);
      const cut = await poll(short);
      expect(cut.status).toBe(504);
      expect(cut.ms).toBeLessThan(2900);
      await decisionThroughProxy(p, flow);

      const line = logLines(server).find(
        (l) => l.msg === 'request' && l.method === 'GET' && l.route === '/v1/humanos/principals',
      );
      expect(line).toMatchObject({ ip: '127.0.0.2', protocol: 'https' });
      // Caddy's {http.request.uuid}, not the client's id.
      expect(line?.reqId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }, 90_000);
  });
}
