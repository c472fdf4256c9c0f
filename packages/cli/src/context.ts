/**
 * What every command shares: the I/O seam (so tests can drive the CLI in-process), exit codes,
 * configuration (flags, then environment, then the config file), the API client, output helpers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HumanOSClient } from '@human/sdk';
import { type Command, InvalidArgumentError } from 'commander';

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  forbidden: 3,
  not_found: 4,
  conflict: 5,
  expired: 6,
  verification_failed: 7,
} as const;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  prompt: (question: string) => Promise<string>;
}

/** A mistake in how the command was called: exit 2 with a short message and a pointer to --help. */
export class UsageError extends Error {}

/** The flags every command takes, before or after the command name. */
export interface GlobalFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

/** Everything a command's action needs. */
export class Ctx {
  private client: HumanOSClient | undefined;
  /** Exit code the action asks for (0 unless set). */
  code: number = EXIT.ok;

  constructor(readonly io: Io) {}

  /** The global flags, wherever on the line they were given. */
  flags(cmd: Command): GlobalFlags {
    return cmd.optsWithGlobals() as GlobalFlags;
  }

  /** The API client: `--url`/`--token`, else HUMANOS_URL/HUMANOS_API_KEY, else the config file. */
  api(cmd: Command): HumanOSClient {
    if (this.client) return this.client;
    const { token } = this.flags(cmd);
    const file = loadFileConfig(this.io.env);
    const apiKey = token ?? this.io.env.HUMANOS_API_KEY ?? file.token;
    this.client = new HumanOSClient({
      baseUrl: serverUrl(this, cmd),
      ...(apiKey ? { apiKey } : {}),
      retries: 1,
    });
    return this.client;
  }

  /** Prints `data` as JSON with `--json`, else the human form. */
  out(cmd: Command, data: unknown, human: () => string): void {
    this.io.stdout(this.flags(cmd).json ? `${JSON.stringify(data, null, 2)}\n` : human());
  }

  /** Wraps text in an ANSI colour on a terminal without NO_COLOR. */
  color(code: string, s: string): string {
    return this.io.isTTY && this.io.env.NO_COLOR === undefined ? `\x1b[${code}m${s}\x1b[0m` : s;
  }
}

/** The config file: HUMANOS_CONFIG, else `~/.config/humanos/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  return env.HUMANOS_CONFIG ?? join(homedir(), '.config', 'humanos', 'config.json');
}

/** The server: `--url`, else HUMANOS_URL, else the config file, else the local default. */
export function serverUrl(ctx: Ctx, cmd: Command): string {
  const url = ctx.flags(cmd).url ?? ctx.io.env.HUMANOS_URL ?? loadFileConfig(ctx.io.env).url ?? 'http://127.0.0.1:8787';
  return url.replace(/\/+$/, '');
}

function loadFileConfig(env: NodeJS.ProcessEnv): { url?: string; token?: string } {
  const path = configPath(env);
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { url?: string; token?: string };
  } catch (e) {
    throw new UsageError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
}

/** A commander parser for a whole number in [min, max]: `--limit 20`, `--expires-in 3600`. */
export function integer(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} takes a whole number from ${min} to ${max}, not "${value}"`);
    }
    return n;
  };
}

/** Collects a repeatable option: `--role a --role b` → `['a', 'b']`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--limit <n>`: the page size of list commands (the server's 1–200). */
export function limitOption(cmd: Command): Command {
  return cmd.option('--limit <n>', 'at most this many (1–200)', integer('--limit', 1, 200));
}
