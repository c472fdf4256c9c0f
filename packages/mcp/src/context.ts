import type { ExecutionGrant } from '@human/sdk';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpHumanOSClient } from './client.js';

/** What a tool handler gets from the MCP SDK with each request. */
export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** An execution this MCP session started: the lease its heartbeats and completion carry. */
export interface Lease {
  executionId: string;
  leaseId: string;
  leaseExpiresAt: string;
  /** The approved payload: the only thing that may run. */
  payload: Record<string, unknown>;
  payloadDigest: string;
  /** The signed execution grant. */
  grant: ExecutionGrant;
}

/** Shared by the tools of one MCP session. */
export interface ToolContext {
  /** The HumanOS client acting as the caller of this request (its own token: REST authorisation applies). */
  clientFor(extra: Extra): McpHumanOSClient;
  /** Longest a single `wait_for_decision` call waits, in seconds. */
  waitSeconds: number;
  /** Lease length asked for when this session starts an execution, in seconds. */
  leaseSeconds: number;
  /** Executions started in this session, by task id. */
  leases: Map<string, Lease>;
  /** Tells subscribers of the task's resource that it changed. */
  changed(taskId: string): void;
}

/** The resource URI of a task. */
export function taskUri(taskId: string): string {
  return `humanos://tasks/${encodeURIComponent(taskId)}`;
}

/** Sends an MCP progress notification when the caller asked for progress (`_meta.progressToken`). */
export async function progress(extra: Extra, done: number, total: number, message: string): Promise<void> {
  const token = extra._meta?.progressToken;
  if (token === undefined) return;
  await extra
    .sendNotification({
      method: 'notifications/progress',
      params: { progressToken: token, progress: done, total, message },
    })
    .catch(() => {});
}
