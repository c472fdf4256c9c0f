/** `humanos webhooks add|list|remove|deliveries|retry`: ledger events POSTed to a URL (admin). */
import type { Webhook, WebhookDeliveryStatus } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, collect, integer, limitOption } from '../context.js';

const line = (h: Webhook) => `${h.id}\t${h.active ? 'active' : 'removed'}\t${h.events.join(',')}\t${h.url}\n`;
const deliveryLine = (d: WebhookDeliveryStatus) =>
  `${d.id}\t${d.status}\t#${d.ledgerIndex} ${d.eventType}\tattempts ${d.attempts}${d.lastStatus ? `\tlast ${d.lastStatus}` : ''}${d.lastError ? `\t${d.lastError}` : ''}\n`;

export function register(program: Command, ctx: Ctx): void {
  const webhooks = program.command('webhooks').description('subscribe URLs to ledger events (admin)');

  webhooks
    .command('add')
    .description('POST ledger events (default all) to a URL; prints the id and the secret, once')
    .argument('<url>', 'http(s)://…')
    .option('--event <pattern>', '`*`, a family such as `approval.*`, or one type (repeatable)', collect)
    .option('--secret <secret>', 'the HMAC key (16+ characters); generated when absent')
    .addHelpText('after', "\nExample:\n  humanos webhooks add https://relay.example.com/humanos --event 'approval.*'")
    .action(async (url: string, o: { event?: string[]; secret?: string }, cmd: Command) => {
      const h = await ctx.api(cmd).createWebhook({
        url,
        ...(o.event ? { events: o.event } : {}),
        ...(o.secret ? { secret: o.secret } : {}),
      });
      ctx.out(cmd, h, () => `${h.id}\t${h.secret}\n`);
      ctx.io.stderr(`subscribed ${h.url} to [${h.events.join(', ')}]; the secret above is shown only once\n`);
    });

  webhooks
    .command('rotate')
    .description('a new signing secret (printed once); both secrets sign deliveries during the overlap')
    .argument('<webhookId>', 'webhook:…')
    .option(
      '--overlap <seconds>',
      'how long the old secret still signs (default a day)',
      integer('--overlap', 0, 30 * 86_400),
    )
    .action(async (id: string, o: { overlap?: number }, cmd: Command) => {
      const h = await ctx
        .api(cmd)
        .rotateWebhookSecret(id, o.overlap === undefined ? {} : { overlapSeconds: o.overlap });
      ctx.out(cmd, h, () => `${h.id}\t${h.secret}\n`);
      ctx.io.stderr('the new secret above is shown only once\n');
    });

  webhooks
    .command('list')
    .description('every subscription')
    .action(async (_o: unknown, cmd: Command) => {
      const r = await ctx.api(cmd).listWebhooks();
      ctx.out(cmd, r, () => r.items.map(line).join(''));
    });

  webhooks
    .command('remove')
    .description('stop a subscription; its queued deliveries are cancelled')
    .argument('<webhookId>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const h = await ctx.api(cmd).removeWebhook(id);
      ctx.out(cmd, h, () => line(h));
    });

  limitOption(webhooks.command('deliveries'))
    .description("a subscription's deliveries and how sending them went")
    .argument('<webhookId>')
    .option('--status <status>', 'pending, delivered or failed')
    .action(async (id: string, o: { status?: string; limit?: number }, cmd: Command) => {
      const r = await ctx.api(cmd).webhookDeliveries(id, {
        ...(o.status ? { status: o.status as WebhookDeliveryStatus['status'] } : {}),
        ...(o.limit ? { limit: o.limit } : {}),
      });
      ctx.out(cmd, r, () => r.items.map(deliveryLine).join(''));
    });

  webhooks
    .command('retry')
    .description('send a failed delivery again now')
    .argument('<webhookId>')
    .argument('<deliveryId>')
    .action(async (id: string, deliveryId: string, _o: unknown, cmd: Command) => {
      const d = await ctx.api(cmd).retryWebhookDelivery(id, deliveryId);
      ctx.out(cmd, d, () => `${d.id}\t${d.status}\n`);
    });
}
