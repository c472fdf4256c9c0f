// Creates the principals the examples use and writes their tokens as shell `export` lines to
// `.humanos/keys.env` (mode 0600, in the git-ignored data directory; `HUMANOS_KEYS_FILE` names another
// file), so that
//   npx tsx examples/setup.ts && . .humanos/keys.env
// sets AGENT_KEY, APPROVER_KEY and WORKER_KEY in your shell. Into a pipe the same lines go to stdout
// too, for `eval "$(npx tsx examples/setup.ts)"`. Run with HUMANOS_URL and the admin's token in
// HUMANOS_API_KEY. Running it again is fine: a principal that already exists gets a new token (the
// old one stops working), so the keys written are always the current ones.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HumanOSApiError, HumanOSClient } from '@human/sdk';

const admin = new HumanOSClient();

const PRINCIPALS = [
  { env: 'AGENT_KEY', id: 'did:agent:invoice-bot', roles: [], note: 'the agent (runs examples/invoice.ts)' },
  {
    env: 'APPROVER_KEY',
    id: 'did:human:finance-manager',
    roles: ['finance_manager'],
    note: 'the approver (examples/approve-invoice.ts, or humanos inbox/approve)',
  },
  {
    env: 'WORKER_KEY',
    id: 'did:agent:invoice-worker',
    roles: ['executor'],
    capabilities: ['accounting', 'invoice_processing'],
    note: 'the worker that executes approved invoices (examples/worker.ts accounting invoice_processing)',
  },
];

/** The principal's token: a new principal's, or a fresh one for a principal that already exists. */
async function tokenFor(p: (typeof PRINCIPALS)[number]): Promise<{ token: string; created: boolean }> {
  try {
    const created = await admin.createPrincipal({ id: p.id, roles: p.roles, capabilities: p.capabilities ?? [] });
    return { token: created.token, created: true };
  } catch (e) {
    if (!(e instanceof HumanOSApiError && e.code === 'principal_exists')) throw e;
    return { token: (await admin.rotateToken(p.id)).token, created: false };
  }
}

/** Live tokens: the file is created owner-only, and an existing one is narrowed to 0600 before it is rewritten. */
function writeKeys(file: string, lines: string[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, '', { mode: 0o600 });
  chmodSync(file, 0o600);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

try {
  const lines: string[] = [];
  for (const p of PRINCIPALS) {
    const { token, created } = await tokenFor(p);
    // Comments go to stderr so that stdout is exactly what `eval` should run.
    console.error(`# ${p.id}: ${p.note}; ${created ? 'created' : 'existed, token rotated'}`);
    lines.push(`export ${p.env}='${token}'`);
  }
  const file = resolve(process.env.HUMANOS_KEYS_FILE ?? '.humanos/keys.env');
  writeKeys(file, lines);
  // Printed only into a pipe (`eval "$(…)"`): on a terminal the tokens would stay in its scrollback.
  if (!process.stdout.isTTY) console.log(lines.join('\n'));
  console.error(`# written to ${file} (mode 0600); load them with: . ${file}`);
} catch (e) {
  const why = e instanceof HumanOSApiError ? `${e.code}: ${e.message}` : (e as Error).message;
  console.error(`setup failed: ${why}`);
  console.error('(run it with HUMANOS_URL set and the admin token in HUMANOS_API_KEY)');
  process.exitCode = 1;
}
