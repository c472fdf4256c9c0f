/** `humanos principals add|list|roles|disable|enable|rotate`: who may do what (admin). */
import type { PrincipalView } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, collect, integer, UsageError } from '../context.js';

const YEAR = 366 * 86_400;
const line = (p: PrincipalView, state: boolean) =>
  `${p.id}\t${p.kind}\t${p.roles.join(',')}${state ? `\t${p.disabledAt ? 'disabled' : 'enabled'}` : p.disabledAt ? '\tdisabled' : ''}\n`;
const expiresNote = (at: string | null) => (at ? ` and expires at ${at}` : '');

export function register(program: Command, ctx: Ctx): void {
  const principals = program
    .command('principals')
    .description('create, list and change principals (humans and agents) and their tokens')
    .addHelpText('after', '\nExample:\n  humanos principals add did:human:john-dba --role dba_lead');
  registerAdd(principals, ctx);
  registerChanges(principals, ctx);
}

function registerAdd(principals: Command, ctx: Ctx): void {
  principals
    .command('add')
    .description('create a principal; prints its token (only) on stdout, once')
    .argument('<did>', 'did:human:… or did:agent:…')
    .option('--role <role>', 'a role (repeatable)', collect)
    .option('--capability <capability>', 'what it can execute, for routing and claims (repeatable)', collect)
    .option(
      '--expires-in <seconds>',
      'the token stops working after this many seconds',
      integer('--expires-in', 60, YEAR),
    )
    .action(async (did: string, o: { role?: string[]; capability?: string[]; expiresIn?: number }, cmd: Command) => {
      const p = await ctx.api(cmd).createPrincipal({
        id: did,
        roles: o.role ?? [],
        ...(o.capability ? { capabilities: o.capability } : {}),
        ...(o.expiresIn !== undefined ? { tokenExpiresIn: o.expiresIn } : {}),
      });
      ctx.out(cmd, p, () => `${p.token}\n`);
      ctx.io.stderr(
        `created ${p.id} (${p.kind}) with roles [${p.roles.join(', ')}]; the token above is shown only once${expiresNote(p.tokenExpiresAt)}\n`,
      );
    });
}

/** list, roles, disable, enable, rotate. */
function registerChanges(principals: Command, ctx: Ctx): void {
  principals
    .command('list')
    .description('every principal, with its roles and state')
    .action(async (_o: unknown, cmd: Command) => {
      const r = await ctx.api(cmd).listPrincipals();
      ctx.out(cmd, r, () => r.items.map((p) => line(p, false)).join(''));
    });

  principals
    .command('roles')
    .description("replace a principal's roles")
    .argument('<did>')
    .option('--role <role>', 'a role (repeatable; at least one)', collect)
    .action(async (did: string, o: { role?: string[] }, cmd: Command) => {
      if (!o.role) throw new UsageError('principals roles needs at least one --role');
      const p = await ctx.api(cmd).updatePrincipal(did, { roles: o.role });
      ctx.out(cmd, p, () => line(p, true));
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    principals
      .command(name)
      .description(
        disabled ? "refuse a principal's token everywhere, at once" : "allow a disabled principal's token again",
      )
      .argument('<did>')
      .action(async (did: string, _o: unknown, cmd: Command) => {
        const p = await ctx.api(cmd).updatePrincipal(did, { disabled });
        ctx.out(cmd, p, () => line(p, true));
      });
  }

  principals
    .command('rotate')
    .description("replace a token (yours, or anyone's as admin); prints the new one once")
    .argument('<did>')
    .option(
      '--expires-in <seconds>',
      'the new token stops working after this many seconds',
      integer('--expires-in', 60, YEAR),
    )
    .action(async (did: string, o: { expiresIn?: number }, cmd: Command) => {
      const r = await ctx.api(cmd).rotateToken(did, o.expiresIn !== undefined ? { expiresIn: o.expiresIn } : {});
      ctx.out(cmd, r, () => `${r.token}\n`);
      ctx.io.stderr(
        `new token for ${r.id}; the old one no longer works, and this one is shown only once${expiresNote(r.tokenExpiresAt)}\n`,
      );
    });
}
