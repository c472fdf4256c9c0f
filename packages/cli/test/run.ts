import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../test-support/harness.js';

/** The built CLI's entry point. */
export const CLI_PATH = join(REPO_ROOT, 'packages/cli/dist/main.js');
const CLI = CLI_PATH;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in a child process with only the given environment. */
export function humanos(args: string[], env: Record<string, string>): Promise<Run> {
  return spawnCli([process.execPath, CLI, ...args], env);
}

/**
 * Runs `argv` (a command line that starts the CLI, e.g. under `/usr/bin/time` or with node flags) in a
 * child process with only the given environment.
 *
 * @example
 * await spawnCli(['/usr/bin/time', '-f', 'maxrss=%M', process.execPath, CLI_PATH, '--version'], {});
 */
export function spawnCli(
  [cmd, ...args]: [string, ...string[]],
  env: Record<string, string>,
  /** Called with the stderr so far as it grows (a test that must act on what the CLI prints). */
  onStderr?: (stderr: string) => void,
): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HUMANOS_CONFIG: '/nonexistent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr);
    });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
