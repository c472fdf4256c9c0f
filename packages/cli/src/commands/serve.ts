/** `humanos serve [server flags]`: the server, as `npm start` runs it. */
import type { Command } from 'commander';
import { UsageError } from '../context.js';

type ServerModule = typeof import('@humanos/server');

/** The server package, which the CLI needs only for `serve` and `policy validate` (a peer dependency). */
export async function loadServer(): Promise<ServerModule> {
  try {
    return await import('@humanos/server');
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String(e).includes('@humanos/server')) {
      throw new UsageError('this command needs the server package: npm install @humanos/server');
    }
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('start the server (same as npm start); flags such as --port go to the server')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[server flags...]')
    .action(async (flags: string[]) => {
      const { runServerMain } = await loadServer();
      await runServerMain(flags);
    });
}
