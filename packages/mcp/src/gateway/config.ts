import { readFileSync } from 'node:fs';
import { RISK_LEVELS, type RiskLevel } from '@humanos/core';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { HumanOSMcpError } from '../errors.js';

const ROLE = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a role name such as "ops_lead"');
const SECONDS = z
  .number()
  .int()
  .min(1)
  .max(30 * 24 * 3600);

/** How a gated call is approved: who, at what risk, by when, and what happens at the deadline. */
const approvalShape = {
  approverRole: ROLE.optional(),
  risk: z.enum(RISK_LEVELS).optional(),
  /** Seconds the approver has to decide. */
  timeout: SECONDS.optional(),
  escalationPolicy: z.enum(['reject', 'auto']).optional(),
  escalateTo: ROLE.optional(),
};

const RuleSchema = z
  .object({
    /** Tool names or glob patterns (`*` any run of characters, `?` one character), e.g. `"delete_*"`. */
    tools: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** `false` lets the matched tools through without approval. Default true. */
    gate: z.boolean().optional(),
    ...approvalShape,
  })
  .strict();

const ConfigSchema = z
  .object({
    /**
     * Which tools no rule names are gated: `destructive` (annotations say `destructiveHint: true`),
     * `not-read-only` (every tool not annotated `readOnlyHint: true`), `all` or `none`.
     */
    default: z.enum(['destructive', 'not-read-only', 'all', 'none']).optional(),
    /** First matching rule wins. */
    rules: z.array(RuleSchema).optional(),
    ...approvalShape,
    /** Longest a gated call waits for the decision before answering "pending, call again". Default 50. */
    waitSeconds: z.number().min(1).max(3600).optional(),
    /** A finished call with the same arguments within this window is answered from the record. Default 600. */
    reuseWindowSeconds: z.number().min(0).optional(),
    /** Lease of an execution (renewed while the upstream tool runs). Default 120. */
    leaseSeconds: z.number().int().min(5).max(3600).optional(),
    /** Longest an upstream tool call may take. Default 600. */
    toolTimeoutSeconds: z.number().min(1).optional(),
  })
  .strict();

/** The gateway's policy file (JSON); see docs/mcp.md. */
export type GatewayConfig = z.infer<typeof ConfigSchema>;
export type GatewayRule = z.infer<typeof RuleSchema>;

/** How one gated call is put to a human. */
export interface GatePlan {
  approverRole?: string;
  risk: RiskLevel;
  timeout?: number;
  escalationPolicy?: 'reject' | 'auto';
  escalateTo?: string;
}

/**
 * Validates a gateway config; a bad one fails with `invalid_gateway_config` naming the field.
 *
 * @example
 * parseGatewayConfig({ rules: [{ tools: 'delete_*', approverRole: 'ops_lead', risk: 'high', timeout: 900 }] });
 */
export function parseGatewayConfig(value: unknown): GatewayConfig {
  const r = ConfigSchema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new HumanOSMcpError('invalid_gateway_config', `gateway config ${where}: ${issue?.message ?? 'invalid'}`);
}

/** Reads and validates a JSON gateway config file. */
export function loadGatewayConfig(path: string): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new HumanOSMcpError('invalid_gateway_config', `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return parseGatewayConfig(JSON.parse(text));
  } catch (e) {
    if (e instanceof HumanOSMcpError) throw e;
    throw new HumanOSMcpError('invalid_gateway_config', `${path} is not JSON: ${(e as Error).message}`);
  }
}

/** Code points that render as nothing (zero-width space and joiners, soft hyphen, BOM, variation selectors...). */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The form tool names are compared in: NFKC (compatibility forms such as fullwidth letters become
 * plain ones), invisible code points removed, surrounding white space trimmed, case folded. Two names
 * with the same form are one tool as far as rules go, so `DELETE_FILE`, `"delete_file "`,
 * `delete\u200B_file` and `ｄｅｌｅｔｅ_file` all meet the rule written for `delete_file`.
 *
 * @example
 * normalizeToolName(' DELETE_File\u200B ') // 'delete_file'
 */
export function normalizeToolName(name: string): string {
  // Upper then lower approximates full case folding (ß → ss, ﬀ → ff), which toLowerCase alone does not do.
  return name.normalize('NFKC').replace(INVISIBLE, '').trim().toUpperCase().toLowerCase();
}

function globToRegExp(glob: string): RegExp {
  const body = normalizeToolName(glob)
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'su');
}

/** Whether a tool is gated by default when no rule names it. */
function gatedByDefault(mode: GatewayConfig['default'], tool: Tool): boolean {
  const a = tool.annotations;
  switch (mode ?? 'destructive') {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'not-read-only':
      return a?.readOnlyHint !== true;
    default:
      return a?.destructiveHint === true && a?.readOnlyHint !== true;
  }
}

/**
 * How the call of tool `name` is approved, or null when it passes straight through. Names and rule
 * patterns are compared in their normalized form ({@link normalizeToolName}); the first rule whose
 * pattern matches decides, else the default mode on the tool's annotations. Fails closed: a tool the
 * upstream does not list (`tool` undefined) is never let through, whatever the rules say — it is
 * gated by its matching gating rule, else with the configured defaults. (The gateway itself refuses
 * such calls before asking; see `createGatewayServer`.)
 */
export function planFor(config: GatewayConfig, name: string, tool: Tool | undefined): GatePlan | null {
  const key = normalizeToolName(name);
  const rule = (config.rules ?? []).find((r) =>
    (Array.isArray(r.tools) ? r.tools : [r.tools]).some((p) => globToRegExp(p).test(key)),
  );
  const gated = tool === undefined || (rule ? rule.gate !== false : gatedByDefault(config.default, tool));
  if (!gated) return null;
  const from = rule?.gate !== false ? rule : undefined;
  const pick = <K extends keyof GatePlan>(k: K) => (from?.[k as keyof GatewayRule] ?? config[k]) as GatePlan[K];
  const plan: GatePlan = { risk: pick('risk') ?? 'high' };
  for (const k of ['approverRole', 'timeout', 'escalationPolicy', 'escalateTo'] as const) {
    const v = pick(k);
    if (v !== undefined) Object.assign(plan, { [k]: v });
  }
  return plan;
}
