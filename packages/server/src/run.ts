import { ConfigError, loadConfig } from './config.js';
import { type HumanOSServer, StartupError, startServer } from './server.js';

/** A graceful stop that has not finished by then is cut short: orchestrators kill at 10 s or later. */
export const SHUTDOWN_DEADLINE_MS = 9_000;

/**
 * Starts the server the way `npm start` and `humanos serve` do: configuration from the environment
 * (flags override), one clear line on bad configuration (naming the setting), the admin token's file
 * on stderr (never the token in the log stream), and a graceful stop on SIGTERM/SIGINT.
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
  let server: HumanOSServer;
  try {
    server = await startServer(config);
  } catch (e) {
    const msg = e instanceof StartupError ? e.message : (e as Error).message;
    process.stderr.write(`humanos: cannot start: ${msg}\n`);
    process.exit(1);
  }
  announceAdminToken(server);
  process.stdout.write(`HumanOS listening on ${server.url} (storage: ${server.store.dialect.name})\n`);
  const stop = (signal: NodeJS.Signals) => {
    server.app.log.info({ signal }, `received ${signal}: stopping`);
    const force = setTimeout(() => {
      server.app.log.error(`graceful stop took over ${SHUTDOWN_DEADLINE_MS} ms: exiting now`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (e) => {
        server.app.log.error({ err: e }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Says on stderr where the generated admin token is (stdout carries the JSON log stream). */
function announceAdminToken(server: HumanOSServer): void {
  const f = server.adminTokenFile;
  if (!f) return;
  process.stderr.write(
    f.created
      ? `\nhumanos: created did:human:admin. Its token is in ${f.path} (readable by this user only).\n` +
          '  Store it somewhere safe, then delete the file.\n\n'
      : `humanos: the token of did:human:admin is still in ${f.path}; delete the file once it is stored elsewhere.\n`,
  );
}
