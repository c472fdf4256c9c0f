/**
 * `humanos login` / `humanos logout`: a person signs the CLI in with their organisation's identity
 * provider, by the OAuth device authorization grant (RFC 8628) that the server brokers: the CLI shows
 * a code and a URL, the person confirms in any browser, and the server answers a session token, which
 * is saved in the config file where a token is kept (`token`), so every later command uses it. The
 * session is the server's (idle and absolute timeouts, listed and revocable on the security page);
 * `logout` ends it and removes it from the file. When the identity provider has no device
 * authorization endpoint the server says `not_supported`, and `login` explains the alternative: sign
 * in to the console, and use a token where people's tokens are allowed.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HumanOSApiError, type HumanOSErrorCode } from '@human/sdk';
import type { Command } from 'commander';
import { type Ctx, configPath, EXIT, serverUrl } from '../context.js';

interface DeviceStart {
  handle: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  expiresIn: number;
}

interface DeviceToken {
  status: 'pending' | 'complete';
  sessionToken?: string;
  principalId?: string;
  expiresAt?: string;
}

/** A POST to the server's sign-in API; a problem becomes the SDK's error (so exit codes match). */
async function post<T>(url: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${url}/v1/humanos${path}`, {
    method: 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const code = (typeof data.code === 'string' ? data.code : `http_${res.status}`) as HumanOSErrorCode;
    throw new HumanOSApiError(code, res.status, typeof data.detail === 'string' ? data.detail : res.statusText);
  }
  return data as T;
}

/** The config file with `changes` applied (other keys kept), written owner-only: it holds a credential. */
function saveConfig(path: string, changes: Record<string, string | undefined>): void {
  const current = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  const next = { ...current, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete next[k];
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

async function login(ctx: Ctx, cmd: Command): Promise<void> {
  const url = serverUrl(ctx, cmd);
  let start: DeviceStart;
  try {
    start = await post<DeviceStart>(url, '/auth/device', undefined);
  } catch (e) {
    if (e instanceof HumanOSApiError && e.code === 'not_supported') {
      ctx.io.stderr(
        `humanos: ${e.message}\nSign in to the console (${url}) instead; where people's tokens are allowed, an admin can give you one (--token / HUMANOS_API_KEY).\n`,
      );
      ctx.code = EXIT.error;
      return;
    }
    if (e instanceof HumanOSApiError && e.code === 'not_found') {
      throw new HumanOSApiError('not_found', 404, `${url} has no single sign-on (HUMANOS_OIDC_ISSUER); use a token`);
    }
    throw e;
  }
  const where = start.verificationUriComplete ?? start.verificationUri;
  ctx.io.stderr(
    `To sign in, open ${where}\nand confirm the code ${ctx.color('1', start.userCode)} (valid ${Math.round(start.expiresIn / 60)} min).\nWaiting…\n`,
  );
  for (;;) {
    // Each call waits up to 20 s on the server, which polls the identity provider at its interval.
    const r = await post<DeviceToken>(url, '/auth/device/token', { handle: start.handle });
    if (r.status === 'pending') continue;
    const path = configPath(ctx.io.env);
    saveConfig(path, { url, token: r.sessionToken });
    ctx.out(cmd, { principalId: r.principalId, expiresAt: r.expiresAt, config: path }, () => {
      return `Signed in as ${r.principalId} until ${r.expiresAt} (saved in ${path}).\n`;
    });
    return;
  }
}

async function logout(ctx: Ctx, cmd: Command): Promise<void> {
  const path = configPath(ctx.io.env);
  const saved = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { token?: string }) : {};
  if (!saved.token?.startsWith('hss_')) {
    ctx.io.stderr(`humanos: no signed-in session in ${path} (a token is removed by editing the file)\n`);
    ctx.code = EXIT.usage;
    return;
  }
  try {
    await post(serverUrl(ctx, cmd), '/auth/logout', undefined, saved.token);
  } catch (e) {
    // Already ended (timed out, revoked): forgetting it is all that is left to do.
    if (!(e instanceof HumanOSApiError && e.status === 401)) throw e;
  }
  saveConfig(path, { token: undefined });
  ctx.out(cmd, { signedOut: true }, () => 'Signed out.\n');
}

export function register(program: Command, ctx: Ctx): void {
  program
    .command('login')
    .description(
      "sign in with your organisation's identity provider (device code); saves the session in the config file",
    )
    .action(async (_o: unknown, cmd: Command) => login(ctx, cmd));
  program
    .command('logout')
    .description('end the signed-in session and remove it from the config file')
    .action(async (_o: unknown, cmd: Command) => logout(ctx, cmd));
}
