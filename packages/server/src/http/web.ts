import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The web console's strict CSP: scripts, styles, fetches and images from this origin only; no inline
 * script or style, no eval, no framing. It backs up the console's rule of rendering agent text as text.
 */
export const WEB_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The console's client-side routes: each answers index.html so links from chat or mail and reloads work. */
export const WEB_ROUTES = [
  '/',
  '/inbox',
  '/history',
  '/approvals/:approvalId',
  '/tasks/:taskId',
  '/admin',
  '/admin/*',
  '/audit',
  '/audit/*',
  '/security',
  '/delegation',
] as const;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The built console (`@humanos/web`'s dist/): index.html and the hashed assets, read once. */
function loadBuild(): { index: Buffer; assets: Map<string, { body: Buffer; type: string }> } | undefined {
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve('@humanos/web/package.json'));
  } catch {
    return undefined;
  }
  const dist = join(root, 'dist');
  if (!existsSync(join(dist, 'index.html'))) return undefined;
  const assets = new Map<string, { body: Buffer; type: string }>();
  const dir = join(dist, 'assets');
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return { index: readFileSync(join(dist, 'index.html')), assets };
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', WEB_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

/**
 * Serves the web console (`@humanos/web`, built by Vite): index.html for the console's routes (an
 * SPA fallback limited to them, never cached so a new build is picked up), and `/assets/{name}` with
 * hashed names, cached for a year. Nothing else of the web package is reachable.
 *
 * @example
 * registerWebInbox(app); // GET /approvals/approval:… → index.html; GET /assets/index-3f2a….js → the bundle
 */
export function registerWebInbox(app: FastifyInstance): void {
  const build = loadBuild();
  for (const url of WEB_ROUTES) {
    app.get(url, { schema: { hide: true } }, async (_req, reply) => {
      secure(reply);
      if (!build) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The web console is not built. Run `npm run build` (npm start does this).\n');
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(build.index);
    });
  }
  app.get<{ Params: { name: string } }>('/assets/:name', { schema: { hide: true } }, async (req, reply) => {
    const asset = build?.assets.get(req.params.name);
    if (!asset) return reply.callNotFound();
    return secure(reply)
      .type(asset.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(asset.body);
  });
}
