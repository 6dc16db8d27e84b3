// Browser-test harness: the real server (built client + API) on a fresh database of the shared
// test server, and Debian's chromium driven by playwright-core. Screenshots go to
// tests/.artifacts/ (git-ignored) so a person can look at them.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { repoRoot, startServer, type RunningServer } from '../../server/server.ts';

export const artifactsDir = path.join(repoRoot, 'tests', '.artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function startBrowserHarness() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-browser-'));
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    MONGODB_DB: `b_${randomBytes(6).toString('hex')}`,
  });
  const server: RunningServer = await startServer(config, {
    database: { engine: inject('dbEngine'), uri: inject('dbUri'), location: 'test', stop: async () => {} },
    ownsDatabase: false,
    clientDir: inject('clientDir'),
    log: () => {},
  });
  // playwright gives every launch a fresh, temporary user-data-dir.
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  fs.mkdirSync(artifactsDir, { recursive: true });
  return {
    url: server.url,
    browser,
    async screenshot(page: Page, name: string) {
      await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
    },
    async stop() {
      await browser.close();
      const { default: mongoose } = await import('mongoose');
      await mongoose.connection.db?.dropDatabase();
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form (every test user has the fixtures' PASSWORD) and waits for home. */
export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('home').waitFor();
}
