/**
 * The release installs without this repository: `npm run release` (scripts/release.mjs) builds its
 * artifacts into a temporary directory, and each is installed outside the checkout and used against
 * a server started from the release tarball — on a SQLite file and on PostgreSQL:
 *
 * - the server tarball, unpacked read-only, runs `bin/humanos serve` (and the Dockerfile's HEALTHCHECK
 *   command, read from deploy/Dockerfile, passes against it);
 * - the npm tarballs (`@human/sdk`, `@humanos/cli`, `@humanos/mcp` and `@humanos/core`) into an empty
 *   npm project: the CLI creates a principal, the SDK creates and reads a task, the MCP server answers
 *   `tools/list` over stdio;
 * - the agent-framework adapters' npm tarballs and Python wheels and sdists are there, each at its own
 *   version; `@humanos/ai-sdk` goes into the same npm project (its peer `ai` from the registry) and the
 *   Pydantic AI adapter's wheel into the wheel venv (with the SDK's wheel, in the same pip run), and
 *   both import;
 * - the Python wheel, then the sdist, into a fresh venv: the SDK creates and reads a task;
 * - the Go module source, through a `replace` directive in a new module: the SDK creates a task;
 * - deploy/humanos.service passes `systemd-analyze verify` (its ExecStart pointed at the unpacked
 *   tarball), and deploy/Dockerfile passes hadolint (pinned, installed by scripts/ensure-services.sh).
 *
 * Third-party dependencies come from the registries (npm, PyPI; the Go SDK has none), as they would
 * for a user. The image itself is not built: there is no container daemon on these machines.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type Backend, backends, createBackend, REPO_ROOT } from '../../../../test-support/harness.js';

const exec = promisify(execFile);
const VERSION = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/server/package.json'), 'utf8')).version as string;
/** The TS adapters' tarball names (`npm pack`'s) at the versions their package.json says. */
const TS_ADAPTERS = ['langgraph', 'openai-agents', 'ai-sdk'].map((a) => {
  const v = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', a, 'package.json'), 'utf8')).version as string;
  return `npm/humanos-${a}-${v}.tgz`;
});
/** The Python adapters' wheel and sdist names at the versions their pyproject.toml says. */
const PY_ADAPTERS = ['langgraph', 'openai_agents', 'pydantic_ai', 'adk'].map((a) => {
  const toml = readFileSync(join(REPO_ROOT, 'sdks/python-adapters', a, 'pyproject.toml'), 'utf8');
  const v = /^version = "([^"]+)"$/m.exec(toml)?.[1] as string;
  return { a, wheel: `python/humanos_${a}-${v}-py3-none-any.whl`, sdist: `python/humanos_${a}-${v}.tar.gz` };
});

async function sh(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  try {
    const r = await exec(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    return r.stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

function freePort(): Promise<number> {
  return import('node:net').then(
    ({ createServer }) =>
      new Promise((resolve) => {
        const srv = createServer().listen(0, '127.0.0.1', () => {
          const { port } = srv.address() as { port: number };
          srv.close(() => resolve(port));
        });
      }),
  );
}

/** `bin/humanos serve` from the unpacked tarball, in its own process group. */
async function serve(bin: string, dataDir: string, env: Record<string, string>) {
  const port = await freePort();
  const proc: ChildProcess = spawn(bin, ['serve'], {
    cwd: dataDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only what a service manager would give it: no variables of this checkout or the test run.
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, PORT: String(port), HUMANOS_DATA_DIR: dataDir, ...env },
  });
  const chunks: Buffer[] = [];
  for (const stream of [proc.stdout, proc.stderr]) stream?.on('data', (d: Buffer) => chunks.push(d));
  const output = () => Buffer.concat(chunks).toString();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (proc.exitCode !== null || Date.now() > deadline)
      throw new Error(`the release server did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.on('exit', r));
    process.kill(-(proc.pid as number), 'SIGTERM');
    await exited;
  };
  return { url, port, stop, output };
}

describe('the release, installed outside the repository', () => {
  const work = mkdtempSync(join(tmpdir(), 'humanos-release-'));
  const out = join(work, 'release');
  let bin = '';

  beforeAll(async () => {
    await sh('node', [join(REPO_ROOT, 'scripts/release.mjs'), '--no-build', '--out', out], { cwd: REPO_ROOT });
    mkdirSync(join(work, 'opt'));
    const tarball = join(out, readdirSync(out).find((f) => f.startsWith(`humanos-server-${VERSION}-`)) as string);
    await sh('tar', ['xzf', tarball, '-C', join(work, 'opt')]);
    bin = join(work, 'opt', `humanos-server-${VERSION}`, 'bin/humanos');
    // Read-only, as in the image (`--read-only`): the server writes only to its data directory.
    await sh('chmod', ['-R', 'a-w', join(work, 'opt')]);
  }, 240_000);
  // Installed once, in parallel, then used against each backend's server.
  let installed: Installed;
  beforeAll(async () => {
    installed = await installAll(work, out);
  }, 240_000);
  afterAll(async () => {
    await sh('chmod', ['-R', 'u+w', work]).catch(() => undefined);
    await sh('rm', ['-rf', work]);
  }, 120_000);

  it('has every artifact, with checksums', () => {
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
    for (const f of [
      `humanos-server-${VERSION}-${process.platform}-${process.arch}.tar.gz`,
      `npm/human-sdk-${VERSION}.tgz`,
      `npm/humanos-cli-${VERSION}.tgz`,
      `npm/humanos-mcp-${VERSION}.tgz`,
      `npm/humanos-core-${VERSION}.tgz`,
      `python/human_sdk-${VERSION}-py3-none-any.whl`,
      `python/human_sdk-${VERSION}.tar.gz`,
      `go/sdk-go-${VERSION}.tar.gz`,
      ...TS_ADAPTERS,
      ...PY_ADAPTERS.flatMap((p) => [p.wheel, p.sdist]),
    ]) {
      expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  ${f.replaceAll('.', '\\.')}$`, 'm'));
    }
    expect(readFileSync(join(out, 'go/TAG'), 'utf8').trim()).toBe(`sdks/go/v${VERSION}`);
  });

  it('a TS adapter and a Python adapter, installed from the artifacts beside the SDK, import', async () => {
    const ts = await sh(
      'node',
      ['--input-type=module', '-e', "console.log(Object.keys(await import('@humanos/ai-sdk')).join(' '))"],
      {
        cwd: installed.npm,
      },
    );
    expect(ts).toMatch(/\w/);
    const wheelVenv = installed.venvs[0] as string;
    const py = await sh(
      join(wheelVenv, 'bin/python'),
      ['-c', 'import humanos_pydantic_ai, human_sdk; print(humanos_pydantic_ai.__file__, human_sdk.__file__)'],
      { cwd: work },
    );
    // Both from the venv (the wheels), not from this checkout.
    expect(
      py
        .trim()
        .split(' ')
        .every((f) => f.startsWith(wheelVenv)),
    ).toBe(true);
  });

  it('the unit passes systemd-analyze verify, the Dockerfile passes hadolint', async () => {
    const unit = join(work, 'humanos.service');
    writeFileSync(
      unit,
      readFileSync(join(REPO_ROOT, 'deploy/humanos.service'), 'utf8').replace('/opt/humanos/bin/humanos', bin),
    );
    const verify = await exec('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(verify.stderr).not.toContain('humanos.service');
    await sh('hadolint', ['--failure-threshold', 'info', join(REPO_ROOT, 'deploy/Dockerfile')]);
  });

  for (const name of backends()) {
    describe(`[${name}]`, () => {
      let backend: Backend;
      let server: Awaited<ReturnType<typeof serve>>;
      const data = join(work, `data-${name}`);
      beforeAll(async () => {
        backend = await createBackend(name);
        mkdirSync(data);
        const env = { ...backend.env };
        delete env.HUMANOS_DATA_DIR;
        server = await serve(bin, data, { ...env, HUMANOS_ADMIN_TOKEN: ADMIN_TOKEN, HUMANOS_LOG_LEVEL: 'warn' });
      }, 90_000);
      afterAll(async () => {
        await server?.stop();
        await backend?.drop();
      });

      it('bin/humanos serve runs from the read-only tarball; the Dockerfile HEALTHCHECK passes', async () => {
        expect((await sh(bin, ['--version'])).trim()).toBe(VERSION);
        const health = await (await fetch(`${server.url}/healthz`)).json();
        expect(health).toMatchObject({ status: 'ok', storage: name === 'postgres' ? 'postgres' : 'sqlite' });
        const console_ = await fetch(`${server.url}/inbox`);
        expect(console_.status).toBe(200);
        expect(await console_.text()).toContain('<script');
        const check = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(
          readFileSync(join(REPO_ROOT, 'deploy/Dockerfile'), 'utf8'),
        );
        const [cmd, ...args] = JSON.parse(check?.[1] as string) as string[];
        await sh(cmd as string, args, { env: { PORT: String(server.port) } });
      });

      it('the npm, Python (wheel and sdist) and Go packages, installed from the artifacts, talk to it', async () => {
        await Promise.all([
          npmSmoke(installed.npm, server.url, name),
          ...installed.venvs.map((venv, i) => pythonSmoke(venv, server.url, `${name}-${i}`)),
          goSmoke(installed.go, server.url, name),
        ]);
      }, 120_000);
    });
  }
});

/** A principal made through the server's API; returns its token. */
async function principal(url: string, id: string, roles: string[] = []): Promise<string> {
  const r = await fetch(`${url}/v1/humanos/principals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id, roles }),
  });
  const body = (await r.json()) as { token: string };
  if (r.status !== 201) throw new Error(JSON.stringify(body));
  return body.token;
}

async function taskOf(url: string, id: string): Promise<{ id: string; description: string; requester: string }> {
  const r = await fetch(`${url}/v1/humanos/tasks/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return (await r.json()) as { id: string; description: string; requester: string };
}

interface Installed {
  npm: string;
  /** A venv with the wheel installed, and one with the sdist. */
  venvs: string[];
  /** The Go smoke program, built against the module from the artifact. */
  go: string;
}

async function installAll(work: string, out: string): Promise<Installed> {
  const [npm, wheel, sdist, go] = await Promise.all([
    installNpm(work, out),
    // The wheel venv gets one adapter's wheel in the same pip run (Pydantic AI's: the lightest framework).
    installPython(work, join(out, 'python', `human_sdk-${VERSION}-py3-none-any.whl`), 'wheel', [
      join(out, PY_ADAPTERS.find((p) => p.a === 'pydantic_ai')?.wheel as string),
    ]),
    // The sdist builds too (its build backend, hatchling, from PyPI).
    installPython(work, join(out, 'python', `human_sdk-${VERSION}.tar.gz`), 'sdist'),
    buildGo(work, out),
  ]);
  return { npm, venvs: [wheel, sdist], go };
}

async function installNpm(work: string, out: string): Promise<string> {
  const dir = join(work, 'npm');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }));
  const tgz = [
    ...['humanos-core', 'human-sdk', 'humanos-mcp', 'humanos-cli'].map((p) => join(out, 'npm', `${p}-${VERSION}.tgz`)),
    // One adapter in the same install: its framework (the peer `ai`) comes from the registry.
    join(out, TS_ADAPTERS.find((t) => t.includes('ai-sdk')) as string),
  ];
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tgz], { cwd: dir });
  writeFileSync(
    join(dir, 'smoke.mjs'),
    `import { HumanOS } from '@human/sdk';
const task = await HumanOS.createTask({ description: 'smoke from npm', humanInLoop: { enabled: false } });
console.log(task.id);`,
  );
  return dir;
}

async function installPython(work: string, artifact: string, kind: string, more: string[] = []): Promise<string> {
  const venv = join(work, `venv-${kind}`);
  await sh('python3', ['-m', 'venv', venv]);
  await sh(join(venv, 'bin/pip'), ['install', '-q', '--disable-pip-version-check', artifact, ...more]);
  const where = await sh(join(venv, 'bin/python'), ['-c', 'import human_sdk; print(human_sdk.__file__)'], {
    cwd: work,
  });
  expect(where).toContain(venv);
  return venv;
}

async function buildGo(work: string, out: string): Promise<string> {
  const dir = join(work, 'go');
  mkdirSync(dir);
  await sh('tar', ['xzf', join(out, 'go', `sdk-go-${VERSION}.tar.gz`), '-C', dir]);
  writeFileSync(
    join(dir, 'go.mod'),
    `module smoke\n\ngo 1.23\n\nrequire github.com/human/sdk-go v${VERSION}\n\nreplace github.com/human/sdk-go => ./sdk-go-${VERSION}\n`,
  );
  writeFileSync(
    join(dir, 'main.go'),
    `package main

import (
	"context"
	"fmt"

	"github.com/human/sdk-go/humanos"
)

func main() {
	t, err := humanos.NewClient().CreateTask(context.Background(), humanos.CreateTaskRequest{
		Description: "smoke from go",
		HumanInLoop: &humanos.HITLConfig{Disable: true},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(t.ID)
}
`,
  );
  await sh('go', ['build', '-o', 'smoke', '.'], { cwd: dir, env: { GOFLAGS: '-mod=mod', GOWORK: 'off' } });
  return join(dir, 'smoke');
}

async function npmSmoke(dir: string, url: string, name: string): Promise<void> {
  // The CLI, as an admin would use it.
  const added = await sh('npx', ['humanos', 'principals', 'add', `did:agent:npm-smoke-${name}`, '--json'], {
    cwd: dir,
    env: { HUMANOS_URL: url, HUMANOS_API_KEY: ADMIN_TOKEN },
  });
  const token = (JSON.parse(added) as { token: string }).token;
  // The SDK, as an agent would.
  const id = (await sh('node', ['smoke.mjs'], { cwd: dir, env: { HUMANOS_URL: url, HUMANOS_API_KEY: token } })).trim();
  expect(await taskOf(url, id)).toMatchObject({
    description: 'smoke from npm',
    requester: `did:agent:npm-smoke-${name}`,
  });
  // The MCP server over stdio: initialize, then the tools it offers.
  const mcp = spawn('npx', ['humanos-mcp'], {
    cwd: dir,
    env: { ...process.env, HUMANOS_URL: url, HUMANOS_API_KEY: token },
  });
  let got = '';
  const listed = new Promise<string>((resolve, reject) => {
    mcp.stdout.on('data', (d) => {
      got += d;
      if (got.includes('"id":2')) resolve(got);
    });
    mcp.on('exit', (code) => reject(new Error(`humanos-mcp exited ${code}: ${got}`)));
  });
  const send = (m: object) => mcp.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
  send({
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'smoke', version: '0' } },
  });
  send({ method: 'notifications/initialized' });
  send({ id: 2, method: 'tools/list' });
  const reply = await listed;
  mcp.kill('SIGTERM');
  const tools = reply
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id?: number; result?: { tools?: { name: string }[] } })
    .find((m) => m.id === 2)?.result?.tools;
  expect(tools?.length).toBeGreaterThan(0);
}

async function pythonSmoke(venv: string, url: string, name: string): Promise<void> {
  const token = await principal(url, `did:agent:py-smoke-${name}`);
  const script = `from human_sdk import HumanOSClient
with HumanOSClient() as c:
    t = c.create_task('smoke from python', human_in_loop={'enabled': False})
    print(t.id)`;
  const id = (
    await sh(join(venv, 'bin/python'), ['-c', script], { cwd: venv, env: { HUMANOS_URL: url, HUMANOS_API_KEY: token } })
  ).trim();
  expect(await taskOf(url, id)).toMatchObject({
    description: 'smoke from python',
    requester: `did:agent:py-smoke-${name}`,
  });
}

async function goSmoke(bin: string, url: string, name: string): Promise<void> {
  const token = await principal(url, `did:agent:go-smoke-${name}`);
  const id = (await sh(bin, [], { env: { HUMANOS_URL: url, HUMANOS_API_KEY: token } })).trim();
  expect(await taskOf(url, id)).toMatchObject({
    description: 'smoke from go',
    requester: `did:agent:go-smoke-${name}`,
  });
}
