// Client first-load benchmark (issue 11 part 3): builds the web client as `npm start` does, serves
// it with the real server, and loads the first page in headless chromium with an empty cache —
// signed out (the sign-in page, Chinese browser) and signed in (the home page, English browser).
// Prints the JavaScript of each first load in kB gzip next to the 100 kB goal, the bytes on the
// wire for everything, and the entry's static import graph from Vite's manifest as a cross-check.
// `npm run bench -- client` (CHROMIUM_PATH overrides /usr/bin/chromium).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { loadConfig } from '../server/config.ts';
import { createUser } from '../server/modules/users/service.ts';
import { repoRoot, startServer } from '../server/server.ts';
import { FIRST_LOAD_GOAL_BYTES, kB, measureFirstLoad, type FirstLoad } from './client-first-load.ts';
import { benchDatabase } from './common.ts';
import type { Benchmark } from './index.ts';

const PASSWORD = 'bench password 0123456789';

function buildClient(outDir: string): void {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error', '--outDir', outDir, '--emptyOutDir'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('vite build failed');
}

/** gzip bytes of the entry chunk and everything it imports statically (Vite manifest). */
function entryGraphGzip(clientDir: string): { files: number; bytes: number } {
  const manifest = JSON.parse(fs.readFileSync(path.join(clientDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, { file: string; imports?: string[]; isEntry?: boolean }>;
  const seen = new Set<string>();
  const walk = (key: string) => {
    if (seen.has(key) || !manifest[key]) return;
    seen.add(key);
    for (const next of manifest[key].imports ?? []) walk(next);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) walk(key);
  const bytes = [...seen].reduce((sum, key) => sum + zlib.gzipSync(fs.readFileSync(path.join(clientDir, manifest[key]!.file)), { level: 9 }).length, 0);
  return { files: seen.size, bytes };
}

async function signIn(browser: Browser, url: string): Promise<Awaited<ReturnType<BrowserContext['storageState']>>> {
  const context = await browser.newContext();
  const session = (await (await context.request.get(`${url}/api/v1/auth/session`)).json()) as { csrfToken: string };
  const login = await context.request.post(`${url}/api/v1/auth/login`, {
    headers: { 'X-CSRF-Token': session.csrfToken },
    data: { username: 'bench-admin', password: PASSWORD },
  });
  if (!login.ok()) throw new Error(`sign-in failed: ${login.status()}`);
  const state = await context.storageState();
  await context.close();
  return state;
}

function report(label: string, load: FirstLoad): void {
  const verdict = load.scriptGzipBytes <= FIRST_LOAD_GOAL_BYTES ? 'meets' : 'MISSES';
  console.log(`${label}: JavaScript ${kB(load.scriptGzipBytes)} gzip in ${load.scripts.length} files (goal ≤ ${kB(FIRST_LOAD_GOAL_BYTES)}: ${verdict})`);
  console.log(`  on the wire: ${kB(load.wireBytes)} for all ${load.requests} responses (HTML, CSS, JS, API), ${kB(load.scripts.reduce((s, f) => s + f.wireBytes, 0))} of it JavaScript`);
  for (const s of load.scripts) console.log(`    ${s.path.padEnd(44)} ${kB(s.gzipBytes).padStart(9)} gzip  ${kB(s.wireBytes).padStart(9)} sent (${s.contentEncoding ?? 'uncompressed'})`);
}

export const clientBenchmark: Benchmark = {
  name: 'client',
  description: 'web client first load: JavaScript kB gzip (goal ≤ 100 kB) and bytes on the wire, in chromium',
  async run() {
    const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-bench-client-'));
    const { database, dataDir, cleanup } = await benchDatabase();
    let browser: Browser | undefined;
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      buildClient(clientDir);
      const graph = entryGraphGzip(clientDir);
      console.log(`entry + its static imports (Vite manifest): ${kB(graph.bytes)} gzip in ${graph.files} files`);
      const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', MONGODB_DB: 'bench_client', SESSION_SECRET: 'bench-secret-0123456789-0123456789-0123456789' });
      server = await startServer(config, { database, ownsDatabase: false, clientDir, log: () => {} });
      await createUser({ username: 'bench-admin', displayName: 'Bench', password: PASSWORD, role: 'admin', schoolIds: [] }, null);
      browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
      });
      const url = server.url;

      const signedOut = await browser.newContext({ locale: 'zh-CN' });
      report(
        'sign-in page (signed out, Chinese browser)',
        await measureFirstLoad(await signedOut.newPage(), url, clientDir, (page) => page.getByTestId('login-form').waitFor()),
      );
      await signedOut.close();

      const signedIn = await browser.newContext({ locale: 'en-US', storageState: await signIn(browser, url) });
      report('home (signed in as admin, English browser)', await measureFirstLoad(await signedIn.newPage(), url, clientDir, (page) => page.getByTestId('home').waitFor()));
      await signedIn.close();
    } finally {
      await browser?.close();
      if (server) {
        const { default: mongoose } = await import('mongoose');
        await mongoose.connection.db?.dropDatabase();
        await server.stop();
      }
      await cleanup();
      fs.rmSync(clientDir, { recursive: true, force: true });
    }
  },
};

// Run on its own: `node --import tsx bench/client.ts`.
if (import.meta.url === `file://${process.argv[1]}`) await clientBenchmark.run({ values: {} });
