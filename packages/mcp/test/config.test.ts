import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test-support/harness.js';
import { parseGatewayArgs } from '../src/gateway/args.js';
import { HumanOSMcpError, parseGatewayConfig, planFor } from '../src/index.js';

const tool = (name: string, annotations?: Tool['annotations']): Tool => ({
  name,
  inputSchema: { type: 'object' },
  ...(annotations ? { annotations } : {}),
});

describe('gateway config', () => {
  it('by default gates exactly the tools annotated destructive', () => {
    const c = parseGatewayConfig({});
    expect(planFor(c, 'rm', tool('rm', { destructiveHint: true }))).toEqual({ risk: 'high' });
    expect(planFor(c, 'ls', tool('ls', { readOnlyHint: true }))).toBeNull();
    expect(planFor(c, 'mystery', tool('mystery'))).toBeNull();
  });

  it('the not-read-only, all and none modes', () => {
    expect(planFor(parseGatewayConfig({ default: 'not-read-only' }), 'm', tool('m'))).not.toBeNull();
    expect(
      planFor(parseGatewayConfig({ default: 'not-read-only' }), 'l', tool('l', { readOnlyHint: true })),
    ).toBeNull();
    expect(planFor(parseGatewayConfig({ default: 'all' }), 'l', tool('l', { readOnlyHint: true }))).not.toBeNull();
    expect(planFor(parseGatewayConfig({ default: 'none' }), 'r', tool('r', { destructiveHint: true }))).toBeNull();
  });

  it('the first matching rule decides; rule settings override the top-level ones', () => {
    const c = parseGatewayConfig({
      approverRole: 'ops',
      timeout: 600,
      rules: [
        { tools: ['delete_?ile', 'drop.*'], approverRole: 'dba_lead', risk: 'critical', escalationPolicy: 'reject' },
        { tools: 'delete_*', gate: false },
        { tools: 'send_*' },
      ],
    });
    expect(planFor(c, 'delete_file', undefined)).toEqual({
      approverRole: 'dba_lead',
      risk: 'critical',
      timeout: 600,
      escalationPolicy: 'reject',
    });
    expect(planFor(c, 'drop.table', undefined)?.approverRole).toBe('dba_lead');
    expect(planFor(c, 'dropXtable', tool('dropXtable', {}))).toBeNull(); // `.` is literal
    // A tool the upstream does not list is never let through (fail closed), matched or not.
    expect(planFor(c, 'dropXtable', undefined)).toEqual({ approverRole: 'ops', risk: 'high', timeout: 600 });
    expect(planFor(c, 'delete_dir', tool('delete_dir', { destructiveHint: true }))).toBeNull();
    expect(planFor(c, 'send_email', undefined)).toEqual({ approverRole: 'ops', risk: 'high', timeout: 600 });
  });

  it('refuses a bad config with invalid_gateway_config naming the field', () => {
    const bad = [{ rules: [{ tools: 'x', risk: 'extreme' }] }, { approverRole: 'Ops Team' }, { unknown: 1 }];
    for (const c of bad) {
      const e = (() => {
        try {
          parseGatewayConfig(c);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(HumanOSMcpError);
      expect((e as HumanOSMcpError).code).toBe('invalid_gateway_config');
    }
    expect(() => parseGatewayConfig({ rules: [{ tools: 'x', risk: 'extreme' }] })).toThrow(/rules\.0\.risk/);
  });

  it('parses the command line of humanos-mcp-gateway', () => {
    expect(parseGatewayArgs(['--config', 'gw.json', '--', 'npx', '-y', 'srv', '--flag'])).toEqual({
      config: 'gw.json',
      upstream: { command: 'npx', args: ['-y', 'srv', '--flag'] },
    });
    expect(parseGatewayArgs(['--url', 'https://x/mcp', '--header', 'Authorization: Bearer t'])).toEqual({
      upstream: { url: 'https://x/mcp', headers: { Authorization: 'Bearer t' } },
    });
    expect(parseGatewayArgs(['--help'])).toBe('help');
    expect(() => parseGatewayArgs([])).toThrow(/name the upstream/);
    expect(() => parseGatewayArgs(['--url', 'u', '--', 'cmd'])).toThrow(/not both/);
    expect(() => parseGatewayArgs(['--nope'])).toThrow(/unknown option/);
  });

  it('the example in docs/mcp.md is a valid config that means what the doc says', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/mcp.md'), 'utf8');
    const block = /### The gateway config[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
    const c = parseGatewayConfig(JSON.parse(block as string));
    expect(planFor(c, 'drop_table', undefined)).toMatchObject({ approverRole: 'dba_lead', risk: 'critical' });
    expect(planFor(c, 'send_mail', undefined)).toEqual({ approverRole: 'comms_lead', risk: 'high', timeout: 1800 });
    expect(planFor(c, 'delete_tmp_x', tool('delete_tmp_x', { destructiveHint: true }))).toBeNull();
    expect(planFor(c, 'delete_user', undefined)).toMatchObject({ approverRole: 'dba_lead', timeout: 900 });
    expect(planFor(c, 'list', tool('list', { destructiveHint: true }))).toMatchObject({ approverRole: 'ops_lead' });
  });
});
