import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { html } from './email.js';
import { esc } from './slack.js';

/** Why a person is told about a request besides being asked: a colleague mentioned them, or a lead assigned it. */
export type NoticeAbout = 'mention' | 'assigned';

/** What a mention or assignment notice says, read from the store when it is sent. */
export interface TeamNotice {
  approvalId: string;
  description: string;
  /** Who mentioned or assigned. */
  by: string;
  about: NoticeAbout;
  /** The comment as its author wrote it (mentions only); shown escaped, never as markup. */
  comment: string | null;
  /** The request in the console; null without a public URL. */
  url: string | null;
}

/** The notice, or undefined when the request (or the comment) is gone. */
export async function teamNotice(
  db: Kysely<Database>,
  op: { approval: string; about: NoticeAbout; by: string; comment: string | null },
  publicUrl: string | undefined,
): Promise<TeamNotice | undefined> {
  const row = await db
    .selectFrom('approvals')
    .innerJoin('tasks', 'tasks.id', 'approvals.task_id')
    .select(['approvals.id', 'tasks.description'])
    .where('approvals.id', '=', op.approval)
    .executeTakeFirst();
  if (!row) return undefined;
  let comment: string | null = null;
  if (op.comment !== null) {
    const c = await db.selectFrom('approval_comments').select('body').where('id', '=', op.comment).executeTakeFirst();
    if (!c) return undefined;
    comment = c.body;
  }
  return {
    approvalId: row.id,
    description: row.description,
    by: op.by,
    about: op.about,
    comment,
    url: publicUrl ? `${publicUrl}/approvals/${encodeURIComponent(row.id)}` : null,
  };
}

function title(n: TeamNotice): string {
  return n.about === 'mention' ? `${n.by} mentioned you: ${n.description}` : `${n.by} assigned you: ${n.description}`;
}

/**
 * The Slack message: who and why, the comment as mrkdwn-escaped text (`<`, `>`, `&` escaped, so a
 * comment cannot mention, link or ping a channel), and an Open button.
 *
 * @example
 * await client.chat.postMessage({ channel: 'U0ANN', ...teamSlackMessage(notice) });
 */
export function teamSlackMessage(n: TeamNotice): { text: string; blocks: Record<string, unknown>[] } {
  const head = title(n);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: head.slice(0, 150) } },
  ];
  if (n.comment !== null)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `>${esc(n.comment).slice(0, 2900)}` } });
  if (n.url)
    blocks.push({
      type: 'actions',
      block_id: 'notice',
      elements: [
        {
          type: 'button',
          action_id: 'humanos_open',
          text: { type: 'plain_text', text: 'Open in HumanOS' },
          url: n.url,
        },
      ],
    });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: esc(n.approvalId) }] });
  return { text: esc(head), blocks };
}

/** The e-mail: the same notice, every text HTML-escaped (the comment shown as written, as text). */
export function teamEmail(n: TeamNotice & { url: string }): { subject: string; html: string; text: string } {
  const head = title(n);
  const quote =
    n.comment === null
      ? ''
      : `<blockquote style="white-space:pre-wrap;border-left:3px solid #ccd;margin:0 0 16px;padding:4px 12px;color:#333">${html(n.comment)}</blockquote>`;
  const body = `<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f6f7f9;margin:0;padding:24px">
<div style="max-width:600px;margin:0 auto;background:#fff;border:1px solid #dde;border-radius:8px;padding:24px">
<p style="margin:0 0 4px;color:#666;font-size:12px;text-transform:uppercase;letter-spacing:.05em">HumanOS · ${n.about === 'mention' ? 'Mention' : 'Assigned to you'}</p>
<h1 style="font-size:20px;margin:0 0 16px">${html(head)}</h1>${quote}
<a href="${html(n.url)}" style="display:inline-block;padding:10px 18px;border-radius:6px;font-weight:600;text-decoration:none;background:#224;color:#fff">Open in HumanOS</a>
<p style="color:#888;font-size:12px;margin-top:24px">${html(n.approvalId)}</p>
</div></body></html>`;
  const text = [
    head,
    '',
    ...(n.comment === null ? [] : [n.comment, '']),
    `Open in HumanOS: ${n.url}`,
    '',
    n.approvalId,
  ];
  return { subject: head.slice(0, 200), html: body, text: text.join('\n') };
}
