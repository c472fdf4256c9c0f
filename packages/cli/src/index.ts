/**
 * `humanos`: the command line for approvers, operators and auditors.
 *
 * Conventions: data on stdout, messages on stderr; `--json` for machine-readable output; distinct
 * exit codes (see EXIT); prompts only when stdin is a terminal; `NO_COLOR` honoured. Configuration
 * from flags (`--url`, `--token`), then `HUMANOS_URL` / `HUMANOS_API_KEY`, then the config file
 * (`HUMANOS_CONFIG`, default `~/.config/humanos/config.json`, `{ "url": …, "token": … }`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import {
  type ApprovalRequest,
  HumanOSApiError,
  HumanOSClient,
  type Webhook,
  type WebhookDeliveryStatus,
} from '@human/sdk';
import { parseLedgerExport, verifyLedger } from '@humanos/core';

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  forbidden: 3,
  not_found: 4,
  conflict: 5,
  expired: 6,
  verification_failed: 7,
} as const;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  prompt: (question: string) => Promise<string>;
}

class UsageError extends Error {}

const USAGE = `usage: humanos <command> [options]

commands:
  serve [server flags]                    start the server (same as npm start)
  principals add <did> [--role R]... [--expires-in SECONDS]
                                          create a principal; prints its token once
  principals list                         every principal, with its roles and state
  principals roles <did> --role R...      replace a principal's roles
  principals disable|enable <did>         refuse (or allow again) a principal's token
  principals rotate <did> [--expires-in SECONDS]
                                          replace a token (yours, or anyone's as admin); prints it once
  inbox [--status pending]                approvals you may decide
  show <approvalId>                       one approval with its task, proposal and risk
  approve <approvalId> [--reason T] [--feedback T] [--edits JSON]
  reject <approvalId> --reason T [--feedback T]
  tasks [--status S]                      your tasks (all of them for admins)
  task <taskId>                           one task with its gates and decisions
  cancel <taskId> --reason T              withdraw your task before it runs (its approvals are cancelled)
  webhooks add <url> [--event E]...       POST ledger events (default all) to a URL; prints the secret once
  webhooks list
  webhooks remove <webhookId>
  webhooks deliveries <webhookId> [--status S]
  webhooks retry <webhookId> <deliveryId>
  policy show                             the policy in force (admin/auditor)
  policy check <task.json>                which policy, risk and gates a task body would get (a dry run)
  policy validate <policy.json>           check a policy file offline, as the server would at start
  ledger export [--out FILE]              the full ledger as JSON Lines (admin/auditor)
  ledger verify [--file FILE] [--public-key did:key:…]
                                          verify an export offline, or the server's ledger

options: --url URL  --token TOKEN  --json  --help
exit codes: 0 ok, 1 error, 2 usage, 3 unauthorised/forbidden, 4 not found, 5 conflict, 6 expired,
            7 ledger verification failed`;

function color(io: Io, code: string, s: string): string {
  return io.isTTY && io.env.NO_COLOR === undefined ? `\x1b[${code}m${s}\x1b[0m` : s;
}

function loadFileConfig(env: NodeJS.ProcessEnv): { url?: string; token?: string } {
  const path = env.HUMANOS_CONFIG ?? join(homedir(), '.config', 'humanos', 'config.json');
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { url?: string; token?: string };
  } catch (e) {
    throw new UsageError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
}

function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return EXIT.usage;
  if (e instanceof HumanOSApiError) {
    if (e.status === 401 || e.status === 403) return EXIT.forbidden;
    if (e.status === 404) return EXIT.not_found;
    if (e.status === 409) return EXIT.conflict;
    if (e.status === 410) return EXIT.expired;
    if (e.status === 400) return EXIT.usage;
  }
  return EXIT.error;
}

function describeApproval(io: Io, a: ApprovalRequest): string {
  const risk = a.riskAssessment;
  const riskColor = risk.level === 'critical' || risk.level === 'high' ? '31' : risk.level === 'medium' ? '33' : '32';
  const lines = [
    `${a.id}  ${color(io, '1', a.status)}`,
    `  task:        ${a.task.id}`,
    `  description: ${a.task.description}`,
    `  approver:    ${a.approverRole}${a.required > 1 ? ` (${a.approvals}/${a.required})` : ''}`,
    `  requested:   ${a.requestedAt}${a.expiresAt ? `   expires: ${a.expiresAt}` : ''}`,
    `  AI proposal: ${a.aiProposal.action}`,
    `  reasoning:   ${a.aiProposal.reasoning ?? '(none given)'}`,
    `  confidence:  ${a.aiProposal.confidence ?? '(none given)'}`,
    `  alternatives: ${a.alternatives.length === 0 ? '(none)' : a.alternatives.map((x) => `\n    - ${x}`).join('')}`,
    `  risk:        ${color(io, riskColor, risk.level)} [${risk.factors.join(', ')}]${risk.mitigations.length ? ` mitigations: ${risk.mitigations.join(', ')}` : ''}`,
  ];
  const payload = (a.task as { payload?: unknown }).payload;
  if (payload !== undefined) lines.push(`  payload:     ${JSON.stringify(payload, null, 2).replaceAll('\n', '\n  ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Runs one CLI invocation and returns its exit code.
 *
 * @example
 * const code = await runCli(['inbox', '--json'], defaultIo());
 */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    (command ? io.stdout : io.stderr)(`${USAGE}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === 'serve') {
    const { runServerMain } = await import('@humanos/server');
    await runServerMain(rest);
    return EXIT.ok;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean', default: false },
        role: { type: 'string', multiple: true },
        event: { type: 'string', multiple: true },
        secret: { type: 'string' },
        'expires-in': { type: 'string' },
        status: { type: 'string' },
        reason: { type: 'string' },
        feedback: { type: 'string' },
        edits: { type: 'string' },
        out: { type: 'string' },
        file: { type: 'string' },
        'public-key': { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return EXIT.ok;
    }
    const file = loadFileConfig(io.env);
    const client = new HumanOSClient({
      baseUrl: values.url ?? io.env.HUMANOS_URL ?? file.url ?? 'http://127.0.0.1:8787',
      ...((values.token ?? io.env.HUMANOS_API_KEY ?? file.token)
        ? { apiKey: values.token ?? io.env.HUMANOS_API_KEY ?? file.token }
        : {}),
      retries: 1,
    });
    const out = (data: unknown, human: () => string) =>
      io.stdout(values.json ? `${JSON.stringify(data, null, 2)}\n` : human());
    const need = (i: number, what: string): string => {
      const v = positionals[i];
      if (!v) throw new UsageError(`${command} needs ${what}`);
      return v;
    };
    const limit = values.limit ? Number(values.limit) : undefined;
    const expiresIn = values['expires-in'] !== undefined ? Number(values['expires-in']) : undefined;
    if (expiresIn !== undefined && !Number.isInteger(expiresIn))
      throw new UsageError('--expires-in takes whole seconds');

    switch (command) {
      case 'principals': {
        const sub = need(0, 'a subcommand (add, list, roles, disable, enable, rotate)');
        if (sub === 'add') {
          const did = need(1, 'a DID, e.g. did:human:alice');
          const p = await client.createPrincipal({
            id: did,
            roles: values.role ?? [],
            ...(expiresIn !== undefined ? { tokenExpiresIn: expiresIn } : {}),
          });
          out(p, () => `${p.token}\n`);
          io.stderr(
            `created ${p.id} (${p.kind}) with roles [${p.roles.join(', ')}]; the token above is shown only once${p.tokenExpiresAt ? ` and expires at ${p.tokenExpiresAt}` : ''}\n`,
          );
          return EXIT.ok;
        }
        if (sub === 'list') {
          const r = await client.listPrincipals();
          out(r, () =>
            r.items
              .map((p) => `${p.id}\t${p.kind}\t${p.roles.join(',')}${p.disabledAt ? '\tdisabled' : ''}\n`)
              .join(''),
          );
          return EXIT.ok;
        }
        if (sub === 'roles' || sub === 'disable' || sub === 'enable') {
          const did = need(1, 'a DID');
          if (sub === 'roles' && !values.role) throw new UsageError('principals roles needs at least one --role');
          const p = await client.updatePrincipal(
            did,
            sub === 'roles' ? { roles: values.role ?? [] } : { disabled: sub === 'disable' },
          );
          out(p, () => `${p.id}\t${p.kind}\t${p.roles.join(',')}\t${p.disabledAt ? 'disabled' : 'enabled'}\n`);
          return EXIT.ok;
        }
        if (sub === 'rotate') {
          const r = await client.rotateToken(need(1, 'a DID'), expiresIn !== undefined ? { expiresIn } : {});
          out(r, () => `${r.token}\n`);
          io.stderr(
            `new token for ${r.id}; the old one no longer works, and this one is shown only once${r.tokenExpiresAt ? ` and expires at ${r.tokenExpiresAt}` : ''}\n`,
          );
          return EXIT.ok;
        }
        throw new UsageError(`unknown subcommand principals ${sub}`);
      }
      case 'inbox': {
        const r = await client.inbox({ status: (values.status ?? 'pending') as never, ...(limit ? { limit } : {}) });
        out(r, () =>
          r.items.length === 0
            ? ''
            : r.items
                .map((a) => `${a.id}\t${a.riskAssessment.level}\t${a.expiresAt ?? '-'}\t${a.task.description}\n`)
                .join(''),
        );
        if (r.items.length === 0 && !values.json) io.stderr('inbox is empty\n');
        return EXIT.ok;
      }
      case 'show': {
        const a = await client.getApproval(need(0, 'an approval id'));
        out(a, () => describeApproval(io, a));
        return EXIT.ok;
      }
      case 'approve':
      case 'reject': {
        const id = need(0, 'an approval id');
        let reason = values.reason;
        if (reason === undefined && command === 'reject') {
          if (!io.isTTY) throw new UsageError('reject needs --reason');
          reason = await io.prompt('Reason for rejecting: ');
        }
        let edits: Record<string, unknown> | undefined;
        if (values.edits !== undefined) {
          if (command === 'reject') throw new UsageError('--edits only goes with approve');
          try {
            edits = JSON.parse(values.edits) as Record<string, unknown>;
          } catch {
            throw new UsageError('--edits must be a JSON object (an RFC 7386 merge patch)');
          }
        }
        const r =
          command === 'approve'
            ? await client.approve(id, {
                ...(reason !== undefined ? { approvalReason: reason } : {}),
                ...(values.feedback !== undefined ? { feedback: values.feedback } : {}),
                ...(edits ? { edits } : {}),
              })
            : await client.reject(id, {
                rejectionReason: reason ?? '',
                ...(values.feedback !== undefined ? { feedback: values.feedback } : {}),
              });
        out(r, () => `${r.approvalId}\t${r.status}\ttask ${r.taskStatus}\tledger #${r.provenance.ledgerIndex}\n`);
        return EXIT.ok;
      }
      case 'tasks': {
        const r = await client.listTasks({
          ...(values.status ? { status: values.status as never } : {}),
          ...(limit ? { limit } : {}),
        });
        out(r, () => r.items.map((t) => `${t.id}\t${t.status}\t${t.description}\n`).join(''));
        return EXIT.ok;
      }
      case 'cancel': {
        const id = need(0, 'a task id');
        if (!values.reason) throw new UsageError('cancel needs --reason');
        const t = await client.cancelTask(id, { reason: values.reason });
        out(t, () => `${t.id}\t${t.status}\n`);
        return EXIT.ok;
      }
      case 'task': {
        const t = await client.getTask(need(0, 'a task id'));
        out(t, () => `${JSON.stringify(t, null, 2)}\n`);
        return EXIT.ok;
      }
      case 'webhooks': {
        const sub = need(0, 'a subcommand (add, list, remove, deliveries, retry)');
        const line = (h: Webhook) => `${h.id}\t${h.active ? 'active' : 'removed'}\t${h.events.join(',')}\t${h.url}\n`;
        if (sub === 'add') {
          const h = await client.createWebhook({
            url: need(1, 'a URL'),
            ...(values.event ? { events: values.event } : {}),
            ...(values.secret ? { secret: values.secret } : {}),
          });
          out(h, () => `${h.id}\t${h.secret}\n`);
          io.stderr(`subscribed ${h.url} to [${h.events.join(', ')}]; the secret above is shown only once\n`);
          return EXIT.ok;
        }
        if (sub === 'list') {
          const r = await client.listWebhooks();
          out(r, () => r.items.map(line).join(''));
          return EXIT.ok;
        }
        if (sub === 'remove') {
          const h = await client.removeWebhook(need(1, 'a webhook id'));
          out(h, () => line(h));
          return EXIT.ok;
        }
        if (sub === 'deliveries') {
          const r = await client.webhookDeliveries(need(1, 'a webhook id'), {
            ...(values.status ? { status: values.status as WebhookDeliveryStatus['status'] } : {}),
            ...(limit ? { limit } : {}),
          });
          out(r, () =>
            r.items
              .map(
                (d) =>
                  `${d.id}\t${d.status}\t#${d.ledgerIndex} ${d.eventType}\tattempts ${d.attempts}${d.lastStatus ? `\tlast ${d.lastStatus}` : ''}${d.lastError ? `\t${d.lastError}` : ''}\n`,
              )
              .join(''),
          );
          return EXIT.ok;
        }
        if (sub === 'retry') {
          const d = await client.retryWebhookDelivery(need(1, 'a webhook id'), need(2, 'a delivery id'));
          out(d, () => `${d.id}\t${d.status}\n`);
          return EXIT.ok;
        }
        throw new UsageError(`unknown subcommand webhooks ${sub}`);
      }
      case 'policy': {
        const sub = need(0, 'a subcommand (show, check, validate)');
        if (sub === 'validate') {
          const file = need(1, 'a policy file');
          const { loadPolicy } = await import('@humanos/server');
          try {
            const { policy } = loadPolicy(file, 'approver');
            out({ ok: true, name: policy.name, version: policy.version, rules: policy.rules.length }, () => '');
            io.stderr(`ok: ${policy.name} v${policy.version}, ${policy.rules.length} rules\n`);
            return EXIT.ok;
          } catch (e) {
            out({ ok: false, error: (e as Error).message }, () => '');
            io.stderr(`humanos: invalid policy: ${(e as Error).message}\n`);
            return EXIT.usage;
          }
        }
        if (sub === 'show') {
          const r = await client.getPolicy();
          out(r, () => `${JSON.stringify(r.policy, null, 2)}\n`);
          if (!values.json) io.stderr(`source: ${r.source}\n`);
          return EXIT.ok;
        }
        if (sub === 'check') {
          const file = need(1, 'a JSON file with a task body (as for POST /tasks)');
          let body: unknown;
          try {
            body = JSON.parse(readFileSync(file, 'utf8'));
          } catch (e) {
            throw new UsageError(`cannot read ${file} as JSON: ${(e as Error).message}`);
          }
          const r = await client.evaluatePolicy(body as Parameters<typeof client.evaluatePolicy>[0]);
          out(r, () => {
            const lines = [
              `policy: ${String(r.policy.id)} v${String(r.policy.version)}; rules applied: ${(r.policy.rulesApplied as string[]).join(', ') || '(none)'}`,
              `risk:   ${r.riskAssessment.level} [${r.riskAssessment.factors.join(', ')}]`,
            ];
            if (r.routing) lines.push(`routing: ${r.routing.approverRole} picks the resource first`);
            if (r.gates.length === 0) lines.push('gates:  none: the task would be approved at once');
            for (const g of r.gates) {
              lines.push(
                `gate ${g.step}: ${g.required} of ${g.approverRoles.join(' | ')}${g.timeout ? `, ${g.timeout} s` : ''}${g.escalationPolicy ? `, on timeout ${g.escalationPolicy}${g.escalateTo ? ` → ${g.escalateTo}` : ''}` : ''}`,
              );
            }
            if (r.audit) lines.push(`audit:  ${r.audit.sampleRate * 100} % spot-checked (${r.audit.frequency})`);
            return `${lines.join('\n')}\n`;
          });
          return EXIT.ok;
        }
        throw new UsageError(`unknown subcommand policy ${sub}`);
      }
      case 'ledger': {
        const sub = need(0, 'a subcommand (export, verify)');
        if (sub === 'export') {
          const text = await client.exportLedger();
          if (values.out) {
            writeFileSync(values.out, text);
            io.stderr(`wrote ${text.split('\n').length - 1} lines to ${values.out}\n`);
          } else io.stdout(text);
          return EXIT.ok;
        }
        if (sub === 'verify') {
          const text = values.file ? readFileSync(values.file, 'utf8') : await client.exportLedger();
          const bundle = parseLedgerExport(text);
          if (!values['public-key']) {
            io.stderr(
              'warning: no --public-key given; trusting the key inside the export (proves integrity, not authorship)\n',
            );
          }
          const report = verifyLedger(bundle, values['public-key']);
          out(report, () =>
            report.ok
              ? `ok: ${report.size} entries, ${report.checkpointsVerified} signed checkpoints, ${report.decisionsVerified} signed decisions\n`
              : `FAILED at index ${report.firstBadIndex ?? '-'}: ${report.reason}\n`,
          );
          return report.ok ? EXIT.ok : EXIT.verification_failed;
        }
        throw new UsageError(`unknown subcommand ledger ${sub}`);
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    const code = exitCodeFor(e);
    if (e instanceof HumanOSApiError) io.stderr(`humanos: ${e.code}: ${e.message}\n`);
    else if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`humanos: ${(e as Error).message}\n${USAGE}\n`);
      return EXIT.usage;
    } else io.stderr(`humanos: ${(e as Error).message}\n`);
    return code;
  }
}

export function defaultIo(): Io {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    async prompt(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
