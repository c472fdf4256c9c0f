/** `humanos witness`: a C2SP tlog-witness that cosigns the checkpoints of the logs it is given. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type Ctx, UsageError } from '../context.js';
import { loadServer } from './serve.js';

/**
 * `--log` value: `<origin>=<did:key or vkey>`, or a note vkey alone (its key name is the origin). A
 * vkey has no `=` (33 bytes of base64 need no padding), so an `=` means the first form.
 */
export function parseLogFlag(value: string): { origin: string; key: string } {
  const at = value.indexOf('=');
  if (at > 0) return { origin: value.slice(0, at), key: value.slice(at + 1) };
  const plus = value.indexOf('+');
  if (plus <= 0) throw new UsageError(`--log ${value}: want <origin>=<did:key|vkey> or a log vkey <origin>+<id>+<key>`);
  return { origin: value.slice(0, plus), key: value };
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new UsageError(`--listen ${value}: want host:port`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

interface WitnessFlags {
  dataDir?: string;
  name?: string;
  log: string[];
  listen: string;
  forget?: string;
}

export function register(program: Command, ctx: Ctx): void {
  program
    .command('witness')
    .description('run a witness (C2SP tlog-witness) that cosigns ledger checkpoints; prints its vkey')
    .option('--data-dir <dir>', 'state and key (default HUMANOS_WITNESS_DATA_DIR, else ./.humanos-witness)')
    .option('--name <name>', 'the key name, set on first start (default humanos-witness/<key hash>)')
    .option(
      '--log <origin=key>',
      'a log to cosign for: <origin>=<did:key|vkey>, or its vkey; repeat for more',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--listen <host:port>', 'where to listen', '127.0.0.1:8788')
    .option('--forget <origin>', 'forget what this witness cosigned for one log (a deliberate rollback), then exit')
    .addHelpText(
      'after',
      [
        '',
        'The log origin and key of a HumanOS server: GET /v1/humanos/ledger/public-key ({origin, publicKey}).',
        'Give the printed vkey to the server (HUMANOS_WITNESSES=<vkey>=<url>) and to verifiers (--witness).',
        '',
        'Example:',
        '  humanos witness --data-dir /var/lib/humanos-witness --listen 0.0.0.0:8788 \\',
        '    --log humanos.ledger/1a2b3c4d=did:key:z6Mk…',
      ].join('\n'),
    )
    .action(async (o: WitnessFlags, cmd: Command) => {
      const dataDir = resolve(o.dataDir ?? ctx.io.env.HUMANOS_WITNESS_DATA_DIR ?? '.humanos-witness');
      const { startWitness, forgetWitnessedLog } = await loadServer();
      if (o.forget !== undefined) {
        const size = forgetWitnessedLog(dataDir, o.forget);
        if (size === undefined) throw new UsageError(`this witness remembers nothing of ${o.forget}`);
        ctx.io.stderr(
          `forgot ${o.forget} (it had cosigned size ${size}); its next checkpoint is accepted from old 0\n`,
        );
        return;
      }
      if (o.log.length === 0) throw new UsageError('give at least one --log <origin>=<key>');
      const logs = o.log.map(parseLogFlag);
      const { host, port } = parseListen(o.listen);
      let w: Awaited<ReturnType<typeof startWitness>>;
      try {
        w = await startWitness({ dataDir, name: o.name, logs, host, port });
      } catch (e) {
        throw new UsageError(`cannot start the witness: ${(e as Error).message}`);
      }
      ctx.out(cmd, { vkey: w.vkey, url: w.url, name: w.name }, () => `${w.vkey}\n`);
      ctx.io.stderr(`witness ${w.name} listening on ${w.url} for ${logs.map((l) => l.origin).join(', ')}\n`);
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void w.close().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
