import MarkdownIt from 'markdown-it';

/**
 * Comments are markdown rendered by markdown-it with raw HTML off: every `<` the author typed is
 * escaped, and markdown-it's own link check refuses `javascript:`, `vbscript:`, `file:` and
 * non-image `data:` URLs. Links are further limited to http(s) and mailto, and open without
 * handing the console's window to the target. No hand-written sanitizer: the parser never emits
 * markup the author wrote.
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

const ALLOWED_LINK = /^(https?:|mailto:)/i;
const defaultValidate = md.validateLink.bind(md);
md.validateLink = (url: string) => defaultValidate(url) && ALLOWED_LINK.test(url.trim());
// Images would load third-party URLs in every reader's browser (a tracking pixel): shown as their text.
md.disable(['image']);

const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]?.attrSet('rel', 'noopener noreferrer nofollow');
  tokens[idx]?.attrSet('target', '_blank');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/**
 * A comment's markdown as HTML safe to insert into a page.
 *
 * @example
 * renderComment('**ok** <script>x</script>') // '<p><strong>ok</strong> &lt;script&gt;x&lt;/script&gt;</p>\n'
 */
export function renderComment(body: string): string {
  return md.render(body);
}

/** `@did:human:ann` in a comment (not inside a word or an e-mail address); a trailing `.`, `-` or `_` ends the sentence. */
const MENTION = /(?<![\w@.])@(did:(?:human|agent):[a-z0-9][a-z0-9._-]{0,62})/g;

/**
 * The principal ids a comment mentions, each once, in order.
 *
 * @example
 * mentionsIn('cc @did:human:ann, and @did:human:bob.') // ['did:human:ann', 'did:human:bob']
 */
export function mentionsIn(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(MENTION)) out.add((m[1] as string).replace(/[._-]+$/, ''));
  return [...out];
}
