/**
 * `@humanos/mcp`: HumanOS over the Model Context Protocol.
 *
 * - {@link createHumanOSMcpServer}: an MCP server whose tools ask for, await and act on human approval;
 *   served over stdio by {@link runStdio} (`humanos mcp`) and over Streamable HTTP by
 *   {@link McpHttpHandler} / {@link handleMcpHttp} (the server's `/mcp`).
 * - {@link runGateway}: puts an existing MCP server's tools behind human approval (`humanos mcp-gateway`).
 *
 * @example
 * import { runStdio } from '@humanos/mcp';
 * await (await runStdio()).closed; // HUMANOS_URL, HUMANOS_API_KEY from the environment
 */
export { type HeartbeatAnswer, type HistoryEvent, McpHumanOSClient } from './client.js';
export type { Extra, Lease } from './context.js';
export { HumanOSMcpError, type McpErrorCode } from './errors.js';
export { parseGatewayArgs } from './gateway/args.js';
export { GatedCalls, type ToolCall } from './gateway/calls.js';
export {
  type GatePlan,
  type GatewayConfig,
  type GatewayRule,
  loadGatewayConfig,
  normalizeToolName,
  parseGatewayConfig,
  planFor,
} from './gateway/config.js';
export {
  connectUpstream,
  createGatewayServer,
  type GatewayServerOptions,
  type RunGatewayOptions,
  type RunningGateway,
  runGateway,
  type UpstreamSpec,
} from './gateway/gateway.js';
export { handleMcpHttp, McpHttpHandler, type McpHttpOptions } from './http.js';
export {
  type DecisionOutcome,
  type DecisionView,
  decisionView,
  type Provenance,
  provenanceOf,
  type SignedDecision,
} from './outcome.js';
export {
  createHumanOSMcpServer,
  DEFAULT_WAIT_SECONDS,
  type HumanOSMcpServerOptions,
  VERSION,
} from './server.js';
export { MCP_SESSION_DEFAULTS } from './sessions.js';
export { type RunningMcp, type RunStdioOptions, runStdio } from './stdio.js';
