import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { languageSplit } from './client/build/language-split.ts';
import { precompress } from './client/build/precompress.ts';

const root = fileURLToPath(new URL('./client', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/client', import.meta.url));
const i18nDir = fileURLToPath(new URL('./client/src/i18n', import.meta.url));

// The API runs in its own process during development; everything under /api goes to it so the
// browser sees one origin (session cookie and CSRF header work exactly as in production).
const apiTarget = `http://127.0.0.1:${process.env.API_PORT ?? '3000'}`;

export default defineConfig({
  root,
  // Preact without a plugin: Vite 8 transforms TSX with oxc; point its automatic JSX runtime at
  // preact (the same setting tsconfig's jsxImportSource gives the type checker).
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // Source maps are written without a sourceMappingURL comment: browsers never fetch them, and
    // the server serves them only when SOURCE_MAPS=true (then it names them in a SourceMap header).
    sourcemap: 'hidden',
    // .vite/manifest.json: the entry's chunk graph, read by the first-load benchmark.
    manifest: true,
  },
  plugins: [languageSplit(i18nDir), precompress()],
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
    },
  },
});
