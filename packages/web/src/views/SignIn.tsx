import { useEffect, useRef } from 'preact/hooks';

/** Paste a principal's token; it is kept for this tab only (sessionStorage). */
export function SignIn({ onToken, message }: { onToken: (t: string) => void; message: string | undefined }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    document.title = 'Sign in — HumanOS';
  }, []);
  return (
    <main id="main" tabIndex={-1} class="page signin-page">
      <form
        class="signin card"
        onSubmit={(e) => {
          e.preventDefault();
          const t = input.current?.value.trim();
          if (t) onToken(t);
        }}
      >
        <h1>Sign in to HumanOS</h1>
        <p>Paste the access token you were given for your HumanOS principal. It is kept in this tab only.</p>
        <label for="token">Access token</label>
        <input id="token" ref={input} type="password" autocomplete="current-password" required />
        <div class="actions">
          <button type="submit" class="primary">
            Sign in
          </button>
        </div>
        {message ? (
          <p class="status error" role="alert">
            {message}
          </p>
        ) : null}
      </form>
    </main>
  );
}
