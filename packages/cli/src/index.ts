/**
 * `humanos`: the command line for approvers, operators and auditors, on commander.
 *
 * Conventions: data on stdout, messages on stderr; `--json` for machine-readable output; distinct
 * exit codes (see EXIT); prompts only when stdin is a terminal; `NO_COLOR` honoured. Configuration
 * from flags (`--url`, `--token`, anywhere on the line), then `HUMANOS_URL` / `HUMANOS_API_KEY`, then
 * the config file (`HUMANOS_CONFIG`, default `~/.config/humanos/config.json`, `{ "url": …, "token": … }`).
 * One file per command in `commands/`.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import * as approve from './commands/approve.js';
import * as audit from './commands/audit.js';
import * as backup from './commands/backup.js';
import * as cancel from './commands/cancel.js';
import * as channels from './commands/channels.js';
import * as delegate from './commands/delegate.js';
import * as inbox from './commands/inbox.js';
import * as ledger from './commands/ledger.js';
import * as login from './commands/login.js';
import * as mcp from './commands/mcp.js';
import * as policy from './commands/policy.js';
import * as principals from './commands/principals.js';
import * as reject from './commands/reject.js';
import * as requestChanges from './commands/requestChanges.js';
import * as serve from './commands/serve.js';
import * as show from './commands/show.js';
import * as task from './commands/task.js';
import * as tasks from './commands/tasks.js';
import * as webhooks from './commands/webhooks.js';
import * as witness from './commands/witness.js';
import { Ctx, EXIT, type Io } from './context.js';
import { report } from './exitCodes.js';

export { EXIT, type Io } from './context.js';

/** The CLI's version, from its package.json. */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const HELP_HINT = "(run 'humanos --help', or 'humanos <command> --help', for usage)";

const FOOTER = `
Global options (anywhere on the line): --url URL, --token TOKEN, --json.
Configuration: --url/--token, else HUMANOS_URL/HUMANOS_API_KEY, else the file HUMANOS_CONFIG
  (default ~/.config/humanos/config.json: {"url": "…", "token": "…"}).
Exit codes: 0 ok, 1 error, 2 usage, 3 unauthorised/forbidden, 4 not found, 5 conflict, 6 expired,
  7 ledger verification failed.`;

/** The whole command tree; `ctx` carries the I/O and, once an action asks, the API client. */
export function buildProgram(ctx: Ctx): Command {
  const program = new Command('humanos')
    .description('HumanOS from the command line: approve, reject, manage principals, verify the ledger')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--url <url>', 'server URL (default HUMANOS_URL, the config file, http://127.0.0.1:8787)')
    .option('--token <token>', 'bearer token (default HUMANOS_API_KEY, the config file)')
    .option('--json', 'print the API’s JSON')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: (s) => ctx.io.stderr(s) })
    .showSuggestionAfterError(true)
    .showHelpAfterError(HELP_HINT)
    .addHelpText('after', FOOTER);
  serve.register(program);
  for (const m of [
    login,
    backup,
    principals,
    inbox,
    show,
    approve,
    reject,
    requestChanges,
    tasks,
    task,
    cancel,
    webhooks,
    channels,
    delegate,
    policy,
    ledger,
    audit,
    mcp,
    witness,
  ]) {
    m.register(program, ctx);
  }
  return program;
}

/**
 * Runs one CLI invocation and returns its exit code.
 *
 * @example
 * const code = await runCli(['inbox', '--json'], defaultIo());
 */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const ctx = new Ctx(io);
  const program = buildProgram(ctx);
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    // `serve` hands every flag to the server untouched, as `npm start` does.
    if (argv[0] === 'serve') await program.parseAsync(['serve', '--', ...argv.slice(1)], { from: 'user' });
    else await program.parseAsync(argv, { from: 'user' });
    return ctx.code;
  } catch (e) {
    return report(io, e, HELP_HINT);
  }
}

export function defaultIo(): Io {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    async prompt(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
