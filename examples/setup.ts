// Creates the principals the examples use and prints their tokens as shell `export` lines, so that
//   eval "$(npx tsx examples/setup.ts)"
// sets AGENT_KEY, APPROVER_KEY and WORKER_KEY in your shell. Run with HUMANOS_URL and the admin's
// token in HUMANOS_API_KEY. Running it again is fine: a principal that already exists gets a new
// token (the old one stops working), so the printed keys are always the current ones.
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

try {
  for (const p of PRINCIPALS) {
    const { token, created } = await tokenFor(p);
    // Comments go to stderr so that stdout is exactly what `eval` should run.
    console.error(`# ${p.id}: ${p.note}; ${created ? 'created' : 'existed, token rotated'}`);
    console.log(`export ${p.env}='${token}'`);
  }
} catch (e) {
  const why = e instanceof HumanOSApiError ? `${e.code}: ${e.message}` : (e as Error).message;
  console.error(`setup failed: ${why}`);
  console.error('(run it with HUMANOS_URL set and the admin token in HUMANOS_API_KEY)');
  process.exitCode = 1;
}
