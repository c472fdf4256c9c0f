/** Maps a failure to the CLI's exit code and message. */
import { HumanOSApiError } from '@human/sdk';
import { CommanderError } from 'commander';
import { EXIT, type Io, UsageError } from './context.js';

/** The exit code for an error thrown by a command. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return EXIT.usage;
  if (e instanceof HumanOSApiError) {
    if (e.status === 401 || e.status === 403) return EXIT.forbidden;
    if (e.status === 404) return EXIT.not_found;
    if (e.status === 409) return EXIT.conflict;
    if (e.status === 410) return EXIT.expired;
    if (e.status === 400) return EXIT.usage;
  }
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  return EXIT.error;
}

/** Reports an error on stderr (commander has already printed its own) and returns the exit code. */
export function report(io: Io, e: unknown, helpHint: string): number {
  if (e instanceof CommanderError) return exitCodeFor(e);
  if (e instanceof HumanOSApiError) {
    const id = e.requestId ? ` (request ${e.requestId})` : '';
    io.stderr(`humanos: ${e.code}: ${e.message}${id}\n`);
  } else if (e instanceof UsageError) {
    io.stderr(`humanos: ${e.message}\n${helpHint}\n`);
  } else {
    io.stderr(`humanos: ${(e as Error).message}\n`);
  }
  return exitCodeFor(e);
}
