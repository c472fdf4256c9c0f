// The seed's TypeScript example, with a few additions: the `Invoice` type (the seed leaves it
// implicit), the invoice as the task's payload, the agent's proposal (`aiProposal`, so the approver
// sees a reasoning and a confidence instead of nulls), the approval's id and the command that
// decides it (the approver needs the id), and a last line printing the finished task.
// Run it against a local server:
//   HUMANOS_URL=http://127.0.0.1:8787 HUMANOS_API_KEY=$AGENT_KEY npx tsx examples/invoice.ts
// approve it from another terminal (examples/approve-invoice.ts or `npx humanos approve …`), and
// keep a worker running (examples/worker.ts accounting invoice_processing): `executeTask` without a
// handler hands the approved task to the workers with its capabilities and waits until it is done.
import { HumanOS } from '@human/sdk';

interface Invoice {
  id: string;
  amount: number;
  vendor: string;
}

async function processInvoiceWithApproval(invoice: Invoice) {
try {
// Create task with HITL enabled
const task = await HumanOS.createTask({
description: `Process invoice ${invoice.id} for $${invoice.amount}`,
requiredCapabilities: ['accounting', 'invoice_processing'],
humanInLoop: {
enabled: true,
approvalRequired: 'before_execution', // Require approval before processing
approverRole: 'finance_manager',
approvalTimeout: 3600, // 1 hour to approve
escalationPolicy: 'auto', // Auto-escalate if no response
},
payload: { invoiceId: invoice.id, amount: invoice.amount, vendor: invoice.vendor },
aiProposal: {
action: `Pay ${invoice.vendor} $${invoice.amount} for invoice ${invoice.id}`,
reasoning: `The invoice matches an open purchase order from ${invoice.vendor} and is within the quarterly budget`,
confidence: 0.87,
alternatives: ['Hold the payment until the vendor confirms the bank details'],
},
});
console.log(`Task created: ${task.id}`);
console.log(`Awaiting approval from finance manager...`);
// Wait for human approval
const approval = await HumanOS.waitForApproval(task.id, {
onApprovalRequest: (request) => {
console.log(`📋 Approval requested:`);
console.log(` Task: ${request.task.description}`);
console.log(` AI Recommendation: ${request.aiProposal.action}`);
console.log(` AI Reasoning: ${request.aiProposal.reasoning}`);
console.log(` AI Confidence: ${request.aiProposal.confidence}`);
console.log(` Alternatives: ${request.alternatives.length}`);
console.log(` Approval: ${request.id}   (npx humanos approve ${request.id} --reason "…")`);
},
});
if (approval.approved) {
console.log(`✅ Approved by ${approval.approvedBy}`);
console.log(` Feedback: ${approval.feedback || 'None'}`);
// Execute the task
const result = await HumanOS.executeTask(task.id);
return result;
} else {
console.log(`❌ Rejected by ${approval.rejectedBy}`);
console.log(` Reason: ${approval.rejectionReason}`);
throw new Error(`Task rejected: ${approval.rejectionReason}`);
}
} catch (error) {
console.error("HITL processing failed:", error);
throw error;
}
}
// Example: Process invoice with human oversight
const invoice = { id: 'INV-2026-001', amount: 5000, vendor: 'Acme Corp' };
processInvoiceWithApproval(invoice).then((task) =>
  console.log(`🏁 Task ${task.status}: ${JSON.stringify(task.result)}`),
);
