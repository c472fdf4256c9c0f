// Companion to invoice.ts: acts as the finance manager. Waits for the invoice's approval request to
// reach the inbox, shows what the approver sees, and approves (or rejects with --reject).
//   HUMANOS_URL=http://127.0.0.1:8787 HUMANOS_API_KEY=<finance manager token> npx tsx examples/approve-invoice.ts
import { HumanOSClient } from '@human/sdk';

const client = new HumanOSClient();
const reject = process.argv.includes('--reject');
const deadline = Date.now() + 60_000;

for (;;) {
  const inbox = await client.inbox({ status: 'pending' });
  const request = inbox.items.find((r) => r.task.description.startsWith('Process invoice'));
  if (request) {
    console.log(`Inbox: ${request.id}`);
    console.log(
      `  ${request.task.description} (risk ${request.riskAssessment.level}: ${request.riskAssessment.factors.join(', ')})`,
    );
    console.log(`  expires ${request.expiresAt}`);
    if (reject) {
      const r = await client.reject(request, { rejectionReason: 'Vendor is not on the approved list' });
      console.log(`Rejected; ledger index ${r.provenance.ledgerIndex}`);
    } else {
      const r = await client.approve(request, {
        approvalReason: 'Invoice matches the purchase order',
        feedback: 'Amount and vendor verified',
      });
      console.log(
        `Approved; signature ${r.provenance.approvalSignature.slice(0, 18)}…, ledger index ${r.provenance.ledgerIndex}`,
      );
    }
    break;
  }
  if (Date.now() > deadline) {
    console.error('no invoice approval request arrived within 60 s');
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 250));
}
