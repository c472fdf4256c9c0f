// The seed's TypeScript example, verbatim (only the `Invoice` type, which the seed leaves implicit,
// is declared). Run it against a local server:
//   HUMANOS_URL=http://127.0.0.1:8787 HUMANOS_API_KEY=<agent token> npx tsx examples/invoice.ts
// and approve it from another terminal with examples/approve-invoice.ts.
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
processInvoiceWithApproval(invoice);
