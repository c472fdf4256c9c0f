/**
 * The conversation on a request: comments oldest first and a box to add one. The server renders each
 * comment's markdown with raw HTML off (markdown-it: every `<` the author typed arrives escaped, links
 * only http(s)/mailto), so its `html` is inserted as it comes; the author's text is never parsed here.
 * `@did:human:…` mentions a colleague who may see the request; the server refuses anyone else.
 */
import type { ApprovalComment } from '@human/sdk';
import { useState } from 'preact/hooks';
import { ApiError, api, seg } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { when } from '../lib/labels.js';
import { Principal } from '../views/common.js';

export function Comments({ id }: { id: string }) {
  const list = useLoad(() => api<{ items: ApprovalComment[] }>('GET', `/approvals/${seg(id)}/comments`), [id]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const post = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/approvals/${seg(id)}/comments`, { body: text });
      setText('');
      await list.reload();
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'mention_not_allowed'
          ? `Not posted: ${err.message}`
          : `Not posted: ${(err as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  };
  const items = list.data?.items ?? [];
  return (
    <section aria-labelledby="comments-title" class="card" id="comments">
      <h2 id="comments-title" class="h3">
        Comments
      </h2>
      {items.length === 0 && !list.loading ? <p class="muted">No comments yet.</p> : null}
      <ol class="comments">
        {items.map((c) => (
          <li key={c.id} data-comment={c.id}>
            <p class="muted">
              <Principal id={c.author} /> · {when(c.createdAt)}
            </p>
            {/* Safe HTML from the server's markdown renderer (raw HTML disabled), not the author's markup. */}
            <div class="comment-body" dangerouslySetInnerHTML={{ __html: c.html }} />
          </li>
        ))}
      </ol>
      <form onSubmit={post}>
        <label for="comment-text">Add a comment (markdown; @did:human:… mentions a colleague)</label>
        <textarea id="comment-text" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" disabled={busy || !text.trim()}>
          Comment
        </button>
        {error ? (
          <p class="status error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  );
}
