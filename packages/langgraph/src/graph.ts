/**
 * What runs inside the graph: the interrupt values the adapter raises, and the decision it resumes
 * with. A node only calls `interrupt(value)` with a JSON value the checkpointer stores; the driver
 * ({@link HumanOSApprovals}) turns the stored value into a HumanOS task, so a thread resumed after a
 * restart sees exactly the value it paused with.
 */
import { interrupt } from '@langchain/langgraph';

/** `type` of the interrupt value of a tool call awaiting approval. */
export const TOOL_CALL = 'humanos.tool_call';
/** `type` of the interrupt value of {@link requestApproval}. */
export const APPROVAL = 'humanos.approval';
/** `type` of the resume value the driver sends. */
export const DECISION = 'humanos.decision';

export type JsonObject = Record<string, unknown>;
export type DecisionStatus = 'approved' | 'rejected' | 'changes_requested' | 'expired' | 'cancelled';
const STATUSES: ReadonlySet<string> = new Set(['approved', 'rejected', 'changes_requested', 'expired', 'cancelled']);

/**
 * The human's decision, as a paused node receives it when the thread is resumed. `payload` is the
 * approved payload (the proposal with the humans' edits); `reason` the rejection reason; `feedback`
 * what a human asked to change (`changes_requested`) or added to a verdict.
 */
export interface Decision {
  type: typeof DECISION;
  status: DecisionStatus;
  taskId: string;
  payload?: JsonObject;
  edits?: JsonObject;
  decidedBy?: string;
  reason?: string;
  feedback?: string;
}

/** The interrupt value of a tool call awaiting approval (what the driver makes a task of). */
export interface ToolCallValue {
  type: typeof TOOL_CALL;
  tool: string;
  arguments: JsonObject;
  tool_call_id: string;
  reasoning?: string;
}

/** The interrupt value of {@link requestApproval}. */
export interface ApprovalValue {
  type: typeof APPROVAL;
  description: string;
  payload: JsonObject;
  aiProposal: JsonObject;
  riskAssessment?: JsonObject;
}

/** `value` as plain JSON (what a human can review and the server stores), else a TypeError. */
export function jsonable<T>(value: T, what: string): T {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} has no JSON form, so a human cannot review it`);
  return JSON.parse(text) as T;
}

/** Reads a resume value; anything else is refused (a node never runs on a value it cannot read). */
export function readDecision(value: unknown): Decision {
  const v = value as Partial<Decision> | null;
  if (!v || typeof v !== 'object' || v.type !== DECISION) {
    throw new TypeError(`resumed with ${JSON.stringify(value)}, not a HumanOS decision (see HumanOSApprovals.resume)`);
  }
  if (!STATUSES.has(String(v.status))) throw new TypeError(`unknown decision status ${JSON.stringify(v.status)}`);
  if (typeof v.taskId !== 'string') throw new TypeError('the decision names no task');
  return v as Decision;
}

export interface RequestApprovalOptions {
  reasoning?: string;
  confidence?: number;
  alternatives?: string[];
  action?: string;
  riskAssessment?: JsonObject;
}

/**
 * Pauses the node until a human decided on `payload` in HumanOS, and returns the {@link Decision}.
 * Call it inside a node of a graph compiled with a checkpointer and drive the thread with
 * {@link HumanOSApprovals}. As with any `interrupt`, the node runs again from its start when
 * resumed: keep side effects after this call.
 *
 * @example
 * const pay = async (state: typeof State.State) => {
 *   const d = requestApproval('Wire $9,000 to ACME', { amount: 9000, to: 'ACME' }, { reasoning: 'Matches PO 7' });
 *   return d.status === 'approved' ? { paid: await bank.wire(d.payload) } : { refused: d.reason };
 * };
 */
export function requestApproval(description: string, payload: JsonObject, opts: RequestApprovalOptions = {}): Decision {
  const proposal: JsonObject = {};
  if (opts.action) proposal.action = opts.action;
  if (opts.reasoning) proposal.reasoning = opts.reasoning;
  if (opts.confidence !== undefined) proposal.confidence = opts.confidence;
  if (opts.alternatives?.length) proposal.alternatives = opts.alternatives;
  const value: ApprovalValue = {
    type: APPROVAL,
    description,
    payload: jsonable(payload, 'the payload'),
    aiProposal: proposal,
    ...(opts.riskAssessment ? { riskAssessment: jsonable(opts.riskAssessment, 'the risk assessment') } : {}),
  };
  return readDecision(interrupt(value));
}
