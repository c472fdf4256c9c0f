/**
 * Runs the Python and Go SDK suites (`sdks/python`, `sdks/go`) against a real HumanOS server started
 * once per backend (a SQLite file, then a fresh PostgreSQL database), plus their lint and type checks.
 * Part of `npm test`; run alone with `npx tsx test-support/sdk-suites.ts [python|go ...]`.
 *
 * Each suite gets:
 *   HUMANOS_TEST_URL          the server's base URL (e.g. http://127.0.0.1:40123)
 *   HUMANOS_TEST_ADMIN_TOKEN  the admin's token (tests create their own principals with it)
 *   HUMANOS_TEST_BACKEND      sqlite | postgres
 * The server runs its timers every 100 ms so short approval timeouts fire promptly, and in test mode
 * with its audit review sweeper a day (plus the grace) ahead: a periodic review opens only once its
 * UTC period has ended, and the suites cannot move a spawned server's clock, so today's `daily`
 * unattended runs are reviewed on the next sweep instead (HUMANOS_TEST_REVIEW_CLOCK_OFFSET_MS, see
 * docs/operations.md). Every other timer keeps the real clock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, type BackendName, backends, createBackend, REPO_ROOT, spawnServer } from './harness.js';

/** A day and the review grace (5 min): the running day counts as ended for the review sweeper. */
const REVIEW_CLOCK_OFFSET_MS = 24 * 3_600_000 + 5 * 60_000;

interface Suite {
  name: 'python' | 'python-adapters' | 'go';
  dir: string;
  /** Static checks, run once. */
  checks: string[][];
  /** The tests, run once per backend. */
  test: string[];
  cwd: string;
}

const SUITES: Suite[] = [
  {
    name: 'python',
    dir: 'sdks/python',
    cwd: join(REPO_ROOT, 'sdks/python'),
    checks: [
      ['python3', '-m', 'ruff', 'check', '.'],
      ['python3', '-m', 'ruff', 'format', '--check', '.'],
      ['python3', '-m', 'mypy'],
    ],
    test: ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider'],
  },
  {
    // The agent-framework adapters (LangGraph, OpenAI Agents, Pydantic AI, Google ADK): each folder
    // under sdks/python-adapters is a package over the Python SDK, tested with its real framework.
    name: 'python-adapters',
    dir: 'sdks/python-adapters',
    cwd: join(REPO_ROOT, 'sdks/python-adapters'),
    checks: [
      ['python3', '-m', 'ruff', 'check', '.'],
      ['python3', '-m', 'ruff', 'format', '--check', '.'],
      // Strict mypy, one run per adapter (each tests folder has a conftest.py of its own).
      ['sh', 'scripts/typecheck.sh'],
    ],
    test: ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider'],
  },
  {
    name: 'go',
    dir: 'sdks/go',
    cwd: join(REPO_ROOT, 'sdks/go'),
    checks: [
      ['go', 'vet', './...'],
      ['sh', '-c', 'out=$(gofmt -l .); if [ -n "$out" ]; then echo "gofmt: not formatted: $out"; exit 1; fi'],
      // From the Go module proxy on first use, then the module cache.
      ['go', 'run', 'honnef.co/go/tools/cmd/staticcheck@v0.8.2', './...'],
    ],
    test: ['go', 'test', '-count=1', './...'],
  },
];

/** A suite runs when its folder exists; the adapters' folder, once it holds an adapter package. */
function present(s: Suite): boolean {
  const dir = join(REPO_ROOT, s.dir);
  if (!existsSync(dir)) return false;
  if (s.name !== 'python-adapters') return true;
  return readdirSync(dir).some((d) => existsSync(join(dir, d, 'pyproject.toml')));
}

/**
 * One lane of work (the static checks, or one backend's suites) whose output is kept and printed
 * whole when the lane ends, so lanes can run side by side and the log still reads lane by lane.
 */
class Lane {
  private readonly out: Buffer[] = [];
  ok = true;
  constructor(readonly title: string) {}

  write(text: string): void {
    this.out.push(Buffer.from(text));
  }

  /** Runs one command to its end; its stdout and stderr go to the lane's log. */
  run(cmd: string[], cwd: string, env: Record<string, string> = {}): Promise<boolean> {
    this.write(`\n$ ${cmd.join(' ')}   (in ${cwd.replace(`${REPO_ROOT}/`, '')})\n`);
    return new Promise((resolve) => {
      const child = spawn(cmd[0] as string, cmd.slice(1), { cwd, env: { ...process.env, ...env } });
      child.stdout.on('data', (b: Buffer) => this.out.push(b));
      child.stderr.on('data', (b: Buffer) => this.out.push(b));
      child.on('error', (e) => {
        this.write(`${cmd[0]}: ${e.message}\n`);
      });
      child.on('close', (code) => {
        const ok = code === 0;
        this.ok &&= ok;
        resolve(ok);
      });
    });
  }

  flush(): void {
    process.stdout.write(`\n==== ${this.title}: ${this.ok ? 'passed' : 'FAILED'}\n`);
    process.stdout.write(Buffer.concat(this.out));
  }
}

/** The static checks of every suite, once. */
async function checks(suites: Suite[]): Promise<Lane> {
  const lane = new Lane('lint and type checks');
  for (const s of suites) for (const c of s.checks) await lane.run(c, s.cwd);
  return lane;
}

/** Every suite against one server on one backend (a SQLite file, or a fresh PostgreSQL database). */
async function onBackend(name: BackendName, suites: Suite[]): Promise<Lane> {
  const lane = new Lane(`SDK suites on ${name}`);
  const backend = await createBackend(name);
  // No rate limit: one suite's principals send faster than a production client would.
  const server = await spawnServer({
    ...backend.env,
    HUMANOS_TIMER_INTERVAL_MS: '100',
    HUMANOS_RATE_LIMIT: '0',
    HUMANOS_TEST_MODE: '1',
    HUMANOS_TEST_REVIEW_CLOCK_OFFSET_MS: String(REVIEW_CLOCK_OFFSET_MS),
    // The adapters' webhook tests receive deliveries on a loopback port of their own.
    HUMANOS_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
  });
  try {
    const env = { HUMANOS_TEST_URL: server.url, HUMANOS_TEST_ADMIN_TOKEN: ADMIN_TOKEN, HUMANOS_TEST_BACKEND: name };
    for (const s of suites) {
      lane.write(`\n== ${s.name} SDK suite on ${name}\n`);
      await lane.run(s.test, s.cwd, env);
    }
  } finally {
    await server.kill('SIGTERM');
    await server.kill('SIGKILL');
    await backend.drop();
  }
  return lane;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const suites = SUITES.filter((s) => present(s) && (!wanted.length || wanted.includes(s.name)));
  if (!suites.length) {
    process.stdout.write('sdk-suites: no SDK suites present\n');
    return;
  }
  // The same preparation as .ci/run (idempotent, quick when all is there): the Python tools, Go.
  const prep = spawnSync('bash', [join(REPO_ROOT, 'scripts/ensure-services.sh')], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (prep.status !== 0) process.exit(1);
  // The backends have a server and a database each, and the suites spend most of their time waiting
  // on it, so the checks and the backends run side by side (about half the wall time of one by one).
  const names: BackendName[] = process.env.HUMANOS_TEST_PG === '0' ? ['sqlite'] : backends();
  const lanes = [checks(suites), ...names.map((n) => onBackend(n, suites))];
  let ok = true;
  for (const lane of lanes) {
    const done = await lane;
    done.flush();
    ok &&= done.ok;
  }
  if (!ok) {
    process.stderr.write('\nsdk-suites: a Python or Go check or test failed\n');
    process.exit(1);
  }
}

await main();
