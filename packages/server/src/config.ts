import { resolve } from 'node:path';
import { parseWitnessKey, type SigningKey, signingKeyFromPem } from '@humanos/core';
import { MCP_SESSION_DEFAULTS } from '@humanos/mcp';

/** Configuration after validation: every field present and well-typed. */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /**
   * HUMANOS_PG_NAMED_STATEMENTS (on): the write path's fixed statements go to PostgreSQL as named
   * statements, parsed once per connection. Off behind a pooler that hands one client's statements to
   * several server connections without tracking them (PgBouncer in transaction mode before 1.21).
   */
  pgNamedStatements: boolean;
  adminToken: string | undefined;
  /** Where the ledger's signing key comes from (see signingKeyConfig). */
  signingKey: SigningKeySource;
  /** HUMANOS_PREVIOUS_SIGNING_KEY_FILE: the key being rotated away from, for the one start that rotates. */
  previousSigningKeyFile: string | undefined;
  origin: string | undefined;
  bodyLimit: number;
  defaultApproverRole: string;
  timerIntervalMs: number;
  logLevel: string;
  /** HUMANOS_LOG_SLOW_MS: a request slower than this is logged at warn (default 1000; long-polls never count). */
  logSlowMs: number;
  /** Path of the policy file (HUMANOS_POLICY), or undefined for the built-in policy. */
  policyFile: string | undefined;
  /** Requests per principal per window (HUMANOS_RATE_LIMIT, HUMANOS_RATE_LIMIT_WINDOW_MS); max 0 = off. */
  rateLimit: { max: number; windowMs: number };
  /**
   * Sign-in requests per client address per minute (HUMANOS_SIGNIN_RATE_LIMIT, default 120; 0 = off):
   * the unauthenticated routes that start or finish a sign-in (`/auth/login`, `/auth/callback`,
   * `/auth/device`, `/auth/device/token`), each of which writes a row or asks the identity provider.
   */
  signInRateLimit: number;
  /** Concurrent event streams per principal (HUMANOS_MAX_STREAMS_PER_PRINCIPAL); 0 = no cap. */
  maxStreamsPerPrincipal: number;
  /** Webhooks and notification channels (see integrationConfig). */
  integrations: IntegrationConfig;
  /** Limits of `/mcp` Streamable HTTP sessions (see mcpSessionConfig). */
  mcp: McpSessionConfig;
  /** Single sign-on, sessions and whether humans may use bearer tokens (see authConfig). */
  auth: AuthConfig;
  /** HUMANOS_TRUST_PROXY: whether (or which) proxies' X-Forwarded-* headers are believed (fastify's trustProxy). */
  trustProxy: boolean | string;
  /**
   * Tests only (HUMANOS_TEST_REVIEW_CLOCK_OFFSET_MS, refused unless HUMANOS_TEST_MODE=1): the audit
   * review sweeper decides which periods have ended as if the clock were this much later. 0 otherwise.
   */
  testReviewClockOffsetMs: number;
  /** Claims and attention checks (see teamConfig, docs/team.md). */
  team: TeamConfig;
  /** Witnesses that cosign the ledger's checkpoints (C2SP tlog-witness), and how many must agree. */
  witnesses: WitnessesConfig;
}

/** How long a claim lasts, and the opt-in attention checks (docs/team.md). */
export interface TeamConfig {
  /** HUMANOS_CLAIM_SECONDS (default 600). */
  claimSeconds: number;
  /** HUMANOS_ATTENTION_CHECKS=on, HUMANOS_ATTENTION_CHECK_PER_THOUSAND (default 20), HUMANOS_ATTENTION_CHECK_REQUESTER. */
  attention: { enabled: boolean; perThousand: number; requester: string };
}

/** Where the web inbox is, where webhooks may go, and how Slack and e-mail are reached. */
export interface IntegrationConfig {
  /** HUMANOS_PUBLIC_URL: the server's address as approvers' browsers reach it (deep links, e-mail links). */
  publicUrl: string | undefined;
  /** HUMANOS_WEBHOOK_ALLOW_HOSTS: comma-separated hosts, IPs and CIDRs webhooks may reach although not public. */
  webhookAllowHosts: string[];
  /** HUMANOS_SMTP_URL (smtp:// or smtps://, with credentials) and HUMANOS_EMAIL_FROM. */
  smtpUrl: string | undefined;
  emailFrom: string | undefined;
  /** HUMANOS_EMAIL_LINK_TTL_SECONDS: how long one-click e-mail links work (default 2 h). */
  emailLinkTtlSeconds: number;
  /** HUMANOS_SLACK_BOT_TOKEN, HUMANOS_SLACK_SIGNING_SECRET, HUMANOS_SLACK_API_URL. */
  slackBotToken: string | undefined;
  slackSigningSecret: string | undefined;
  slackApiUrl: string;
  /** HUMANOS_WEBAUTHN_RP_ID and HUMANOS_WEBAUTHN_ORIGINS (default: from HUMANOS_PUBLIC_URL); unset: no passkeys. */
  webauthn: WebAuthnConfig | undefined;
}

/** The WebAuthn relying party passkeys are enrolled for and decisions are signed for. */
export interface WebAuthnConfig {
  /** The RP id: a domain, the origins' host or a parent of it. */
  rpId: string;
  /** The exact origins (`scheme://host[:port]`) a passkey ceremony may come from. */
  origins: string[];
}

/** No webhook allow-list, no public URL, no Slack, no e-mail (a service built without a configuration). */
export const NO_INTEGRATIONS: IntegrationConfig = {
  publicUrl: undefined,
  webhookAllowHosts: [],
  smtpUrl: undefined,
  emailFrom: undefined,
  emailLinkTtlSeconds: 7200,
  slackBotToken: undefined,
  slackSigningSecret: undefined,
  slackApiUrl: 'https://slack.com/api/',
  webauthn: undefined,
};

/** https, or http on localhost (which browsers treat as a secure context): where WebAuthn runs. */
const secureOrigin = (u: URL) => u.protocol === 'https:' || (u.protocol === 'http:' && u.hostname === 'localhost');

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * The WebAuthn relying party, validated once: the RP id is a domain (never an IP address: browsers
 * refuse those), every origin is https (or http on localhost, which browsers treat as secure) on the
 * RP id or a subdomain of it. Both default from HUMANOS_PUBLIC_URL; neither set and no public URL:
 * passkeys are off.
 */
function webauthnConfig(
  vars: Record<string, string | undefined>,
  publicUrl: string | undefined,
): WebAuthnConfig | undefined {
  const rpVar = vars.HUMANOS_WEBAUTHN_RP_ID || undefined;
  const originsVar = vars.HUMANOS_WEBAUTHN_ORIGINS || undefined;
  if (!rpVar && !originsVar && !publicUrl) return undefined;
  const rpId = (rpVar ?? (publicUrl ? new URL(publicUrl).hostname : '')).toLowerCase();
  const usable = DOMAIN.test(rpId) && !/^[0-9.]+$/.test(rpId) && !rpId.includes(':');
  // A public URL WebAuthn cannot use (an IP address, plain http off localhost: a test, a LAN install)
  // just means no passkeys; the same values set explicitly are an error.
  const derived = !rpVar && !originsVar;
  if (derived && (!usable || !secureOrigin(new URL(publicUrl as string)))) return undefined;
  if (!usable) {
    throw new ConfigError('HUMANOS_WEBAUTHN_RP_ID', `must be a domain name (not an IP address), got "${rpId}"`);
  }
  const raw = originsVar
    ? originsVar
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
    : publicUrl
      ? [publicUrl]
      : [];
  if (raw.length === 0)
    throw new ConfigError(
      'HUMANOS_WEBAUTHN_ORIGINS',
      'is needed with HUMANOS_WEBAUTHN_RP_ID when HUMANOS_PUBLIC_URL is unset',
    );
  const origins = raw.map((o) => {
    const u = URL.canParse(o) ? new URL(o) : undefined;
    if (!u || !secureOrigin(u) || (u.hostname !== rpId && !u.hostname.endsWith(`.${rpId}`))) {
      throw new ConfigError(
        'HUMANOS_WEBAUTHN_ORIGINS',
        `"${o}" must be an https origin (http only on localhost) on ${rpId} or a subdomain of it`,
      );
    }
    return u.origin;
  });
  return { rpId, origins: [...new Set(origins)] };
}

/** Reads the integration settings; every inconsistency is a ConfigError naming the setting. */
function integrationConfig(
  vars: Record<string, string | undefined>,
  int: (name: string, def: number, min: number, max: number) => number,
): IntegrationConfig {
  const url = (name: string, pattern: RegExp, what: string): string | undefined => {
    const v = vars[name] || undefined;
    if (v === undefined) return undefined;
    if (!pattern.test(v) || !URL.canParse(v)) throw new ConfigError(name, `must be ${what}, got "${v}"`);
    return v;
  };
  const publicUrl = url('HUMANOS_PUBLIC_URL', /^https?:\/\/[^/]/, 'an http(s) URL')?.replace(/\/+$/, '');
  const smtpUrl = url('HUMANOS_SMTP_URL', /^smtps?:\/\//, 'an smtp:// or smtps:// URL');
  const emailFrom = vars.HUMANOS_EMAIL_FROM || undefined;
  if (smtpUrl && !emailFrom) throw new ConfigError('HUMANOS_EMAIL_FROM', 'is needed with HUMANOS_SMTP_URL');
  const slackBotToken = vars.HUMANOS_SLACK_BOT_TOKEN || undefined;
  const slackSigningSecret = vars.HUMANOS_SLACK_SIGNING_SECRET || undefined;
  if (slackBotToken && !slackSigningSecret) {
    throw new ConfigError('HUMANOS_SLACK_SIGNING_SECRET', 'is needed with HUMANOS_SLACK_BOT_TOKEN');
  }
  if ((smtpUrl || slackBotToken) && !publicUrl) {
    throw new ConfigError('HUMANOS_PUBLIC_URL', 'is needed for Slack and e-mail notifications (their links)');
  }
  const slackApiUrl = url('HUMANOS_SLACK_API_URL', /^https?:\/\//, 'an http(s) URL') ?? 'https://slack.com/api/';
  return {
    publicUrl,
    webhookAllowHosts: (vars.HUMANOS_WEBHOOK_ALLOW_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    smtpUrl,
    emailFrom,
    emailLinkTtlSeconds: int('HUMANOS_EMAIL_LINK_TTL_SECONDS', 7200, 60, 7 * 86_400),
    slackBotToken,
    slackSigningSecret,
    slackApiUrl: slackApiUrl.endsWith('/') ? slackApiUrl : `${slackApiUrl}/`,
    webauthn: webauthnConfig(vars, publicUrl),
  };
}

/** The OpenID Connect relying party: where humans sign in (authorization code + PKCE, device grant for the CLI). */
export interface OidcConfig {
  /** HUMANOS_OIDC_ISSUER: the issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  /** HUMANOS_OIDC_CLIENT_ID and HUMANOS_OIDC_CLIENT_SECRET (a confidential client; no secret = a public client). */
  clientId: string;
  clientSecret: string | undefined;
  /** HUMANOS_OIDC_SCOPES: space-separated; must include `openid` (default `openid email profile`). */
  scopes: string;
  /** HUMANOS_OIDC_ROLES_CLAIM: a claim (e.g. `groups`) whose values become the principal's roles at each sign-in. */
  rolesClaim: string | undefined;
  /** HUMANOS_OIDC_AUTO_PROVISION=1: an unmatched person gets a new principal with no roles (else refused). */
  autoProvision: boolean;
  /** HUMANOS_OIDC_NAME: what the sign-in button calls the IdP (default: the issuer's host). */
  name: string;
  /** Where the IdP sends the browser back: `<HUMANOS_PUBLIC_URL>/v1/humanos/auth/callback`. */
  redirectUri: string;
  /**
   * HUMANOS_OIDC_LOGOUT: `idp` (default) ends the person's session at the IdP too when they sign out
   * of the console (RP-Initiated Logout, if the IdP has an `end_session_endpoint`); `local` ends only
   * the HumanOS session.
   */
  logout: 'idp' | 'local';
  /** Where the IdP sends the browser after signing out there: `<HUMANOS_PUBLIC_URL>/` (register it). */
  postLogoutRedirectUri: string;
}

/** Sign-in and sessions. */
export interface AuthConfig {
  oidc: OidcConfig | undefined;
  /** HUMANOS_HUMAN_TOKENS=off: humans' bearer tokens are refused (they sign in); agents' still work. */
  humanTokens: boolean;
  /** HUMANOS_SESSION_IDLE_SECONDS: a session unused this long ends (default 2 h). */
  sessionIdleSeconds: number;
  /** HUMANOS_SESSION_MAX_SECONDS: a session ends this long after sign-in, used or not (default 12 h). */
  sessionMaxSeconds: number;
}

/** Hosts an issuer may be reached on over plain http: this machine only (development, tests). */
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * Reads the sign-in settings. An issuer needs a client id and a public URL (the redirect URI is
 * built from it); it must be https except on loopback; turning human tokens off needs an issuer
 * (else no human could sign in at all).
 */
function authConfig(
  vars: Record<string, string | undefined>,
  int: (name: string, def: number, min: number, max: number) => number,
  publicUrl: string | undefined,
): AuthConfig {
  const tokens = vars.HUMANOS_HUMAN_TOKENS || 'on';
  if (tokens !== 'on' && tokens !== 'off')
    throw new ConfigError('HUMANOS_HUMAN_TOKENS', `must be on or off, got "${tokens}"`);
  const oidc = oidcConfig(vars, publicUrl);
  if (tokens === 'off' && !oidc) {
    throw new ConfigError('HUMANOS_HUMAN_TOKENS', 'off needs HUMANOS_OIDC_ISSUER (humans must be able to sign in)');
  }
  const sessionIdleSeconds = int('HUMANOS_SESSION_IDLE_SECONDS', 7200, 60, 30 * 86_400);
  const sessionMaxSeconds = int('HUMANOS_SESSION_MAX_SECONDS', 43_200, 60, 90 * 86_400);
  if (sessionIdleSeconds > sessionMaxSeconds) {
    throw new ConfigError(
      'HUMANOS_SESSION_IDLE_SECONDS',
      `must not exceed HUMANOS_SESSION_MAX_SECONDS (${sessionMaxSeconds})`,
    );
  }
  return { oidc, humanTokens: tokens === 'on', sessionIdleSeconds, sessionMaxSeconds };
}

function oidcConfig(vars: Record<string, string | undefined>, publicUrl: string | undefined): OidcConfig | undefined {
  const issuer = vars.HUMANOS_OIDC_ISSUER || undefined;
  const others = [
    'HUMANOS_OIDC_CLIENT_ID',
    'HUMANOS_OIDC_CLIENT_SECRET',
    'HUMANOS_OIDC_SCOPES',
    'HUMANOS_OIDC_ROLES_CLAIM',
    'HUMANOS_OIDC_LOGOUT',
  ];
  if (!issuer) {
    const stray = others.find((n) => vars[n]);
    if (stray) throw new ConfigError(stray, 'is set but HUMANOS_OIDC_ISSUER is not');
    return undefined;
  }
  if (!URL.canParse(issuer)) throw new ConfigError('HUMANOS_OIDC_ISSUER', `must be a URL, got "${issuer}"`);
  const u = new URL(issuer);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.test(u.hostname))) {
    throw new ConfigError('HUMANOS_OIDC_ISSUER', 'must be an https URL (http only on loopback, for development)');
  }
  const clientId = vars.HUMANOS_OIDC_CLIENT_ID || undefined;
  if (!clientId) throw new ConfigError('HUMANOS_OIDC_CLIENT_ID', 'is needed with HUMANOS_OIDC_ISSUER');
  if (!publicUrl) throw new ConfigError('HUMANOS_PUBLIC_URL', 'is needed with HUMANOS_OIDC_ISSUER (the redirect URI)');
  const scopes = (vars.HUMANOS_OIDC_SCOPES || 'openid email profile').trim().split(/\s+/);
  if (!scopes.includes('openid')) throw new ConfigError('HUMANOS_OIDC_SCOPES', 'must include openid');
  const rolesClaim = vars.HUMANOS_OIDC_ROLES_CLAIM || undefined;
  if (rolesClaim !== undefined && !/^[\w.:/-]{1,100}$/.test(rolesClaim)) {
    throw new ConfigError('HUMANOS_OIDC_ROLES_CLAIM', `must be a claim name, got "${rolesClaim}"`);
  }
  const auto = vars.HUMANOS_OIDC_AUTO_PROVISION || '0';
  if (auto !== '0' && auto !== '1')
    throw new ConfigError('HUMANOS_OIDC_AUTO_PROVISION', `must be 0 or 1, got "${auto}"`);
  const name = (vars.HUMANOS_OIDC_NAME || u.host).slice(0, 60);
  const logout = vars.HUMANOS_OIDC_LOGOUT || 'idp';
  if (logout !== 'idp' && logout !== 'local')
    throw new ConfigError('HUMANOS_OIDC_LOGOUT', `must be idp or local, got "${logout}"`);
  return {
    issuer,
    clientId,
    clientSecret: vars.HUMANOS_OIDC_CLIENT_SECRET || undefined,
    scopes: scopes.join(' '),
    rolesClaim,
    autoProvision: auto === '1',
    name,
    redirectUri: `${publicUrl}/v1/humanos/auth/callback`,
    logout,
    postLogoutRedirectUri: `${publicUrl}/`,
  };
}

/** HUMANOS_TRUST_PROXY: `true`, or a comma-separated list of the proxies' addresses/CIDRs. */
function trustProxy(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^[\w.:/,\s-]{1,1000}$/.test(raw)) return raw;
  throw new ConfigError('HUMANOS_TRUST_PROXY', `must be true, false or the proxies' addresses, got "${raw}"`);
}

/** How many `/mcp` sessions may be open, per principal and in all, and how long an idle one lives. */
export interface McpSessionConfig {
  /** HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL: one more initialization is 429 `too_many_mcp_sessions` (default 8). */
  maxSessionsPerPrincipal: number;
  /** HUMANOS_MCP_MAX_SESSIONS: open sessions in this process; one more is 503 (default 1000). */
  maxSessions: number;
  /** HUMANOS_MCP_SESSION_IDLE_SECONDS: a session without a request for this long is closed (default 300). */
  sessionIdleSeconds: number;
}

/**
 * Reads the `/mcp` session limits. A per-principal cap above the total would let one principal take
 * every session again, so it is refused.
 */
function mcpSessionConfig(int: (name: string, def: number, min: number, max: number) => number): McpSessionConfig {
  const d = MCP_SESSION_DEFAULTS;
  const maxSessions = int('HUMANOS_MCP_MAX_SESSIONS', d.maxSessions, 1, 100_000);
  const maxSessionsPerPrincipal = int('HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL', d.maxSessionsPerPrincipal, 1, 10_000);
  if (maxSessionsPerPrincipal > maxSessions) {
    throw new ConfigError(
      'HUMANOS_MCP_MAX_SESSIONS_PER_PRINCIPAL',
      `must not exceed HUMANOS_MCP_MAX_SESSIONS (${maxSessions}), got ${maxSessionsPerPrincipal}`,
    );
  }
  return {
    maxSessionsPerPrincipal,
    maxSessions,
    sessionIdleSeconds: int('HUMANOS_MCP_SESSION_IDLE_SECONDS', d.idleSeconds, 10, 86_400),
  };
}

/**
 * Settings that exist for the test suites only; each is refused unless `HUMANOS_TEST_MODE=1` says
 * the server is a test server, so a production environment cannot turn one on by accident.
 */
function testSettings(
  vars: Record<string, string | undefined>,
  int: (name: string, def: number, min: number, max: number) => number,
): { testReviewClockOffsetMs: number } {
  const mode = vars.HUMANOS_TEST_MODE || undefined;
  if (mode !== undefined && mode !== '1') {
    throw new ConfigError('HUMANOS_TEST_MODE', `must be 1 when set, got "${mode}"`);
  }
  const offset = 'HUMANOS_TEST_REVIEW_CLOCK_OFFSET_MS';
  if (vars[offset] && mode !== '1') {
    throw new ConfigError(offset, 'is a test setting: refused unless HUMANOS_TEST_MODE=1 (never set it in production)');
  }
  return { testReviewClockOffsetMs: int(offset, 0, 0, 366 * 86_400_000) };
}

/**
 * The ledger key: `HUMANOS_SIGNING_KEY` (the PKCS#8 PEM itself, as secret stores inject it), else
 * `HUMANOS_SIGNING_KEY_FILE`, else `<data dir>/signing-key.pem` (generated on first start).
 */
export type SigningKeySource =
  | { source: 'env'; key: SigningKey }
  | { source: 'file'; file: string; setting: 'HUMANOS_SIGNING_KEY_FILE' | 'HUMANOS_DATA_DIR' };

/**
 * Reads the key settings once. A PEM in the environment is parsed here, so a malformed one stops
 * start-up naming the variable; the message never echoes the value (it is a secret).
 */
function signingKeyConfig(vars: Record<string, string | undefined>, dataDir: string): SigningKeySource {
  const pem = vars.HUMANOS_SIGNING_KEY || undefined;
  const file = vars.HUMANOS_SIGNING_KEY_FILE || undefined;
  if (pem && file) {
    throw new ConfigError('HUMANOS_SIGNING_KEY', 'and HUMANOS_SIGNING_KEY_FILE are both set: set one of them');
  }
  if (!pem) {
    return file
      ? { source: 'file', file: resolve(file), setting: 'HUMANOS_SIGNING_KEY_FILE' }
      : { source: 'file', file: resolve(`${dataDir}/signing-key.pem`), setting: 'HUMANOS_DATA_DIR' };
  }
  try {
    return { source: 'env', key: signingKeyFromPem(pem.replace(/\\n/g, '\n')) };
  } catch {
    throw new ConfigError(
      'HUMANOS_SIGNING_KEY',
      'is not an Ed25519 private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----; make one with `openssl genpkey -algorithm ed25519`)',
    );
  }
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

const FLAGS: Record<string, string> = {
  '--port': 'PORT',
  '--host': 'HOST',
  '--data-dir': 'HUMANOS_DATA_DIR',
  '--database-url': 'DATABASE_URL',
  '--signing-key-file': 'HUMANOS_SIGNING_KEY_FILE',
  '--log-level': 'HUMANOS_LOG_LEVEL',
  '--policy': 'HUMANOS_POLICY',
};

/**
 * Compiles environment and flags (flags win) into a `ServerConfig`, once, at start-up. An invalid
 * setting throws a ConfigError naming it, which `main` prints as one line before exiting.
 *
 * @example
 * const config = loadConfig(process.env, ['--port', '9000']);
 */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): ServerConfig {
  const vars: Record<string, string | undefined> = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const name = FLAGS[flag as string];
    if (!name) throw new ConfigError(arg, `unknown flag (known: ${Object.keys(FLAGS).join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(flag as string, 'needs a value');
    vars[name] = value;
  }
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = vars[name];
    if (raw === undefined || raw === '') return def;
    if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  };
  const dataDir = resolve(vars.HUMANOS_DATA_DIR || '.humanos');
  const databaseUrl = vars.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const named = vars.HUMANOS_PG_NAMED_STATEMENTS || 'on';
  if (named !== 'on' && named !== 'off') throw new ConfigError('HUMANOS_PG_NAMED_STATEMENTS', 'must be on or off');
  const adminToken = vars.HUMANOS_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && (adminToken.length < 16 || /\s/.test(adminToken))) {
    throw new ConfigError('HUMANOS_ADMIN_TOKEN', 'must be at least 16 characters without spaces');
  }
  const origin = vars.HUMANOS_LEDGER_ORIGIN || undefined;
  if (origin !== undefined && !/^[\x21-\x2a\x2c-\x7e]{1,100}$/.test(origin)) {
    throw new ConfigError('HUMANOS_LEDGER_ORIGIN', 'must be printable ASCII without spaces or "+"');
  }
  const role = vars.HUMANOS_DEFAULT_APPROVER_ROLE || 'approver';
  if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(role))
    throw new ConfigError('HUMANOS_DEFAULT_APPROVER_ROLE', 'must be a role name');
  const logLevel = vars.HUMANOS_LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('HUMANOS_LOG_LEVEL', 'must be one of fatal, error, warn, info, debug, trace, silent');
  }
  const integrations = integrationConfig(vars, int);
  return {
    port: int('PORT', 8787, 0, 65535),
    host: vars.HOST || '127.0.0.1',
    dataDir,
    databaseUrl,
    pgNamedStatements: named === 'on',
    adminToken,
    signingKey: signingKeyConfig(vars, dataDir),
    previousSigningKeyFile: vars.HUMANOS_PREVIOUS_SIGNING_KEY_FILE
      ? resolve(vars.HUMANOS_PREVIOUS_SIGNING_KEY_FILE)
      : undefined,
    origin,
    bodyLimit: int('HUMANOS_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    defaultApproverRole: role,
    timerIntervalMs: int('HUMANOS_TIMER_INTERVAL_MS', 1000, 10, 60_000),
    logLevel,
    logSlowMs: int('HUMANOS_LOG_SLOW_MS', 1000, 1, 3_600_000),
    policyFile: vars.HUMANOS_POLICY ? resolve(vars.HUMANOS_POLICY) : undefined,
    integrations,
    auth: authConfig(vars, int, integrations.publicUrl),
    trustProxy: trustProxy(vars.HUMANOS_TRUST_PROXY),
    rateLimit: {
      max: int('HUMANOS_RATE_LIMIT', 1000, 0, 1_000_000),
      windowMs: int('HUMANOS_RATE_LIMIT_WINDOW_MS', 10_000, 100, 3_600_000),
    },
    signInRateLimit: int('HUMANOS_SIGNIN_RATE_LIMIT', 120, 0, 1_000_000),
    maxStreamsPerPrincipal: int('HUMANOS_MAX_STREAMS_PER_PRINCIPAL', 32, 0, 100_000),
    mcp: mcpSessionConfig(int),
    ...testSettings(vars, int),
    team: teamConfig(vars, int),
    witnesses: witnessesConfig(vars),
  };
}

function teamConfig(
  vars: Record<string, string | undefined>,
  int: (name: string, def: number, min: number, max: number) => number,
): TeamConfig {
  const on = vars.HUMANOS_ATTENTION_CHECKS || 'off';
  if (on !== 'on' && on !== 'off') throw new ConfigError('HUMANOS_ATTENTION_CHECKS', 'must be on or off');
  const requester = vars.HUMANOS_ATTENTION_CHECK_REQUESTER || 'did:agent:ops-assistant';
  if (!/^did:agent:[a-z0-9][a-z0-9._-]{0,62}$/.test(requester))
    throw new ConfigError('HUMANOS_ATTENTION_CHECK_REQUESTER', 'must be an agent DID (did:agent:…)');
  return {
    claimSeconds: int('HUMANOS_CLAIM_SECONDS', 600, 10, 86_400),
    attention: {
      enabled: on === 'on',
      perThousand: int('HUMANOS_ATTENTION_CHECK_PER_THOUSAND', 20, 0, 1000),
      requester,
    },
  };
}

/** A witness the server submits checkpoints to: its cosignature/v1 vkey and submission prefix. */
export interface WitnessEndpoint {
  vkey: string;
  url: string;
}

export interface WitnessesConfig {
  list: WitnessEndpoint[];
  /** A checkpoint cosigned by this many of them is one the store must contain (default: all). */
  quorum: number;
}

/**
 * `HUMANOS_WITNESSES`: comma-separated `<vkey>=<url>` (the vkey `humanos witness` prints; the URL is
 * the witness's submission prefix, `add-checkpoint` is appended). A vkey never contains `=` (33
 * bytes of key are 44 base64 characters, no padding), so the first `=` separates them.
 * `HUMANOS_WITNESS_QUORUM`: 1 to the number of witnesses, default all.
 */
function witnessesConfig(vars: Record<string, string | undefined>): WitnessesConfig {
  const list: WitnessEndpoint[] = [];
  for (const item of (vars.HUMANOS_WITNESSES ?? '').split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const at = item.indexOf('=');
    if (at < 0) throw new ConfigError('HUMANOS_WITNESSES', `"${item}" must be <witness vkey>=<http(s) url>`);
    const vkey = item.slice(0, at);
    const url = item.slice(at + 1);
    try {
      parseWitnessKey(vkey);
    } catch (e) {
      throw new ConfigError('HUMANOS_WITNESSES', `"${item}" must be <witness vkey>=<url>: ${(e as Error).message}`);
    }
    if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
      throw new ConfigError('HUMANOS_WITNESSES', `"${item}" must be <witness vkey>=<http(s) url>`);
    }
    if (list.some((w) => w.vkey === vkey)) throw new ConfigError('HUMANOS_WITNESSES', `lists ${vkey} twice`);
    list.push({ vkey, url: url.replace(/\/+$/, '') });
  }
  const raw = vars.HUMANOS_WITNESS_QUORUM || undefined;
  if (raw === undefined) return { list, quorum: list.length };
  const quorum = Number(raw);
  if (!/^\d+$/.test(raw) || quorum < 1 || quorum > list.length) {
    throw new ConfigError(
      'HUMANOS_WITNESS_QUORUM',
      `must be between 1 and the number of HUMANOS_WITNESSES (${list.length}), got "${raw}"`,
    );
  }
  return { list, quorum };
}
