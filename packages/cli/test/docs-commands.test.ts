/**
 * Every `humanos <command> [<subcommand>]` that README.md and docs/ name in code (fenced blocks and
 * inline code) exists in the CLI: the command tree is read from the CLI itself (`buildProgram`), so
 * a renamed or removed command fails here instead of in a reader's terminal (`principals create`
 * was documented while the command is `add`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test-support/harness.js';
import { Ctx } from '../src/context.js';
import { buildProgram } from '../src/index.js';

/** Command paths the CLI has: `inbox`, `principals`, `principals add`, … (and commander's `help`). */
function commandTree(): Map<string, Set<string>> {
  const io = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, prompt: async () => '' };
  const program = buildProgram(new Ctx(io));
  const tree = new Map<string, Set<string>>([['help', new Set()]]);
  for (const c of program.commands as Command[]) {
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
});
