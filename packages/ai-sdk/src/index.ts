/**
 * `@humanos/ai-sdk`: HumanOS answers the Vercel AI SDK's tool approval requests.
 *
 * @example
 * import { humanosToolApproval } from '@humanos/ai-sdk';
 * const approval = humanosToolApproval({ humanInLoop: { approverRole: 'comms_lead' } });
 * const result = await generateText({ model, tools: approval.tools(tools), messages });
 */
export {
  HumanOSToolApproval,
  type HumanOSToolApprovalOptions,
  humanosToolApproval,
  type PendingToolApproval,
  type RespondOptions,
  type ToolCallInfo,
} from './approval.js';
