// What the in-process benchmarks share: the config of a server started in the benchmark's own
// process and a JSON call, with the admin token, percentiles and formatting of `stats.mjs`.
import { loadConfig } from '@humanos/server';

import { ADMIN } from './stats.mjs';

export { ADMIN, fmt, pct } from './stats.mjs';

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
