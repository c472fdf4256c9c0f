import { useState } from 'preact/hooks';

/**
 * A form's submit: runs `run`, keeps the server's refusal as the form's error (shown by `<FormError>`),
 * clears it on success.
 *
 * @example
 * const f = useSubmit(async () => onCreated(await api('POST', '/webhooks', { url })));
 * return <form onSubmit={f.onSubmit}>…<FormError error={f.error} /></form>;
 */
export function useSubmit(run: () => Promise<void>): { error: string | null; onSubmit: (e: Event) => Promise<void> } {
  const [error, setError] = useState<string | null>(null);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    try {
      await run();
      setError(null);
    } catch (x) {
      setError(x instanceof SyntaxError ? 'That is not valid JSON.' : (x as Error).message);
    }
  };
  return { error, onSubmit };
}

export function FormError({ error }: { error: string | null }) {
  return error ? (
    <p class="status error" role="alert">
      {error}
    </p>
  ) : null;
}

/** `onInput` for a text field bound to a setter. */
export const bind = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
