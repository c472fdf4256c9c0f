import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { Attempt } from '../delivery/outbox.js';

/**
 * A lookup that answers only with addresses checked beforehand: the connection goes to exactly
 * what the SSRF guard approved, so a DNS answer that changes between check and connect (rebinding)
 * cannot redirect it.
 */
function pinned(addresses: readonly string[]): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all)
      cb(
        null,
        addresses.map((address) => ({ address, family: isIP(address) })),
      );
    else cb(null, addresses[0], isIP(addresses[0] as string));
  }) as LookupFunction;
}

/**
 * POSTs `body` to `url`, connecting only to `addresses`, within `timeoutMs` for the connection and
 * the response head (the response body is not read). No redirects are followed; a 2xx is success.
 */
export function postPinned(
  url: URL,
  addresses: readonly string[],
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<Attempt> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const signal = AbortSignal.timeout(timeoutMs);
    const req = mod.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: pinned(addresses),
      signal,
      agent: false,
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.destroy();
      resolve(
        status >= 200 && status < 300
          ? { ok: true, status, error: null }
          : { ok: false, status, error: `HTTP ${status}` },
      );
    });
    req.on('error', (e: Error & { code?: string }) => {
      const error = signal.aborted ? `timeout after ${timeoutMs} ms` : (e.code ?? e.name ?? 'error');
      resolve({ ok: false, status: null, error: error.slice(0, 200) });
    });
    req.end(body);
  });
}
