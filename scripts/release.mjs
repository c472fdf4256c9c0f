#!/usr/bin/env node
// `npm run release`: builds the versioned artifacts that install without this repository into
// dist/release/ (see docs/install.md):
//
//   humanos-server-<v>-<os>-<arch>.tar.gz  the server, self-contained: built code and its production
//                                          dependencies (better-sqlite3's native binding is built
//                                          for this OS, CPU and Node ABI), `bin/humanos serve`
//   npm/*.tgz                              `npm pack` of @human/sdk, @humanos/cli, @humanos/mcp and the
//                                          workspace packages they depend on (@humanos/core, …), and of
//                                          the agent-framework adapters (@humanos/langgraph,
//                                          @humanos/openai-agents, @humanos/ai-sdk; each at its own version)
//   python/human_sdk-<v>-*.whl, *.tar.gz   the Python SDK's wheel and sdist (`python3 -m build`), and
//   python/humanos_<adapter>-*             the Python adapters' (sdks/python-adapters/*: langgraph,
//                                          openai_agents, pydantic_ai, adk; each at its own version)
//   go/sdk-go-<v>.tar.gz                   the Go module's source as of the commit, tagged `sdks/go/v<v>`
//   SHA256SUMS                             checksums of all of the above
//
// Each release also gets an upgrade fixture (scripts/make-upgrade-fixture.mjs; this script says when
// the version has none yet).
//
// Flags: --no-build (reuse the current build), --skip python,go (leave those artifacts out), --out DIR
// (instead of dist/release; the release test builds into a temporary directory).
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const OUT = args.includes('--out') ? resolve(args[args.indexOf('--out') + 1] ?? '') : join(ROOT, 'dist/release');
const skip = new Set((args[args.indexOf('--skip') + 1] ?? '').split(',').filter((s) => args.includes('--skip') && s));
const version = JSON.parse(readFileSync(join(ROOT, 'packages/server/package.json'), 'utf8')).version;

/** Workspaces packed as npm tarballs: the three to publish and the ones they (and the server) depend on. */
const PACKED = ['core', 'sdk', 'mcp', 'cli', 'web', 'server'];
/** The agent-framework adapters: packed beside the SDK, never part of the server tarball. */
const ADAPTERS = ['langgraph', 'openai-agents', 'ai-sdk'];
/** The Python adapters (directories of sdks/python-adapters/), built beside the Python SDK. */
const PY_ADAPTERS = ['langgraph', 'openai_agents', 'pydantic_ai', 'adk'];

function run(cmd, argv, opts = {}) {
  return execFileSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
}

function say(msg) {
  process.stderr.write(`release: ${msg}\n`);
}

/** `npm pack` of each workspace named; returns package name → tarball path. */
function packWorkspaces(workspaces) {
  const dir = join(OUT, 'npm');
  mkdirSync(dir, { recursive: true });
  const tarballs = new Map();
  // One npm run for all of them: each start of npm costs more than packing a workspace.
  const out = JSON.parse(
    run('npm', ['pack', '--json', '--pack-destination', dir, ...workspaces.flatMap((ws) => ['-w', `packages/${ws}`])]),
  );
  for (const p of out) tarballs.set(p.name, join(dir, p.filename));
  return tarballs;
}

/** Files of better-sqlite3 that only building it needs (its SQLite sources, object files): ~20 MB. */
function wanted(src) {
  const rel = relative(ROOT, src).split(sep).join('/');
  return !/better-sqlite3\/(deps|src)(\/|$)|better-sqlite3\/build\/(deps|Release\/obj|Release\/obj\.target|Release\/\.deps)(\/|$)/.test(
    rel,
  );
}

/**
 * The production dependency tree of the server and the CLI, copied from this checkout's
 * node_modules (installed by `npm ci` from package-lock.json, so exactly the locked versions) into
 * `stage/node_modules`; the workspace packages come from their npm tarballs (only their `files`).
 */
function stageServer(tarballs) {
  const name = `humanos-server-${version}`;
  const stage = join(OUT, '.stage', name);
  rmSync(join(OUT, '.stage'), { recursive: true, force: true });
  mkdirSync(join(stage, 'node_modules'), { recursive: true });
  const listed = run('npm', ['ls', '--omit=dev', '--all', '--parseable', '-w', '@humanos/server', '-w', '@humanos/cli'])
    .split('\n')
    .filter(Boolean)
    .map((p) => relative(ROOT, p).split(sep).join('/'));
  for (const rel of new Set(listed)) {
    // Top-level packages only (node_modules/x or node_modules/@s/x): their nested node_modules come along.
    const top = /^node_modules\/(@[^/]+\/)?[^/]+$/.test(rel);
    const nestedInWorkspace = /^packages\/([^/]+)\/node_modules\/((@[^/]+\/)?[^/]+)$/.exec(rel);
    if (top) {
      const pkgName = rel.slice('node_modules/'.length);
      if (tarballs.has(pkgName)) continue;
      cpSync(join(ROOT, rel), join(stage, rel), { recursive: true, filter: wanted });
    } else if (nestedInWorkspace) {
      const ws = JSON.parse(readFileSync(join(ROOT, 'packages', nestedInWorkspace[1], 'package.json'), 'utf8')).name;
      cpSync(join(ROOT, rel), join(stage, 'node_modules', ws, 'node_modules', nestedInWorkspace[2]), {
        recursive: true,
        filter: wanted,
      });
    }
  }
  for (const [pkgName, tgz] of tarballs) {
    const dest = join(stage, 'node_modules', pkgName);
    const nested = join(dest, 'node_modules');
    const keep = existsSync(nested);
    if (keep) cpSync(nested, join(OUT, '.stage', 'nested'), { recursive: true });
    mkdirSync(dest, { recursive: true });
    run('tar', ['xzf', tgz, '-C', dest, '--strip-components=1']);
    if (keep) {
      cpSync(join(OUT, '.stage', 'nested'), nested, { recursive: true });
      rmSync(join(OUT, '.stage', 'nested'), { recursive: true });
    }
  }
  mkdirSync(join(stage, 'bin'));
  writeFileSync(
    join(stage, 'bin/humanos'),
    [
      '#!/bin/sh',
      '# The humanos command of this release: `bin/humanos serve` runs the server; every other command of',
      '# the CLI works too (`bin/humanos --help`). Needs Node.js 20.11 or later on PATH.',
      'here=$(dirname "$(readlink -f "$0")")',
      'exec node "$here/../node_modules/@humanos/cli/dist/main.js" "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(join(stage, 'bin/humanos'), 0o755);
  writeFileSync(
    join(stage, 'package.json'),
    `${JSON.stringify(
      {
        name: 'humanos-server',
        version,
        private: true,
        description: 'HumanOS server release: bin/humanos serve',
        license: 'Apache-2.0',
        type: 'module',
        engines: { node: '>=20.11' },
        os: [platform()],
        cpu: [arch()],
        humanos: { node: process.version, modules: process.versions.modules },
      },
      null,
      2,
    )}\n`,
  );
  for (const f of ['LICENSE', 'CHANGELOG.md', 'SECURITY.md']) cpSync(join(ROOT, f), join(stage, f));
  cpSync(join(ROOT, 'deploy'), join(stage, 'deploy'), { recursive: true });
  const file = `${name}-${platform()}-${arch()}.tar.gz`;
  run('tar', ['czf', join(OUT, file), '--owner=0', '--group=0', '-C', join(OUT, '.stage'), name]);
  rmSync(join(OUT, '.stage'), { recursive: true, force: true });
  return file;
}

/**
 * Started first and awaited last: the Python builds overlap the rest. The SDK and each adapter are
 * built by `python3 -m build` (the sdist, then the wheel from it, so the sdist is known to build) in
 * one throw-away venv holding `build` and the build backend their pyproject.toml files all ask for
 * (hatchling, from PyPI or pip's cache): one environment for all five instead of two per project,
 * as `build`'s default isolation would make.
 */
async function buildPython() {
  const dir = join(OUT, 'python');
  const env = mkdtempSync(join(tmpdir(), 'humanos-pybuild-'));
  const exec = (cmd, argv) =>
    new Promise((resolveRun, reject) => {
      // `python -m build` prints its errors on stdout: both streams go into the error.
      execFile(cmd, argv, { cwd: ROOT }, (e, out, err) =>
        e ? reject(new Error(`${cmd} ${argv.join(' ')} failed: ${e.message}\n${out}${err}`)) : resolveRun(undefined),
      );
    });
  try {
    await exec('python3', ['-m', 'venv', env]);
    await exec(join(env, 'bin/pip'), [
      'install',
      '-q',
      '--disable-pip-version-check',
      'build==1.2.2',
      'hatchling>=1.21,<2',
    ]);
    // Made before the parallel builds: `build` creates a missing outdir with a check-then-makedirs
    // (no exist_ok), so two builds reaching it at once fail one of them with FileExistsError.
    mkdirSync(dir, { recursive: true });
    const projects = ['sdks/python', ...PY_ADAPTERS.map((a) => `sdks/python-adapters/${a}`)];
    await Promise.all(
      projects.map((project) =>
        exec(join(env, 'bin/python'), [
          '-m',
          'build',
          '--no-isolation',
          '--sdist',
          '--wheel',
          '--outdir',
          dir,
          project,
        ]),
      ),
    );
  } finally {
    rmSync(env, { recursive: true, force: true });
  }
}

function buildGo() {
  const dir = join(OUT, 'go');
  mkdirSync(dir, { recursive: true });
  // The module as committed (what the tag `sdks/go/v<version>` names), not the working tree.
  run('git', [
    'archive',
    '--format=tar.gz',
    `--prefix=sdk-go-${version}/`,
    '-o',
    join(dir, `sdk-go-${version}.tar.gz`),
    'HEAD:sdks/go',
  ]);
  writeFileSync(join(dir, 'TAG'), `sdks/go/v${version}\n`);
}

function checksums() {
  const lines = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e !== 'SHA256SUMS' && e !== 'TAG')
        lines.push(`${createHash('sha256').update(readFileSync(p)).digest('hex')}  ${relative(OUT, p)}`);
    }
  };
  walk(OUT);
  writeFileSync(join(OUT, 'SHA256SUMS'), `${lines.join('\n')}\n`);
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
if (!args.includes('--no-build')) {
  say('building');
  run('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const python = skip.has('python') ? undefined : buildPython();
say(`version ${version}: npm packs${python ? ' (the Python wheels and sdists alongside)' : ''}`);
const tarballs = packWorkspaces(PACKED);
packWorkspaces(ADAPTERS);
say('server tarball');
const server = stageServer(tarballs);
if (!skip.has('go')) {
  say('go module');
  buildGo();
}
if (python) {
  say('waiting for the Python wheels and sdists');
  await python;
}
checksums();
// The next release's upgrade test opens this release's databases: they are made from its commit.
if (!existsSync(join(ROOT, 'testdata/upgrade', version)))
  say(
    `no upgrade fixture for ${version} yet: once this commit is tagged v${version}, run ` +
      `\`node scripts/make-upgrade-fixture.mjs v${version}\` and commit testdata/upgrade/${version}/ (docs/operations.md, "Upgrading")`,
  );
say(
  `done: ${relative(ROOT, OUT)}/ (${server}, npm/, ${skip.has('python') ? '' : 'python/, '}${skip.has('go') ? '' : 'go/, '}SHA256SUMS)`,
);
process.stdout.write(`${JSON.stringify({ version, dir: OUT, server: join(OUT, server) })}\n`);
