import { HumanOSMcpError } from '../errors.js';
import type { RunGatewayOptions } from './gateway.js';

/**
 * Parses `[--config file] [--url URL [--header "K: V"]...] [-- command args...]`, the arguments of
 * `humanos-mcp-gateway` and `humanos mcp-gateway`. Returns 'help' for `--help`.
 *
 * @example
 * parseGatewayArgs(['--config', 'gw.json', '--', 'npx', '-y', 'some-mcp-server'])
 * // { config: 'gw.json', upstream: { command: 'npx', args: ['-y', 'some-mcp-server'] } }
 */
export function parseGatewayArgs(argv: string[]): RunGatewayOptions | 'help' {
  let config: string | undefined;
  let url: string | undefined;
  const headers: Record<string, string> = {};
  let i = 0;
  const value = (flag: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new HumanOSMcpError('invalid_arguments', `${flag} needs a value`);
    return v;
  };
  for (; i < argv.length && argv[i] !== '--'; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--config') config = value(a);
    else if (a === '--url') url = value(a);
    else if (a === '--header') {
      const h = value(a);
      const at = h.indexOf(':');
      if (at < 1) throw new HumanOSMcpError('invalid_arguments', `--header wants "Name: value", not ${h}`);
      headers[h.slice(0, at).trim()] = h.slice(at + 1).trim();
    } else throw new HumanOSMcpError('invalid_arguments', `unknown option ${a} (the upstream command goes after --)`);
  }
  const command = argv.slice(i + 1);
  if (url && command.length)
    throw new HumanOSMcpError('invalid_arguments', 'give either --url or -- <command>, not both');
  if (!url && !command.length) {
    throw new HumanOSMcpError('invalid_arguments', 'name the upstream: -- <command to start it>, or --url <its URL>');
  }
  const upstream = url ? { url, headers } : { command: command[0] as string, args: command.slice(1) };
  return { upstream, ...(config ? { config } : {}) };
}
