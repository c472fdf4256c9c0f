/**
 * `@humanos/openai-agents`: HumanOS behind the OpenAI Agents SDK's tool approvals.
 *
 * @example
 * import { HumanOSApprovals } from '@humanos/openai-agents';
 * const approvals = new HumanOSApprovals({ client, approverRole: 'finance_lead' });
 * const agent = new Agent({ name: 'payments', tools: [approvals.gate(sendPayment)] });
 */
export {
  HumanOSApprovals,
  type HumanOSApprovalsOptions,
  type NeedsApproval,
  type PendingApproval,
  type Resolution,
  type ToolCall,
} from './approvals.js';
