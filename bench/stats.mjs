// The admin token, percentiles and number formatting every benchmark prints with. No imports: the
// `/healthz` prober of ops.mjs loads this in its own process and must start at once.

export const ADMIN = 'bench-admin-token-0123456789';

/** The p-th percentile of `xs` (nearest rank); NaN for no samples. */
export const pct = (xs, p) =>
  xs.length === 0
    ? Number.NaN
    : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** `n` with `d` decimals; a dash for no figure (NaN). */
export const fmt = (n, d = 1) => (Number.isFinite(Number(n)) ? Number(n).toFixed(d) : '—');
