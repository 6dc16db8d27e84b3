// /api/openapi.json (the generated OpenAPI 3.1 document) and /api/docs (the reference page,
// rendered in the browser by Scalar's standalone bundle, served from node_modules: no CDN).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { mount, RESPONDED, route, routeRegistry } from '../../lib/route.ts';
import { buildOpenApiDocument } from './openapi.ts';

const assetsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const { version } = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const scalarBundle = fileURLToPath(import.meta.resolve('@scalar/api-reference/browser/standalone.js'));

/** The page only loads same-origin scripts: the bundle and init.js (helmet's CSP stays as it is). */
function docsPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>ActiveGroups API reference</title>
  <link rel="stylesheet" href="/api/docs/assets/docs.css">
</head>
<body>
  <header class="docs-header">
    <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">AG</span><span>ActiveGroups</span></a>
    <span class="docs-title">API reference · 接口文档</span>
    <a class="docs-link" href="/api-tokens">API tokens · 访问令牌</a>
    <a class="docs-link" href="/api/openapi.json" download="activegroups-openapi.json">openapi.json</a>
  </header>
  <main id="reference"></main>
  <script src="/api/docs/vendor/standalone.js"></script>
  <script src="/api/docs/assets/init.js"></script>
</body>
</html>
`;
}

export function apiDocsRoutes(): Router {
  const router = Router();
  router.use('/docs/vendor', express.static(path.dirname(scalarBundle), { index: false, maxAge: '1h' }));
  router.use('/docs/assets', express.static(assetsDir, { index: false, maxAge: '1h' }));
  let cached: { serverUrl: string; body: string } | undefined;
  mount(router, '/api', [
    route({
      method: 'get',
      path: '/openapi.json',
      summary: 'This API described as an OpenAPI 3.1 document',
      access: 'public',
      handle: async ({ req, res }) => {
        // The server URL follows how the caller reached us (behind a proxy with TRUST_PROXY).
        const serverUrl = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
        if (cached?.serverUrl !== serverUrl) {
          cached = { serverUrl, body: JSON.stringify(buildOpenApiDocument(routeRegistry, { serverUrl, version })) };
        }
        res.type('application/json').send(cached.body);
        return RESPONDED;
      },
    }),
    route({
      method: 'get',
      path: '/docs',
      summary: 'The API reference page (for a browser)',
      access: 'public',
      produces: ['text/html'],
      handle: async ({ res }) => {
        res.type('html').send(docsPage());
        return RESPONDED;
      },
    }),
  ]);
  return router;
}
