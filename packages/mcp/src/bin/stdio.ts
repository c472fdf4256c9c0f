#!/usr/bin/env node
/**
 * `humanos-mcp`: the HumanOS MCP server on stdio. Configure with HUMANOS_URL and HUMANOS_API_KEY
 * (the agent's token); HUMANOS_MCP_WAIT_SECONDS bounds each wait_for_decision call (default 50).
 */
import { HumanOSMcpError } from '../errors.js';
import { runStdio } from '../stdio.js';

try {
  const mcp = await runStdio();
  await mcp.closed;
  process.exit(0);
} catch (e) {
  const code = e instanceof HumanOSMcpError ? ` (${e.code})` : '';
  process.stderr.write(`humanos-mcp: ${(e as Error).message}${code}\n`);
  process.exit(2);
}
