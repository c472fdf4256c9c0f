/**
 * `humanos mcp` (the HumanOS MCP server on stdio) and `humanos mcp-gateway -- <cmd…>` (an upstream
 * MCP server's tools behind approval). Both speak the protocol on stdout: everything else goes to
 * stderr. See docs/mcp.md.
 */
import { parseGatewayArgs, runGateway, runStdio } from '@humanos/mcp';
import type { Command } from 'commander';
import type { Ctx } from '../context.js';

export function register(program: Command, ctx: Ctx): void {
  program
    .command('mcp')
    .description('serve HumanOS to an agent over MCP on stdio (HUMANOS_URL, HUMANOS_API_KEY = the agent’s token)')
    .option('--wait-seconds <n>', 'longest wait_for_decision call (default 50, at most 55)', Number)
    .action(async (o: { waitSeconds?: number }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ url?: string; token?: string }>();
      const running = await runStdio({
        ...(globals.url ? { baseUrl: globals.url } : {}),
        ...(globals.token ? { apiKey: globals.token } : {}),
        ...(o.waitSeconds ? { waitSeconds: o.waitSeconds } : {}),
      });
      await running.closed;
    });
  program
    .command('mcp-gateway')
    .description('put an MCP server’s tools behind human approval: humanos mcp-gateway [--config f] -- <command…>')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action(async (args: string[]) => {
      const parsed = parseGatewayArgs(args);
      if (parsed === 'help') {
        ctx.io.stderr('usage: humanos mcp-gateway [--config gateway.json] -- <command> [args...]\n');
        ctx.io.stderr(
          '       humanos mcp-gateway [--config gateway.json] --url <upstream MCP URL> [--header "K: V"]\n',
        );
        return;
      }
      const gw = await runGateway(parsed);
      await gw.closed;
    });
}
