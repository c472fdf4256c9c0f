import { randomBytes } from 'node:crypto';
import { canonicalJson, HumanOSError, sha256Hex } from '@humanos/core';
import type { Principal } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { iso, j, p } from '../kernel/rows.js';
import type { Database } from '../store/schema.js';
import { unmentionable, visibleGate } from './audience.js';
import { mentionsIn, renderComment } from './markdown.js';
import type { CommentList, CommentView } from './schemas.js';

type CommentRow = Database['approval_comments'];

/** A stored comment as the API shows it, rendered from its markdown on the way out. */
export function commentView(r: CommentRow): CommentView {
  return {
    id: r.id,
    approvalId: r.approval_id,
    taskId: r.task_id,
    author: r.author,
    body: r.body,
    html: renderComment(r.body),
    mentions: p<string[]>(r.mentions),
    digest: r.digest,
    ledgerIndex: Number(r.ledger_index),
    createdAt: iso(Number(r.created_at)),
  };
}

/**
 * Comments on an approval request: a conversation among the people who may see it, recorded in the
 * ledger (`comment.added`, carrying the comment's digest, never a decision) and shown in the task's
 * history. `@did:human:…` mentions notify their subjects through the notification channels (the
 * planner turns the ledger entry into Slack DMs and e-mails); a mention of someone who may not see the
 * request refuses the comment (`mention_not_allowed`), so nothing about it reaches them.
 *
 * @example
 * const c = await comments.add(ann, approvalId, 'Looks off — @did:human:bob can you check the IBAN?');
 */
export class Comments {
  constructor(private readonly deps: FeatureDeps) {}

  async add(actor: Principal, approvalId: string, body: string): Promise<CommentView> {
    if (actor.kind !== 'human') throw new HumanOSError('forbidden', 'comments are written by people, not agents');
    const mentions = mentionsIn(body);
    const now = this.deps.now();
    const row = await this.deps.write(async (trx) => {
      const { task } = await visibleGate(this.deps, trx, actor, approvalId);
      const refused = await unmentionable(trx, task, mentions);
      if (refused.length > 0) {
        throw new HumanOSError(
          'mention_not_allowed',
          `may not mention ${refused.join(', ')}: only people who may see this request can be mentioned`,
          { mentions: refused },
        );
      }
      const id = `comment:${randomBytes(12).toString('hex')}`;
      const record = { id, approvalId, taskId: task.id, author: actor.id, body, mentions, at: iso(now) };
      const digest = `sha256:${sha256Hex(canonicalJson(record))}`;
      const { seqs } = await this.deps.ledger.append(trx, [
        {
          type: 'comment.added',
          at: iso(now),
          actor: actor.id,
          taskId: task.id,
          approvalId,
          data: { commentId: id, digest, mentions },
        },
      ]);
      const values: CommentRow = {
        id,
        approval_id: approvalId,
        task_id: task.id,
        author: actor.id,
        body,
        mentions: j(mentions),
        digest,
        ledger_index: seqs[0] as number,
        created_at: now,
      };
      await trx.insertInto('approval_comments').values(values).execute();
      return values;
    });
    return commentView(row);
  }

  /** The comments on a request the caller may see, oldest first (at most 500: a conversation, not a log). */
  async list(actor: Principal, approvalId: string): Promise<CommentList> {
    await visibleGate(this.deps, this.deps.db, actor, approvalId);
    const rows = await this.deps.db
      .selectFrom('approval_comments')
      .selectAll()
      .where('approval_id', '=', approvalId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(500)
      .execute();
    return { items: rows.map(commentView) };
  }
}
