/**
 * The published shape: `npm pack` @humanos/core, @human/sdk, @humanos/mcp and @humanos/cli, install the tarballs
 * into an empty project outside the monorepo (their registry dependencies come from the registry),
 * then type-check and run a program against a real server and run the installed `humanos`.
 * Needs `npm run build` first (the tarballs hold dist/).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startTestServer, type TestServer } from '../../../test-support/harness.js';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');

const PROGRAM = `
import { HumanOSApiError, HumanOSClient, requireApproval, type CreateTaskInput, type Task } from '@human/sdk';

const admin = new HumanOSClient({ baseUrl: process.env.URL, apiKey: process.env.ADMIN });
const id = \`did:agent:packed-\${Date.now()}\`;
const bot = await admin.createPrincipal({ id, roles: [], capabilities: ['reports'] });
const agent = new HumanOSClient({ baseUrl: process.env.URL, apiKey: bot.token });
const input: CreateTaskInput = {
  description: 'Publish the weekly report',
  requiredCapabilities: ['reports'],
  approvalChain: [{ role: 'editor' }],
  aiProposal: { action: 'publish', confidence: null },
};
const created = await agent.createTask(input);
const task: Task = await agent.getTask(created.id);
const confidence: number | null = task.confidence;
const missing = await agent.getTask('task:human:000000000000000000000000').catch((e: unknown) => e);
const guarded = typeof requireApproval(async (x: number) => x + 1, { humanInLoop: { approverRole: 'editor' } });
console.log(JSON.stringify({
  me: (await agent.me()).id === id,
  status: task.status,
  confidence,
  notFound: missing instanceof HumanOSApiError ? missing.code : 'not an api error',
  guarded,
}));
`;

describe('npm pack: the SDK and the CLI install and work outside the monorepo', () => {
  let t: TestServer;
  let dir: string;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'humanos-pack-'));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('packs, installs, type-checks, runs against a real server; the installed humanos works', async () => {
    const tgz = join(dir, 'tgz');
    const app = join(dir, 'app');
    mkdirSync(tgz);
    mkdirSync(app);
    await run(
      NPM,
      [
        'pack',
        '--pack-destination',
        tgz,
        '-w',
        'packages/core',
        '-w',
        'packages/sdk',
        '-w',
        'packages/mcp',
        '-w',
        'packages/cli',
      ],
      {
        cwd: REPO_ROOT,
      },
    );
    const tarballs = readdirSync(tgz).sort();
    expect(tarballs).toEqual([
      'human-sdk-0.1.0.tgz',
      'humanos-cli-0.1.0.tgz',
      'humanos-core-0.1.0.tgz',
      'humanos-mcp-0.1.0.tgz',
    ]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run(NPM, ['install', '--no-audit', '--no-fund', ...tarballs.map((f) => join(tgz, f))], { cwd: app });
    // Nothing of the workspace leaks in: no server, no symlinks back into the repo.
    expect(readdirSync(join(app, 'node_modules/@humanos')).sort()).toEqual(['cli', 'core', 'mcp']);

    // The declarations type-check on their own (skipLibCheck off), with strict settings.
    writeFileSync(join(app, 'main.mts'), PROGRAM);
    const tsc = await run(
      process.execPath,
      [
        TSC,
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        'false',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--typeRoots',
        join(REPO_ROOT, 'node_modules/@types'),
        '--types',
        'node',
        'main.mts',
      ],
      { cwd: app },
    ).catch((e: { stdout: string }) => ({ stdout: e.stdout, failed: true }));
    expect(tsc.stdout).toBe('');

    // Run it (tsc strips the types) against the real server.
    await run(
      process.execPath,
      [
        TSC,
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--skipLibCheck',
        '--typeRoots',
        join(REPO_ROOT, 'node_modules/@types'),
        '--types',
        'node',
        'main.mts',
      ],
      { cwd: app },
    );
    const out = await run(process.execPath, ['main.mjs'], {
      cwd: app,
      env: { ...process.env, URL: t.url, ADMIN: t.admin.token },
    });
    expect(JSON.parse(out.stdout)).toEqual({
      me: true,
      status: 'awaiting_approval',
      confidence: null,
      notFound: 'not_found',
      guarded: 'function',
    });

    const bin = join(app, 'node_modules/.bin/humanos');
    const version = await run(bin, ['--version'], { cwd: app });
    expect(version.stdout).toBe('0.1.0\n');
    const list = await run(bin, ['principals', 'list', '--json', '--url', t.url, '--token', t.admin.token as string], {
      cwd: app,
    });
    expect(JSON.parse(list.stdout).items.map((p: { id: string }) => p.id)).toContain('did:human:admin');
    // `serve` needs the server package, which the CLI only names as an optional peer.
    const serve = await run(bin, ['serve'], { cwd: app }).catch((e: { code: number; stderr: string }) => e);
    expect(serve).toMatchObject({ code: 2 });
    expect((serve as { stderr: string }).stderr).toContain('npm install @humanos/server');
  }, 240_000);
});
