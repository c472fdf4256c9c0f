/**
 * HumanOS behind LangGraph.js interrupts: durable, audited human approvals of a graph's tool calls.
 *
 * A gated tool call pauses the graph (`interrupt`); {@link HumanOSApprovals} turns the pause into a
 * HumanOS task (policy, risk and approvers decided by the server) and resumes the thread with
 * `new Command({ resume })` carrying the human's {@link Decision} — approved (the tool runs with the
 * approved, possibly edited, arguments), rejected (the model reads why), changes requested — from a
 * waiter, a worker or a webhook, in this process or another one after a restart.
 *
 * @example
 * import { HumanOSClient } from '@human/sdk';
 * import { HumanOSApprovals } from '@humanos/langgraph';
 * const approvals = new HumanOSApprovals(new HumanOSClient(), { approverRole: 'finance' });
 * const agent = createReactAgent({ llm, tools: [approvals.tool(wire)], checkpointer });
 * await approvals.run(agent, { messages: [['user', 'Pay invoice 42']] }, { configurable: { thread_id: 'inv-42' } });
 */
export {
  HumanOSApprovals,
  type HumanOSApprovalsOptions,
  type PendingApproval,
  type ResumableGraph,
  type Wait,
} from './approvals.js';
export {
  APPROVAL,
  type ApprovalValue,
  DECISION,
  type Decision,
  type DecisionStatus,
  type RequestApprovalOptions,
  readDecision,
  requestApproval,
  TOOL_CALL,
  type ToolCallValue,
} from './graph.js';
export { gateToolCall, type RunTool, rejectionText, type ToolCallLike } from './tools.js';
export { type Gate, gatedTool } from './wrapper.js';
