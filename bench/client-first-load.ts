// What the first page really downloads, measured in chromium (issue 11 part 3): every response of
// a page load in a fresh browser context (empty cache), until the network is idle and the page
// shows `ready`. JavaScript is counted as gzip bytes (its .gz copy from the build, or the file
// gzipped at level 9 when the build has none) — the "kB gzip" of the ≤ 100 kB goal; "on the wire"
// is what chromium actually received for everything (headers + bodies, as encoded).
// Used by `npm run bench -- client` and by tests/browser/first-load.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';

/** The goal of issue 11: JavaScript of the first page load, gzip. */
export const FIRST_LOAD_GOAL_BYTES = 100 * 1000;

export interface LoadedFile {
  path: string;
  /** gzip size of the file (level 9 or the build's own .gz copy). */
  gzipBytes: number;
  /** Bytes received for it: response headers + body as sent (compressed or not). */
  wireBytes: number;
  contentEncoding: string | null;
}

export interface FirstLoad {
  scripts: LoadedFile[];
  scriptGzipBytes: number;
  /** Every response: HTML, CSS, JavaScript and API calls. */
  wireBytes: number;
  requests: number;
}

function gzipSize(clientDir: string, urlPath: string): number {
  const file = path.join(clientDir, decodeURIComponent(urlPath));
  if (fs.existsSync(`${file}.gz`)) return fs.statSync(`${file}.gz`).size;
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

export async function measureFirstLoad(page: Page, url: string, clientDir: string, ready: (page: Page) => Promise<unknown>): Promise<FirstLoad> {
  const pending: Array<Promise<{ path: string; isScript: boolean; wireBytes: number; contentEncoding: string | null }>> = [];
  const origin = new URL(url).origin;
  page.on('requestfinished', (request) => {
    pending.push(
      (async () => {
        const [sizes, response] = await Promise.all([request.sizes(), request.response()]);
        const target = new URL(request.url());
        return {
          path: target.origin === origin ? target.pathname : request.url(),
          isScript: request.resourceType() === 'script',
          wireBytes: sizes.responseHeadersSize + sizes.responseBodySize,
          contentEncoding: (await response?.headerValue('content-encoding')) ?? null,
        };
      })(),
    );
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  await ready(page);
  await page.waitForLoadState('networkidle');
  const done = await Promise.all(pending);
  const scripts = done
    .filter((r) => r.isScript)
    .map((r) => ({ path: r.path, gzipBytes: gzipSize(clientDir, r.path), wireBytes: r.wireBytes, contentEncoding: r.contentEncoding }));
  return {
    scripts,
    scriptGzipBytes: scripts.reduce((sum, s) => sum + s.gzipBytes, 0),
    wireBytes: done.reduce((sum, r) => sum + r.wireBytes, 0),
    requests: done.length,
  };
}

export const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
