/**
 * Every `humanos <command> [<subcommand>]` that README.md and docs/ name in code (fenced blocks and
 * inline code) exists in the CLI: the command tree is read from the CLI itself (`buildProgram`), so
 * a renamed or removed command fails here instead of in a reader's terminal (`principals create`
 * was documented while the command is `add`). So does every `--flag` given to such a command, and
 * every `HUMANOS_*` variable the docs name is read by some code (the server's config, the CLI, an
 * SDK, a deploy file or a test harness), and every `METHOD /path` they name is a route the server has
 * (its route table, `packages/server/test/system/__snapshots__/routes.txt`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test-support/harness.js';
import { Ctx } from '../src/context.js';
import { buildProgram } from '../src/index.js';

function program(): Command {
  const io = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, prompt: async () => '' };
  return buildProgram(new Ctx(io));
}

/** Command paths the CLI has: `inbox`, `principals`, `principals add`, … (and commander's `help`). */
function commandTree(): Map<string, Set<string>> {
  const tree = new Map<string, Set<string>>([['help', new Set()]]);
  for (const c of program().commands as Command[]) {
    const subs = new Set((c.commands as Command[]).map((s) => s.name()));
    for (const name of [c.name(), ...c.aliases()]) tree.set(name, subs);
  }
  return tree;
}

/** The code in a Markdown file: fenced blocks and inline code spans. */
function codeOf(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const prose = markdown.replace(/```[^\n]*\n[\s\S]*?```/g, '');
  const inline = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
  return [...fenced, ...inline];
}

/**
 * `humanos word [word]` as a command line would have it: not `humanos-mcp`, `humanos.ledger`, Slack's
 * `/humanos link`, or an MCP client's server name before a URL (`… humanos https://…`).
 */
function namedCommands(code: string): { command: string; sub: string | undefined }[] {
  return [
    ...code.matchAll(/(?:^|[\s;|&(`$])humanos ([a-z][a-z0-9-]*)(?=[\s`'"]|$)(?: ([a-z][a-z0-9-]*)(?=[\s`'"]|$))?/gm),
  ].map((m) => ({ command: m[1] as string, sub: m[2] }));
}

/** Named on purpose although not commands: cli.md shows the suggestion for a typo. */
const NOT_COMMANDS = new Set(['humanos inbx']);

const FILES = [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('the commands the docs name', () => {
  const tree = commandTree();

  it('reads a command tree with the documented commands in it', () => {
    expect(tree.get('principals')).toContain('add');
    expect(tree.get('ledger')).toContain('verify');
    expect(namedCommands('npx humanos principals add did:x --role r')).toEqual([{ command: 'principals', sub: 'add' }]);
    expect(namedCommands('humanos show approval:human:…')).toEqual([{ command: 'show', sub: undefined }]);
    expect(
      namedCommands('humanos-mcp; humanos.ledger/x; /humanos link C; claude mcp add humanos https://h/mcp'),
    ).toEqual([]);
  });

  it.each(FILES)('%s names only commands the CLI has', (file) => {
    const missing: string[] = [];
    for (const code of codeOf(readFileSync(join(REPO_ROOT, file), 'utf8'))) {
      for (const { command, sub } of namedCommands(code)) {
        const subs = tree.get(command);
        if (NOT_COMMANDS.has(`humanos ${command}`)) continue;
        if (!subs) missing.push(`humanos ${command}`);
        // A second word is a subcommand only for commands that have subcommands (else an argument).
        else if (sub !== undefined && subs.size > 0 && !subs.has(sub)) missing.push(`humanos ${command} ${sub}`);
      }
    }
    expect(missing, `${file} names commands the CLI does not have`).toEqual([]);
  });

  it.each(FILES)('%s gives those commands only flags they take', (file) => {
    const wrong: string[] = [];
    for (const code of codeOf(readFileSync(join(REPO_ROOT, file), 'utf8')))
      for (const { line, flags } of flagUses(code)) if (flags.length) wrong.push(`${line}: ${flags.join(', ')}`);
    expect(wrong, `${file} gives flags the CLI does not take`).toEqual([]);
  });

  it('reads the flags of a command line, its subcommand and the global ones', () => {
    expect(flagUses('humanos ledger verify --file x --public-key k --json')).toEqual([
      { line: 'humanos ledger verify --file x --public-key k --json', flags: [] },
    ]);
    expect(flagUses('npx humanos principals add did:x --rol r | jq')[0]?.flags).toEqual(['--rol']);
    // Commands that hand their flags to another program (`serve`, `mcp-gateway`) take any.
    expect(flagUses('humanos serve --port 9000')[0]?.flags).toEqual([]);
  });

  it.each(FILES)('%s names only routes the server has', (file) => {
    expect(unknownRoutes(readFileSync(join(REPO_ROOT, file), 'utf8'))).toEqual([]);
  });

  it('finds a route the server does not have', () => {
    expect(unknownRoutes('`POST /tasks/{taskId}/execute`, `GET /approvals/{id}`, `POST /tasks/{id}/launch`')).toEqual([
      'POST /tasks/{id}/launch',
    ]);
  });

  it('names only HUMANOS_* variables some code reads', () => {
    const read = variablesInCode();
    expect(read).toContain('HUMANOS_ADMIN_TOKEN');
    const unread = FILES.flatMap((file) =>
      [...new Set(readFileSync(join(REPO_ROOT, file), 'utf8').match(/\bHUMANOS_[A-Z0-9_]+\b/g) ?? [])]
        .filter((v) => !read.has(v))
        .map((v) => `${file}: ${v}`),
    );
    expect(unread).toEqual([]);
  });
});

/**
 * Routes the docs name that the route table does not list: registered only when their channel is
 * configured (the table is of a server without Slack and e-mail), or a receiver's URL in an example.
 */
const NOT_IN_ROUTE_TABLE = new Set([
  'POST /channels/email/decide',
  'POST /channels/slack/interactions',
  'POST /hooks/humanos',
]);

/** `METHOD /path` in the docs with no route of that method whose pattern ends with the path. */
function unknownRoutes(markdown: string): string[] {
  const table = readFileSync(join(REPO_ROOT, 'packages/server/test/system/__snapshots__/routes.txt'), 'utf8')
    .split('\n')
    .map((l) => /^(\S+) \(([^)]*)\)$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ segments: (m[1] as string).split('/'), methods: (m[2] as string).split(', ') }));
  // Compared from the right: a path may be shortened from the left (`POST /execute`, no `/v1/humanos`),
  // and a pattern's `:param` matches any one segment (a documented `{taskId}` or a value, `auditor`).
  const matches = (route: string[], path: string[]) =>
    path.length <= route.length &&
    path.every((seg, i) => {
      const r = route[route.length - path.length + i] as string;
      return r === seg || r.startsWith(':');
    });
  const named = [...markdown.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/[A-Za-z0-9/{}:._-]*[A-Za-z0-9}])/g)];
  return named
    .filter(
      ([use, method, path]) =>
        !NOT_IN_ROUTE_TABLE.has(use) &&
        !table.some(
          (r) => r.methods.includes(method as string) && matches(r.segments, (path as string).split('/').slice(1)),
        ),
    )
    .map(([use]) => use);
}

const cli = program();
const optionsOf = (c: Command) => c.options.flatMap((o) => [o.long, o.short].filter((f) => f !== undefined));

/** Each `humanos <command> …` invocation in `code` and the flags in it that the command does not take. */
function flagUses(code: string): { line: string; flags: string[] }[] {
  const uses: { line: string; flags: string[] }[] = [];
  // One invocation: up to a shell separator or a comment; a `\` line continuation joins lines.
  for (const m of code.replace(/\\\n/g, ' ').matchAll(/(?:^|[\s;|&(`$])humanos ([a-z][a-z0-9-]*)([^|;&\n#`]*)/gm)) {
    const command = (cli.commands as Command[]).find((c) => c.name() === m[1] || c.aliases().includes(m[1] as string));
    if (!command) continue; // not a command: the test above reports it
    const words = (m[2] ?? '').trim().split(/\s+/);
    const sub = (command.commands as Command[]).find((c) => c.name() === words[0]);
    const takesAny = (command as unknown as { _allowUnknownOption: boolean })._allowUnknownOption;
    const known = new Set([...optionsOf(cli), ...optionsOf(command), ...(sub ? optionsOf(sub) : [])]);
    const flags = takesAny
      ? []
      : words.map((w) => /^--?[a-zA-Z][a-zA-Z0-9-]*/.exec(w)?.[0]).filter((f) => f !== undefined && !known.has(f));
    uses.push({ line: m[0].trim(), flags: flags as string[] });
  }
  return uses;
}

/** Every `HUMANOS_*` name in the code that reads configuration (not in the docs themselves). */
function variablesInCode(): Set<string> {
  const roots = ['packages', 'sdks', 'scripts', 'deploy', 'test-support', 'examples'];
  const source = /\.(ts|mjs|js|py|go|sh|ya?ml|service|toml)$|(^|\/)Dockerfile$/;
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (source.test(path))
        for (const v of readFileSync(path, 'utf8').match(/\bHUMANOS_[A-Z0-9_]+\b/g) ?? []) found.add(v);
    }
  };
  for (const root of roots) walk(join(REPO_ROOT, root));
  return found;
}
