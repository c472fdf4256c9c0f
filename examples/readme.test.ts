/**
 * The README's "A first approval, by hand" walk-through, run from a fresh clone exactly as written:
 * the shell blocks are read from README.md itself (so they cannot drift from what is tested), split
 * at their `# terminal N` comments, and run with bash in a `git clone` of this checkout, against the
 * server its first line starts (`npm start`: build, then serve on the default SQLite store).
 *
 * Two substitutions, both outside what the README asks of a reader: `npm ci` is replaced by links to
 * this checkout's node_modules (a full install takes minutes and the network; the links reproduce
 * what `npm ci` leaves — the workspace packages point into the clone, so nothing of the clone is
 * built before its `npm start`), and the port 8787 by a free one. `<approvalId>` is the id invoice.ts
 * printed, as a reader would paste it. The README's path is the zero-configuration SQLite default,
 * so this test runs it on SQLite only.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test-support/harness.js';

/** The fenced `sh` blocks of the README section with this heading. */
function shellBlocks(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/** The block's lines between `# terminal N` markers (the first part has the marker as a comment). */
function terminals(block: string): string[][] {
  const parts: string[][] = [[]];
  for (const line of block.split('\n')) {
    if (/^# terminal \d/.test(line)) parts.push([]);
    else if (line.trim() !== '') parts.at(-1)?.push(line);
  }
  return parts;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** What `npm ci` leaves in the clone: third-party packages linked, workspace links into the clone. */
function linkNodeModules(clone: string): void {
  const from = join(REPO_ROOT, 'node_modules');
  const to = join(clone, 'node_modules');
  mkdirSync(to);
  for (const entry of readdirSync(from)) {
    if (entry === '@humanos' || entry === '@human' || entry === '.bin') {
      // Relative links (../../packages/x, ../@humanos/cli/bin/…): copied as links, they resolve in the clone.
      execFileSync('cp', ['-a', join(from, entry), join(to, entry)]);
    } else {
      symlinkSync(join(from, entry), join(to, entry));
    }
  }
  for (const ws of readdirSync(join(REPO_ROOT, 'packages'))) {
    const nested = join(REPO_ROOT, 'packages', ws, 'node_modules');
    if (existsSync(nested)) symlinkSync(nested, join(clone, 'packages', ws, 'node_modules'));
  }
  // .gitignore's `node_modules/` matches directories, and these are links: not what `npm ci` leaves.
  appendFileSync(join(clone, '.git/info/exclude'), 'node_modules\n');
}

interface Shell {
  proc: ChildProcess;
  out: () => string;
  done: Promise<number | null>;
}

/** bash running `script` in the clone, in its own process group (so its `&` jobs can be stopped too). */
function bash(cwd: string, script: string, env: Record<string, string> = {}): Shell {
  const proc = spawn('bash', ['-e', '-c', script], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HUMANOS_URL: '', HUMANOS_API_KEY: '', PORT: '', ...env },
  });
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    out += d;
  });
  return { proc, out: () => out, done: new Promise((r) => proc.on('exit', (code) => r(code))) };
}

function stop(shell: Shell | undefined): void {
  if (shell?.proc.pid === undefined) return;
  try {
    process.kill(-shell.proc.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

async function until<T>(what: string, check: () => T | undefined | false, ms: number, log: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${ms} ms; output:\n${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

describe('the README, word for word, from a fresh clone [sqlite]', () => {
  const blocks = shellBlocks(README, 'A first approval, by hand');
  const [walk, sdkApprover] = blocks as [string, string];
  const [first, second, third] = terminals(walk) as [string[], string[], string[]];
  const clone = join(mkdtempSync(join(tmpdir(), 'humanos-readme-')), 'humanos');
  let url = '';
  let server: Shell | undefined;
  let agent: Shell | undefined;

  beforeAll(async () => {
    execFileSync('git', ['clone', '--quiet', REPO_ROOT, clone]);
    linkNodeModules(clone);
    url = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(async () => {
    stop(agent);
    stop(server);
    await server?.done;
    rmSync(join(clone, '..'), { recursive: true, force: true });
  });

  it('has the blocks this test runs', () => {
    expect(blocks).toHaveLength(2);
    expect(first).toEqual([expect.stringMatching(/^npm ci && npm start\s+#/)]);
    expect(second.length).toBeGreaterThanOrEqual(4);
    expect(third.some((l) => l.includes('<approvalId>'))).toBe(true);
  });

  it('npx humanos works before the first build: it says to build first', () => {
    const r = bash(clone, 'npx humanos inbox');
    return r.done.then((code) => {
      expect(code, r.out()).toBe(1);
      expect(r.out()).toContain('not built yet');
      expect(r.out()).toContain('npm run build');
      expect(r.out()).not.toContain('could not determine executable');
    });
  });

  it('terminal 1 builds and starts the server; terminals 2 and 3 make, decide and execute an approval', async () => {
    // Terminal 1: `npm ci` is the linked node_modules (see above); the rest as written.
    const start = (first[0] as string).replace(/^npm ci && /, '');
    server = bash(clone, start, { PORT: url.split(':')[2] as string, HUMANOS_LOG_LEVEL: 'warn' });
    const tokenFile = join(clone, '.humanos/admin-token');
    await until('the server start', () => existsSync(tokenFile), 240_000, server.out);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);

    // Terminal 2: keys, the worker in the background, the agent waiting for the approval.
    agent = bash(clone, second.join('\n').replaceAll('http://127.0.0.1:8787', url));
    const approvalId = await until(
      'the approval id',
      () => / Approval: (approval:human:[0-9a-f]{24})/.exec(agent?.out() ?? '')?.[1],
      90_000,
      agent.out,
    );
    const keys = join(clone, '.humanos/keys.env');
    expect(statSync(keys).mode & 0o777).toBe(0o600);
    expect(readFileSync(keys, 'utf8')).toMatch(/^export AGENT_KEY='[^']+'\nexport APPROVER_KEY=/);
    // The tokens stay out of git: the clone is as clean as it was cloned (build output is ignored too).
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: clone, encoding: 'utf8' })).toBe('');

    // Terminal 3, a line at a time after its first (the environment): each step's outcome.
    const [env, ...steps] = third.map((l) => l.replaceAll('http://127.0.0.1:8787', url));
    const outcomes: { code: number | null; out: string }[] = [];
    for (const step of steps) {
      const sh = bash(clone, `${env}\n${step.replaceAll('<approvalId>', approvalId)}`);
      outcomes.push({ code: await sh.done, out: sh.out() });
    }
    const [inbox, approve, inboxJson] = outcomes as [(typeof outcomes)[0], (typeof outcomes)[0], (typeof outcomes)[0]];
    expect(inbox.code, inbox.out).toBe(0);
    expect(inbox.out).toContain(approvalId);
    expect(approve.code, approve.out).toBe(0);
    expect(approve.out).toMatch(/approved/i);
    expect(inboxJson.code, inboxJson.out).toBe(0);
    expect(JSON.parse(inboxJson.out)).toMatchObject({ items: [] });

    // Back in terminal 2: the approval arrives, the worker executes the invoice, the agent sees it done.
    expect(await agent.done, agent.out()).toBe(0);
    expect(agent.out()).toContain('✅ Approved by did:human:finance-manager');
    expect(agent.out()).toContain('🏁 Task completed');
    stop(agent); // the worker (`&`) runs until stopped, as in a terminal

    // The SDK snippet's approver: the one command before it creates a dba_lead.
    const add = bash(clone, sdkApprover, { HUMANOS_URL: url });
    expect(await add.done, add.out()).toBe(0);
    const who = bash(clone, `HUMANOS_API_KEY=$(cat .humanos/admin-token) npx humanos principals list --json`, {
      HUMANOS_URL: url,
    });
    expect(await who.done, who.out()).toBe(0);
    const listed = JSON.parse(who.out()) as { items: { id: string; roles: string[] }[] };
    expect(listed.items.find((p) => p.id === 'did:human:john-dba')?.roles).toEqual(['dba_lead']);
  }, 420_000);
});
