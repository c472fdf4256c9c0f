import type { Kysely } from 'kysely';
import { p } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import { html } from './email.js';
import { esc } from './slack.js';

/** What the notice about an opened audit review says, read from its row when it is sent. */
export interface ReviewNotice {
  id: string;
  status: string;
  frequency: string;
  /** `2026-01-10` for a day, `2026-01-05 – 2026-01-11` for a week or month (UTC). */
  period: string;
  taskCount: number;
  statusCounts: Record<string, number>;
  sampleSize: number;
  /** The review in the console; null when the server has no public URL (Slack then shows no button). */
  url: string | null;
}

/** The review's notice, or undefined when it is gone. */
export async function reviewNotice(
  db: Kysely<Database>,
  reviewId: string,
  publicUrl: string | undefined,
): Promise<ReviewNotice | undefined> {
  const r = await db.selectFrom('audit_reviews').selectAll().where('id', '=', reviewId).executeTakeFirst();
  if (!r) return undefined;
  const first = new Date(Number(r.period_start)).toISOString().slice(0, 10);
  const last = new Date(Number(r.period_end) - 1).toISOString().slice(0, 10);
  return {
    id: r.id,
    status: r.status,
    frequency: r.frequency,
    period: first === last ? first : `${first} – ${last}`,
    taskCount: Number(r.task_count),
    statusCounts: p<Record<string, number>>(r.status_counts),
    sampleSize: p<unknown[]>(r.sample).length,
    url: publicUrl ? `${publicUrl}/audit/reviews/${encodeURIComponent(r.id)}` : null,
  };
}

function summary(n: ReviewNotice): { title: string; facts: [string, string][] } {
  const counts = Object.entries(n.statusCounts)
    .map(([s, k]) => `${k} ${s}`)
    .join(', ');
  return {
    title: `Audit review ready: ${n.frequency} unattended runs of ${n.period}`,
    facts: [
      ['Period (UTC)', n.period],
      ['Runs', `${n.taskCount}${counts ? ` (${counts})` : ''}`],
      ['To inspect', `a sample of ${n.sampleSize}`],
    ],
  };
}

/**
 * The e-mail telling an auditor that a periodic review is ready: the period, the runs by status,
 * the sample size and a link to the review in the console (sign-in required: nothing is decided
 * from the e-mail).
 *
 * @example
 * const { subject, text } = reviewEmail(await reviewNotice(db, id, publicUrl));
 */
export function reviewEmail(n: ReviewNotice & { url: string }): { subject: string; html: string; text: string } {
  const { title, facts } = summary(n);
  const rows = facts
    .map(
      ([k, v]) =>
        `<tr><td style="padding:4px 12px 4px 0;color:#555">${html(k)}</td><td style="padding:4px 0">${html(v)}</td></tr>`,
    )
    .join('');
  const body = `<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f6f7f9;margin:0;padding:24px">
<div style="max-width:600px;margin:0 auto;background:#fff;border:1px solid #dde;border-radius:8px;padding:24px">
<p style="margin:0 0 4px;color:#666;font-size:12px;text-transform:uppercase;letter-spacing:.05em">HumanOS · Audit review</p>
<h1 style="font-size:20px;margin:0 0 16px">${html(title)}</h1>
<table style="border-collapse:collapse;font-size:14px;margin-bottom:20px">${rows}</table>
<a href="${html(n.url)}" style="display:inline-block;padding:10px 18px;border-radius:6px;font-weight:600;text-decoration:none;background:#224;color:#fff">Open the review</a>
<p style="color:#888;font-size:12px;margin-top:24px">${html(n.id)}<br>You get this because you hold the auditor role. Change your notifications in HumanOS (<code>humanos channels prefs</code>).</p>
</div></body></html>`;
  const text = [title, '', ...facts.map(([k, v]) => `${k}: ${v}`), '', `Open the review: ${n.url}`, '', n.id].join(
    '\n',
  );
  return { subject: title.slice(0, 200), html: body, text };
}

/** The Slack message of the same notice: the facts and an Open button (reviews are completed in the console). */
export function reviewSlackMessage(n: ReviewNotice): { text: string; blocks: Record<string, unknown>[] } {
  const { title, facts } = summary(n);
  const open = n.url
    ? [
        {
          type: 'actions',
          block_id: 'review',
          elements: [
            {
              type: 'button',
              action_id: 'humanos_open',
              text: { type: 'plain_text', text: 'Open the review' },
              url: n.url,
            },
          ],
        },
      ]
    : [];
  return {
    text: title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      { type: 'section', fields: facts.map(([k, v]) => ({ type: 'mrkdwn', text: `*${esc(k)}:*\n${esc(v)}` })) },
      ...open,
      { type: 'context', elements: [{ type: 'mrkdwn', text: esc(n.id) }] },
    ],
  };
}
