/**
 * The seed's static surface: `HumanOS.createTask(...)`, `HumanOS.waitForApproval(...)`, … on a client
 * configured from `HUMANOS_URL` / `HUMANOS_API_KEY` (or `configureHumanOS`).
 */
import { HumanOSClient } from './client.js';
import { requireApproval } from './requireApproval.js';
import type { ClientOptions } from './transport.js';

let defaultClient: HumanOSClient | undefined;

/** The client behind `HumanOS`, built on first use from `HUMANOS_URL` / `HUMANOS_API_KEY`. */
export function defaultHumanOSClient(): HumanOSClient {
  defaultClient ??= new HumanOSClient();
  return defaultClient;
}

/** Replaces the client behind `HumanOS` (e.g. after changing the environment in a test). */
export function configureHumanOS(opts: ClientOptions): HumanOSClient {
  defaultClient = new HumanOSClient(opts);
  return defaultClient;
}

type C = HumanOSClient;

/** Binds a flat method of the default client, looked up at call time (so `configureHumanOS` applies). */
function bound<K extends keyof C>(name: K): C[K] {
  return ((...args: unknown[]) => {
    const client = defaultHumanOSClient();
    return (client[name] as (...a: unknown[]) => unknown).apply(client, args);
  }) as C[K];
}

/**
 * The seed's static API, for the agent and for approvers.
 *
 * @example
 * // agent
 * const task = await HumanOS.createTask({ description: 'Send the Q4 email', humanInLoop: { approverRole: 'comms_lead' } });
 * const approval = await HumanOS.waitForApproval(task.id);
 * if (approval.approved) await HumanOS.executeTask(task.id, { handler: (payload) => send(payload) });
 * // approver
 * const { items } = await HumanOS.inbox();
 * await HumanOS.approve(items[0], { approvalReason: 'looks right' }); // bound to the version shown
 */
export const HumanOS = {
  createTask: bound('createTask'),
  getTask: bound('getTask'),
  listTasks: bound('listTasks'),
  waitForApproval: bound('waitForApproval'),
  reviseTask: bound('reviseTask'),
  executeTask: bound('executeTask'),
  cancelTask: bound('cancelTask'),
  overrideTask: bound('overrideTask'),
  provideFeedback: bound('provideFeedback'),
  completeTask: bound('completeTask'),
  failTask: bound('failTask'),
  submitDecision: bound('submitDecision'),
  /** The caller's inbox: gates its roles may decide. */
  inbox: bound('inbox'),
  getApproval: bound('getApproval'),
  approve: bound('approve'),
  reject: bound('reject'),
  requestChanges: bound('requestChanges'),
  /** Wraps a function so each call waits for a human first (see `requireApproval`). */
  requireApproval,
};
