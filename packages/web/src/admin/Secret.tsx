import { useEffect, useRef } from 'preact/hooks';

/** A token or secret shown once: focus moves to it; it is gone when dismissed or when the page changes. */
export function ShownOnce({ label, value, onDismiss }: { label: string; value: string; onDismiss: () => void }) {
  const box = useRef<HTMLElement>(null);
  useEffect(() => box.current?.focus(), [value]);
  return (
    <section class="card once" aria-labelledby="once-title" tabIndex={-1} ref={box} id="shown-once">
      <h2 id="once-title" class="h3">
        {label} — shown once
      </h2>
      <p>Copy it now and hand it over securely. HumanOS keeps only a hash; it cannot show it again.</p>
      <label for="once-value">{label}</label>
      <input
        id="once-value"
        class="mono"
        readOnly
        value={value}
        onFocus={(e) => (e.target as HTMLInputElement).select()}
      />
      <div class="actions">
        <button type="button" onClick={() => void navigator.clipboard?.writeText(value)}>
          Copy
        </button>
        <button type="button" class="primary" onClick={onDismiss}>
          I have stored it — hide it
        </button>
      </div>
    </section>
  );
}
