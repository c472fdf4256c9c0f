/**
 * `humanos approve <approvalId>`: approve, optionally with edits to the payload. The approval names
 * the payload version it is for: `--digest`, or on a terminal the version shown before asking y/N.
 */
import { type ApproveInput, type HumanOSClient, StalePayloadError } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, EXIT, UsageError } from '../context.js';
import { describeChanges, explainVersionRefusal, parseDigest } from './digest.js';
import { decisionLine } from './reject.js';
import { describeApproval } from './show.js';

function parseEdits(text: string): Record<string, unknown> {
  let edits: unknown;
  try {
    edits = JSON.parse(text);
  } catch {
    edits = undefined;
  }
  if (typeof edits !== 'object' || edits === null || Array.isArray(edits))
    throw new UsageError('--edits must be a JSON object (an RFC 7386 merge patch)');
  return edits as Record<string, unknown>;
}

function parseIndex(text: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError('--alternative must be a 0-based index');
  return n;
}

interface ApproveFlags {
  reason?: string;
  feedback?: string;
  edits?: string;
  assignTo?: string;
  digest?: string;
  alternative?: number;
}

/** How often a terminal approver is shown a newer version before the CLI gives up (edits racing). */
const MAX_ROUNDS = 3;

/**
 * On a terminal without `--digest`: shows the gate (payload and digest) on stderr, asks y/N, and
 * approves exactly the version shown. When the payload changes in between (409 stale_payload), shows
 * what changed and asks again about the new version. Returns undefined when the approver declined.
 */
async function approveInteractively(ctx: Ctx, api: HumanOSClient, id: string, body: ApproveInput) {
  const me = (await api.me().catch(() => undefined))?.id;
  let view = await api.getApproval(id);
  ctx.io.stderr(describeApproval(ctx, view, me));
  for (let round = 1; ; round++) {
    if (body.edits) ctx.io.stderr(`  your edits:  ${JSON.stringify(body.edits)}\n`);
    if (body.alternative !== undefined) {
      const i = body.alternative;
      const payload = view.aiProposal.alternativePayloads?.[i];
      ctx.io.stderr(
        `  you approve alternative ${i} instead: ${view.aiProposal.alternatives[i] ?? '(none)'}\n  it runs: ${JSON.stringify(payload ?? null)}\n`,
      );
    }
    const answer = await ctx.io.prompt(`Approve this version (${view.currentDigest})? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      ctx.io.stderr('humanos: not approved (nothing was recorded)\n');
      return undefined;
    }
    try {
      return await api.approve(view, body);
    } catch (e) {
      if (!(e instanceof StalePayloadError) || round >= MAX_ROUNDS) throw e;
      ctx.io.stderr(
        `\nThe payload changed while you were deciding (nothing was recorded). What changed:\n${describeChanges(e.diff)}\n`,
      );
      view = await api.getApproval(id);
      ctx.io.stderr(describeApproval(ctx, view, me));
    }
  }
}

export function register(program: Command, ctx: Ctx): void {
  program
    .command('approve')
    .description(
      'approve a gate (the payload version named by --digest; on a terminal, the version shown); prints approval id, status, task status and ledger index',
    )
    .argument('<approvalId>', 'approval:human:…')
    .option('--reason <text>', 'why (required when the task asks for an explicit reason)')
    .option('--feedback <text>', 'feedback for the agent')
    .option('--edits <json>', 'changes to the payload, as an RFC 7386 merge patch, e.g. \'{"amount":4500}\'')
    .option('--assign-to <did>', 'on a routing gate: who executes the task')
    .option(
      '--alternative <index>',
      'approve the proposal’s alternative of this 0-based index instead (its own payload executes; not with --edits)',
      parseIndex,
    )
    .option(
      '--digest <sha256:…>',
      'the payload version you approve, as `humanos show` prints it; refused (nothing recorded) if the payload changed since',
      parseDigest,
    )
    .addHelpText(
      'after',
      '\nWithout --digest on a terminal, the approval and its payload are shown and you are asked y/N; the\n' +
        'approval is then for exactly the version shown. Without --digest and without a terminal, no version\n' +
        'is named: the server refuses that (payload_digest_required) once the payload has been edited.\n' +
        '\nExample:\n  humanos show approval:human:…            # prints the payload and its digest\n' +
        '  humanos approve approval:human:… --digest sha256:… --reason "verified" --edits \'{"size":"200GB"}\'',
    )
    .action(async (id: string, o: ApproveFlags, cmd: Command) => {
      const api = ctx.api(cmd);
      const body: ApproveInput = {
        ...(o.reason !== undefined ? { approvalReason: o.reason } : {}),
        ...(o.feedback !== undefined ? { feedback: o.feedback } : {}),
        ...(o.edits !== undefined ? { edits: parseEdits(o.edits) } : {}),
        ...(o.assignTo !== undefined ? { assignTo: o.assignTo } : {}),
        ...(o.digest !== undefined ? { payloadDigest: o.digest } : {}),
        ...(o.alternative !== undefined ? { alternative: o.alternative } : {}),
      };
      try {
        const r =
          o.digest === undefined && ctx.io.isTTY
            ? await approveInteractively(ctx, api, id, body)
            : await api.approve(id, body);
        if (r) ctx.out(cmd, r, () => decisionLine(r));
        else ctx.code = EXIT.error;
      } catch (e) {
        if (!explainVersionRefusal(ctx, id, 'approve', e)) throw e;
      }
    });
}
