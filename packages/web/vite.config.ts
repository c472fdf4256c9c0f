import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console is a static bundle the server serves from dist/ under a strict CSP (script-src 'self',
 * style-src 'self', connect-src 'self'): no inline script or style, hashed asset names, one origin.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  resolve: {
    alias: {
      // core's index pulls node:crypto; the console needs only its (pure) text module.
      '@humanos/core/text': fileURLToPath(new URL('../core/src/text.ts', import.meta.url)),
    },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No data: URIs (img-src 'self' only) and no inline anything.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
