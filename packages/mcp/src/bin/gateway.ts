#!/usr/bin/env node
/**
 * `humanos-mcp-gateway [--config gateway.json] -- <command to start the upstream MCP server...>`
 * `humanos-mcp-gateway [--config gateway.json] --url https://mcp.example.com/mcp [--header "K: V"]`
 *
 * Serves the upstream's tools on stdio, with the gated ones (see docs/mcp.md) run only as a human
 * approved them in HumanOS. HUMANOS_URL and HUMANOS_API_KEY (the gateway's agent token) configure it.
 */
import { HumanOSMcpError } from '../errors.js';
import { parseGatewayArgs } from '../gateway/args.js';
import { runGateway } from '../gateway/gateway.js';

try {
  const args = parseGatewayArgs(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(
      'usage: humanos-mcp-gateway [--config gateway.json] -- <command> [args...]\n' +
        '       humanos-mcp-gateway [--config gateway.json] --url <upstream MCP URL> [--header "Name: value"]...\n',
    );
    process.exit(0);
  }
  const gw = await runGateway(args);
  await gw.closed;
  process.exit(0);
} catch (e) {
  const code = e instanceof HumanOSMcpError ? ` (${e.code})` : '';
  process.stderr.write(`humanos-mcp-gateway: ${(e as Error).message}${code}\n`);
  process.exit(2);
}
