import { useEffect, useRef } from 'preact/hooks';
import { signInUrl } from '../lib/api.js';

/** How this server lets people sign in (`GET /auth/config`). */
export interface AuthOptions {
  oidc: { name: string; issuer: string; loginUrl: string } | null;
  humanTokens: boolean;
}

/**
 * The sign-in page: "Sign in with <IdP>" when single sign-on is configured (it returns to the page
 * that was asked for, so a deep link from Slack or e-mail survives), and the token form unless the
 * server turned people's tokens off. A token is kept for this tab only (sessionStorage).
 */
export function SignIn({
  onToken,
  message,
  options,
}: {
  onToken: (t: string) => void;
  message: string | undefined;
  options: AuthOptions | null;
}) {
  const input = useRef<HTMLInputElement>(null);
  const tokens = options?.humanTokens !== false;
  useEffect(() => {
    if (!options?.oidc) input.current?.focus();
  }, [options]);
  useEffect(() => {
    document.title = 'Sign in — HumanOS';
  }, []);
  return (
    <main id="main" tabIndex={-1} class="page signin-page">
      <div class="signin card">
        <h1>Sign in to HumanOS</h1>
        {options?.oidc ? (
          <p class="actions">
            <a class="button primary" href={signInUrl()} id="sso">
              Sign in with {options.oidc.name}
            </a>
          </p>
        ) : null}
        {tokens ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const t = input.current?.value.trim();
              if (t) onToken(t);
            }}
          >
            <p>
              {options?.oidc ? 'Or paste' : 'Paste'} the access token you were given for your HumanOS principal. It is
              kept in this tab only.
            </p>
            <label for="token">Access token</label>
            <input id="token" ref={input} type="password" autocomplete="current-password" required />
            <div class="actions">
              <button type="submit" class={options?.oidc ? '' : 'primary'}>
                Sign in with a token
              </button>
            </div>
          </form>
        ) : null}
        {message ? (
          <p class="status error" role="alert">
            {message}
          </p>
        ) : null}
      </div>
    </main>
  );
}
