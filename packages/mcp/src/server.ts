import { HumanOSApiError } from '@human/sdk';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { McpHumanOSClient } from './client.js';
import { type Extra, type Lease, type ToolContext, taskUri } from './context.js';
import { registerExecutionTools } from './execution.js';
import { taskSummary } from './outcome.js';
import { registerApprovalTools } from './tools.js';

/** The package version, reported to MCP clients as the server's version. */
export const VERSION = '0.1.0';

/** Longest a `wait_for_decision` call waits by default: below the common 60 s MCP request timeout. */
export const DEFAULT_WAIT_SECONDS = 50;

export interface HumanOSMcpServerOptions {
  /**
   * The HumanOS client the tools call, acting as the agent (its token decides what it may do), or a
   * function giving the client for a request (e.g. from the request's bearer token).
   */
  client: McpHumanOSClient | ((extra: Extra) => McpHumanOSClient);
  /** Longest a `wait_for_decision` call waits, in seconds (1..55). Default 50. */
  waitSeconds?: number;
  /** Execution lease asked for when the agent starts an approved task, in seconds. Default 900. */
  leaseSeconds?: number;
}

const INSTRUCTIONS =
  'HumanOS puts a human in the loop. Before any destructive, costly, external or hard-to-undo action, call ' +
  'request_approval, then wait_for_decision until it is no longer "pending". Act only on "approved", and only ' +
  'with approvedPayload (a human may have edited it). On "rejected", follow the reason; never retry unchanged. ' +
  'When approved: start_execution, do the work, report_progress if it takes long, then complete_task or fail_task.';

/** Watches subscribed task resources and sends `notifications/resources/updated` when a decision lands. */
class Subscriptions {
  private readonly watching = new Map<string, AbortController>();

  constructor(private readonly mcp: McpServer) {}

  /** Tells the client a task's resource changed, if it subscribed to it. */
  changed(taskId: string): void {
    const uri = taskUri(taskId);
    if (this.watching.has(uri)) void this.mcp.server.sendResourceUpdated({ uri }).catch(() => {});
  }

  subscribe(uri: string, client: McpHumanOSClient): void {
    if (this.watching.has(uri)) return;
    const taskId = taskIdOf(uri);
    const ac = new AbortController();
    this.watching.set(uri, ac);
    void this.watch(taskId, uri, client, ac.signal);
  }

  unsubscribe(uri: string): void {
    this.watching.get(uri)?.abort();
    this.watching.delete(uri);
  }

  closeAll(): void {
    for (const ac of this.watching.values()) ac.abort();
    this.watching.clear();
  }

  /** Long-polls the decision until it lands, then notifies once; later changes are notified by the tools. */
  private async watch(taskId: string, uri: string, client: McpHumanOSClient, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const state = await client.decision(taskId, 30, signal);
        if (state.decided) {
          if (!signal.aborted) await this.mcp.server.sendResourceUpdated({ uri }).catch(() => {});
          return;
        }
      } catch (e) {
        // A refusal (gone, not visible, token revoked) ends the watch; a network blip does not.
        if (signal.aborted || (e instanceof HumanOSApiError && e.status >= 400 && e.status < 500)) return;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }
}

function taskIdOf(uri: string): string {
  const m = /^humanos:\/\/tasks\/([^/?#]+)$/.exec(uri);
  if (!m) throw new Error(`not a HumanOS task resource: ${uri} (expected humanos://tasks/{taskId})`);
  return decodeURIComponent(m[1] as string);
}

function registerTaskResource(mcp: McpServer, clientFor: (extra: Extra) => McpHumanOSClient): void {
  const template = new ResourceTemplate('humanos://tasks/{taskId}', {
    list: async (extra) => {
      const { items } = await clientFor(extra).listTasks({ limit: 50 });
      return {
        resources: items.map((t) => ({
          uri: taskUri(t.id),
          name: t.id,
          title: t.description,
          description: `${t.status}: ${t.description}`,
          mimeType: 'application/json',
        })),
      };
    },
  });
  mcp.registerResource(
    'task',
    template,
    {
      title: 'HumanOS task',
      description: 'A task with its status, approvals, payloads and outcome. Subscribe to hear when a decision lands.',
      mimeType: 'application/json',
    },
    async (uri, _vars, extra) => {
      const task = await clientFor(extra).getTask(taskIdOf(uri.href));
      return {
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(taskSummary(task), null, 2) }],
      };
    },
  );
}

/**
 * The HumanOS MCP server: tools an agent calls to ask for, await and act on human approval, and a
 * `humanos://tasks/{taskId}` resource whose subscribers are notified when a decision lands. Every
 * tool calls HumanOS over REST as the agent, so authorisation is exactly the REST API's: there is no
 * tool to approve or reject, and an agent's token could not do it anyway.
 *
 * @example
 * const server = createHumanOSMcpServer({ client: new McpHumanOSClient({ baseUrl, apiKey }), waitSeconds: 50 });
 * await server.connect(new StdioServerTransport());
 */
export function createHumanOSMcpServer(opts: HumanOSMcpServerOptions): McpServer {
  const waitSeconds = Math.max(1, Math.min(55, Math.floor(opts.waitSeconds ?? DEFAULT_WAIT_SECONDS)));
  const given = opts.client;
  const clientFor = typeof given === 'function' ? given : () => given;
  const mcp = new McpServer(
    { name: 'humanos', title: 'HumanOS approvals', version: VERSION },
    { capabilities: { resources: { subscribe: true } }, instructions: INSTRUCTIONS },
  );
  const subscriptions = new Subscriptions(mcp);
  const ctx: ToolContext = {
    clientFor,
    waitSeconds,
    leaseSeconds: opts.leaseSeconds ?? 900,
    leases: new Map<string, Lease>(),
    changed: (taskId) => subscriptions.changed(taskId),
  };
  registerApprovalTools(mcp, ctx);
  registerExecutionTools(mcp, ctx);
  registerTaskResource(mcp, clientFor);
  mcp.server.setRequestHandler(SubscribeRequestSchema, async (req, extra) => {
    const client = clientFor(extra);
    await client.getTask(taskIdOf(req.params.uri)); // only tasks the caller may see
    subscriptions.subscribe(req.params.uri, client);
    return {};
  });
  mcp.server.setRequestHandler(UnsubscribeRequestSchema, async (req) => {
    subscriptions.unsubscribe(req.params.uri);
    return {};
  });
  const onclose = mcp.server.onclose;
  mcp.server.onclose = () => {
    subscriptions.closeAll();
    onclose?.();
  };
  return mcp;
}
