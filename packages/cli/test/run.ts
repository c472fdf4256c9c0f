import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../test-support/harness.js';

const CLI = join(REPO_ROOT, 'packages/cli/dist/main.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in a child process with only the given environment. */
export function humanos(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], {
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
    });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
