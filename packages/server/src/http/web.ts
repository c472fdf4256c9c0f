import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the web inbox (`@humanos/web`): three known files, read once at start-up. A strict CSP
 * (no inline script, same-origin only) backs up the app's rule of rendering agent text as text.
 */
export function registerWebInbox(app: FastifyInstance): void {
  let root: string | undefined;
  try {
    root = dirname(createRequire(import.meta.url).resolve('@humanos/web/package.json'));
  } catch {
    root = undefined;
  }
  const files: Record<string, { path: string; type: string }> = {
    '/': { path: 'static/index.html', type: 'text/html; charset=utf-8' },
    '/app/style.css': { path: 'static/style.css', type: 'text/css; charset=utf-8' },
    '/app/main.js': { path: 'dist/main.js', type: 'text/javascript; charset=utf-8' },
  };
  const csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  for (const [url, f] of Object.entries(files)) {
    const full = root ? join(root, f.path) : undefined;
    const body = full && existsSync(full) ? readFileSync(full) : undefined;
    app.get(url, { schema: { hide: true } }, async (_req, reply) => {
      reply
        .header('content-security-policy', csp)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer');
      if (!body) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The web inbox is not built. Run `npm run build` (npm start does this).\n');
      }
      return reply.type(f.type).header('cache-control', 'no-cache').send(body);
    });
  }
}
