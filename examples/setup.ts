// Creates the principals the examples use and prints their tokens (once).
//   HUMANOS_URL=http://127.0.0.1:8787 HUMANOS_API_KEY=<admin token> npx tsx examples/setup.ts
import { HumanOSClient } from '@human/sdk';

const admin = new HumanOSClient();
const agent = await admin.createPrincipal({ id: 'did:agent:invoice-bot', roles: [] });
const manager = await admin.createPrincipal({ id: 'did:human:finance-manager', roles: ['finance_manager'] });
console.log(`# the agent (runs examples/invoice.ts)\nexport AGENT_KEY=${agent.token}`);
console.log(`# the approver (runs examples/approve-invoice.ts)\nexport APPROVER_KEY=${manager.token}`);
