// What the in-process benchmarks share: the admin token, percentiles, number formatting, and the
// config of a server started in the benchmark's own process.
import { loadConfig } from '@humanos/server';

export const ADMIN = 'bench-admin-token-0123456789';

/** The p-th percentile of `xs` (nearest rank); NaN for no samples. */
export const pct = (xs, p) =>
  xs.length === 0
    ? Number.NaN
    : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** `n` with `d` decimals; a dash for no figure (NaN). */
export const fmt = (n, d = 1) => (Number.isFinite(Number(n)) ? Number(n).toFixed(d) : '—');

/**
 * A benchmark server's config: its own data dir, the admin token above, an ephemeral port, no
 * per-principal rate limit (one agent sends far more than the default allows), no logs; `env` adds
 * or overrides (a PostgreSQL URL, a timer interval).
 */
export function benchConfig(dir, env = {}) {
  return loadConfig({
    HUMANOS_DATA_DIR: dir,
    HUMANOS_ADMIN_TOKEN: ADMIN,
    HUMANOS_RATE_LIMIT: '0',
    PORT: '0',
    HUMANOS_LOG_LEVEL: 'silent',
    ...env,
  });
}

/** A JSON request to a benchmark server; throws on a non-2xx answer (a benchmark of failures measures nothing). */
export async function callJson(baseUrl, path, token = ADMIN, method = 'GET', body) {
  const res = await fetch(baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
