import { ConfigError, loadConfig } from './config.js';
import { StartupError, startServer } from './server.js';

/**
 * Starts the server the way `npm start` and `humanos serve` do: configuration from the environment
 * (flags override), one clear line on bad configuration, the admin token printed once.
 *
 * @example
 * await runServerMain(['--port', '9000']);
 */
export async function runServerMain(argv: readonly string[]): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`humanos: invalid configuration: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (e) {
    const msg =
      e instanceof StartupError
        ? e.message
        : `${config.databaseUrl ? 'DATABASE_URL' : 'HUMANOS_DATA_DIR'}: ${(e as Error).message}`;
    process.stderr.write(`humanos: cannot start: ${msg}\n`);
    process.exit(1);
  }
  if (server.generatedAdminToken) {
    process.stdout.write(
      `\nCreated did:human:admin. Its token is shown once; store it now:\n\n  ${server.generatedAdminToken}\n\n`,
    );
  }
  process.stdout.write(`HumanOS listening on ${server.url} (storage: ${server.store.dialect.name})\n`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
