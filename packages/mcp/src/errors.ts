/** Stable codes of the failures this package reports itself (HumanOS refusals keep the server's codes). */
export type McpErrorCode = 'missing_api_key' | 'invalid_gateway_config' | 'upstream_failed' | 'invalid_arguments';

/**
 * A failure of the MCP server or gateway itself, with a stable code.
 *
 * @example
 * throw new HumanOSMcpError('missing_api_key', 'set HUMANOS_API_KEY to the agent token');
 */
export class HumanOSMcpError extends Error {
  readonly code: McpErrorCode;

  constructor(code: McpErrorCode, message: string) {
    super(message);
    this.name = 'HumanOSMcpError';
    this.code = code;
  }
}
