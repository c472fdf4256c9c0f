/**
 * Completing an open audit review: the outcome, the findings (required) and the runs flagged in the
 * sample or the list of runs. The server signs it into the ledger; a review someone else completed
 * first (`409 already_decided`) is reported as such, never as this auditor's result.
 */
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../lib/api.js';
import { AgentText } from '../lib/text.js';
import type { AuditReview, Me, ReviewOutcome } from '../lib/types.js';
import type { Flags } from './ReviewRuns.js';
import { completeReview, MAX_FLAGGED } from './reviewData.js';

/** What the form reports: the signed review, or that someone else completed it first. */
export type Completion = { done: AuditReview } | { conflict: string };

const OUTCOMES: [ReviewOutcome, string, string][] = [
  ['no_issues', 'No issues', 'The runs I inspected were in order.'],
  ['issues_found', 'Issues found', 'Something needs attention (describe it, flag the runs).'],
];

function FlaggedList({ flags }: { flags: Required<Flags> }) {
  const picked = [...flags.picked];
  return (
    <>
      <h3 class="h4" id="flagged-title">
        Flagged runs ({picked.length})
      </h3>
      {picked.length ? (
        <ul id="flagged-list" aria-labelledby="flagged-title">
          {picked.map(([id, description]) => (
            <li key={id} data-task={id}>
              <AgentText text={description} />{' '}
              <button type="button" class="small" onClick={() => flags.toggle(id, description)}>
                Unflag<span class="visually-hidden"> {description}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="small muted">None. Check runs in the sample or in the list of all runs to flag them.</p>
      )}
      {picked.length >= MAX_FLAGGED ? (
        <p class="small warning">At most {MAX_FLAGGED} runs can be flagged in one review.</p>
      ) : null}
    </>
  );
}

function OutcomeChoice({ outcome, set }: { outcome: ReviewOutcome | ''; set: (o: ReviewOutcome) => void }) {
  return (
    <fieldset class="choices">
      <legend>Outcome</legend>
      {OUTCOMES.map(([value, label, help]) => (
        <div key={value} class="choice">
          <input
            type="radio"
            id={`outcome-${value}`}
            name="outcome"
            value={value}
            required
            checked={outcome === value}
            onChange={() => set(value)}
          />
          <label for={`outcome-${value}`}>
            {label} <span class="muted small">— {help}</span>
          </label>
        </div>
      ))}
    </fieldset>
  );
}

export function CompleteForm({
  r,
  me,
  flags,
  onDone,
}: {
  r: AuditReview;
  me: Me;
  flags: Required<Flags>;
  onDone: (c: Completion) => void;
}) {
  const [outcome, setOutcome] = useState<ReviewOutcome | ''>('');
  const [findings, setFindings] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const text = useRef<HTMLTextAreaElement>(null);
  if (me.kind !== 'human')
    return <p class="status error">Only a human auditor can complete an audit review; agents can read it.</p>;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!outcome) return setError('Choose an outcome.');
    if (!findings.trim()) {
      text.current?.focus();
      return setError('Write your findings: what you inspected and what you found.');
    }
    setBusy(true);
    try {
      const done = await completeReview(r.id, { outcome, findings, flaggedTaskIds: [...flags.picked.keys()] });
      onDone({ done });
    } catch (x) {
      if (x instanceof ApiError && x.code === 'already_decided') onDone({ conflict: findings });
      else setError(`Not completed: ${(x as Error).message}`);
    }
    setBusy(false);
  };
  return (
    <form id="complete-form" class="card" aria-labelledby="complete-title" onSubmit={submit}>
      <h2 id="complete-title" class="h3">
        Complete this review
      </h2>
      <OutcomeChoice outcome={outcome} set={setOutcome} />
      <label for="findings">Findings (required)</label>
      <textarea
        id="findings"
        ref={text}
        rows={6}
        required
        maxLength={10_000}
        aria-describedby="findings-help"
        aria-invalid={error !== null && !findings.trim() ? true : undefined}
        value={findings}
        onInput={(e) => setFindings((e.target as HTMLTextAreaElement).value)}
      />
      <p id="findings-help" class="small muted">
        What you inspected and what you found. Signed into the ledger under your name with the outcome and the flagged
        runs; it cannot be changed afterwards.
      </p>
      <FlaggedList flags={flags} />
      {outcome === 'no_issues' && flags.picked.size > 0 ? (
        <p class="small warning">You flagged runs but chose “No issues”.</p>
      ) : null}
      {error ? (
        <p class="status error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Completing…' : 'Complete review'}
        </button>
      </div>
    </form>
  );
}
