/**
 * Warnings the server raised for a request (`warnings`: the agent's text disagrees with the payload)
 * or a dry run (`gate_undecidable`: no enabled human can decide a gate). Shown above the decision
 * buttons as an alert: the approver must read them before deciding.
 */
import { pointerToKey } from '../lib/diff.js';
import { revealInvisible } from '../lib/text.js';
import type { ApprovalWarning } from '../lib/types.js';

const SOURCE: Record<string, string> = {
  description: "the request's description",
  action: "the agent's proposed action",
  reasoning: "the agent's reasoning",
  policy: 'the policy',
};

function Detail({ w }: { w: ApprovalWarning }) {
  if (w.claimed === undefined && w.actual === undefined && !w.field) return null;
  return (
    <span class="small warning-detail">
      {w.claimed !== undefined ? (
        <>
          {' '}
          {w.source ? `In ${SOURCE[w.source] ?? w.source}` : 'The agent says'}: “{revealInvisible(w.claimed)}”.
        </>
      ) : null}
      {w.field ? (
        <>
          {' '}
          The payload{"'"}s <code>{revealInvisible(pointerToKey(w.field))}</code>:{' '}
          {w.actual === null || w.actual === undefined ? 'no such value' : `“${revealInvisible(w.actual)}”`} — that is
          what executes.
        </>
      ) : null}
    </span>
  );
}

/**
 * The list of warnings as an alert, or nothing when there are none.
 *
 * @example
 * <Warnings id="warnings" title="Check before deciding" warnings={a.warnings ?? []} />
 */
export function Warnings({
  warnings,
  id,
  title,
  level = 2,
}: {
  warnings: ApprovalWarning[];
  id: string;
  title: string;
  /** The heading's level where the list sits (2 beside a request, 3 inside a section). */
  level?: 2 | 3;
}) {
  if (warnings.length === 0) return null;
  const H = level === 2 ? 'h2' : 'h3';
  return (
    <section class="card warning warnings" role="alert" aria-labelledby={`${id}-title`} id={id}>
      <H id={`${id}-title`} class="h3">
        {title} ({warnings.length})
      </H>
      <ul>
        {warnings.map((w, i) => (
          <li key={i} data-code={w.code} data-field={w.field}>
            <strong>{revealInvisible(w.message)}</strong>
            <Detail w={w} />
          </li>
        ))}
      </ul>
    </section>
  );
}
