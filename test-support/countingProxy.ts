import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP proxy in front of a server that counts the requests it forwards. */
export interface CountingProxy {
  /** The proxy's base URL: give it to the client under test instead of the server's. */
  url: string;
  /** How many requests started with this method and a path (without the query) matching `path`. */
  count(method: string, path: string | RegExp): number;
  /** Each forwarded request as `METHOD /path?query`, in the order they started. */
  readonly seen: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts a proxy that forwards every request to `target` as is (streaming both ways, so long-polls
 * and event streams pass through) and counts them as they start: a long-poll still in flight is
 * counted, which a server-side metric recorded at the response would miss.
 *
 * @example
 * const proxy = await countingProxy(t.url);
 * const client = new HumanOSClient({ baseUrl: proxy.url, apiKey });
 * expect(proxy.count('POST', '/v1/humanos/executions/claim')).toBe(1);
 */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const seen: string[] = [];
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    // The client left: so does the forwarded request (the server sees the long-poll's client go).
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    count(method, path) {
      return seen.filter((s) => {
        const [m, url = ''] = s.split(' ');
        const p = url.split('?')[0] ?? '';
        return m === method && (typeof path === 'string' ? p === path : path.test(p));
      }).length;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
