// Scripts against the API: a researcher creates a personal API token in the app (shown once),
// a Python script (the long-CSV example of the reference, run verbatim) downloads the long CSV of
// a programme with it, the token is revoked in the app; an admin opens the API reference from the
// menu and it shows every route, rendered offline by the bundled viewer.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiExamples } from '../../server/modules/api-docs/guide.ts';
import { PASSWORD } from '../helpers/app.ts';
import { artifactsDir, signIn as signInAs, startBrowserHarness } from '../helpers/browser.ts';
import { seedStudyWorld } from '../api/results-world.ts';

const run = promisify(execFile);
let h: Awaited<ReturnType<typeof startBrowserHarness>>;
let world: Awaited<ReturnType<typeof seedStudyWorld>>;

beforeAll(async () => {
  h = await startBrowserHarness();
  world = await seedStudyWorld();
});
afterAll(() => h.stop());

const signIn = (page: Page, username: string) => signInAs(page, h.url, username, PASSWORD);

/** Requests to anything but this server (the machines are offline: a CDN would fail). */
function watchForeignRequests(page: Page, base: string): string[] {
  const foreign: string[] = [];
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
  });
  return foreign;
}

describe('API tokens and the API reference', () => {
  it('when a researcher creates a token in the app, then a Python script downloads the long CSV with it, until it is revoked', async () => {
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await signIn(page, 'researcher');
    await page.getByTestId('nav-apiTokens').click();
    await page.getByTestId('api-tokens-empty').waitFor();
    await page.getByTestId('api-token-name').fill('Long CSV for the county report');
    await page.getByTestId('api-token-days').fill('30');
    await page.getByTestId('api-token-create').click();
    const token = await page.getByTestId('api-token-value').inputValue();
    expect(token).toMatch(/^agt_[A-Za-z0-9_-]{43}$/);
    await page.getByTestId('api-token-row').waitFor();
    expect(await page.getByTestId('api-token-row').innerText()).toContain('Long CSV for the county report');
    expect(await page.getByTestId('api-token-row').innerText()).toContain('never');
    await h.screenshot(page, 'api-tokens-1-created-en');
    await page.getByTestId('api-token-done').click();
    expect(await page.locator('main').innerText()).not.toContain(token.slice(8)); // shown once

    // The script of the reference's "long CSV" example, verbatim, with the token from the page.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-script-'));
    try {
      fs.writeFileSync(path.join(dir, 'long_csv.py'), apiExamples.find((e) => e.id === 'long-csv')!.python);
      const env = { ...process.env, ACTIVEGROUPS_URL: h.url.replace(/\/$/, ''), ACTIVEGROUPS_TOKEN: token, PROGRAMME_ID: world.studies.intervention.programmeId };
      const { stdout } = await run('python3', ['long_csv.py'], { cwd: dir, env, timeout: 60_000 });
      expect(stdout.trim()).toBe('saved long.csv');
      const csv = fs.readFileSync(path.join(dir, 'long.csv'), 'utf8');
      const [header, ...rows] = csv.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
      expect(header).toMatch(/^child_code,school_code,arm,programme,instrument/);
      expect(rows.length).toBeGreaterThan(24);
      expect(csv).not.toContain('王'); // de-identified: codes, no names

      // The page shows the use; revoking stops the script at once.
      await page.reload();
      await page.getByTestId('api-token-row').waitFor();
      expect(await page.getByTestId('api-token-row').innerText()).not.toContain('never');
      await page.getByTestId('api-token-revoke').click();
      await page.getByTestId('api-token-revoke-confirm').click();
      await page.waitForSelector('[data-testid="api-token-row"][data-status="revoked"]');
      await h.screenshot(page, 'api-tokens-2-revoked-en');
      await expect(run('python3', ['long_csv.py'], { cwd: dir, env, timeout: 60_000 })).rejects.toMatchObject({ stderr: expect.stringContaining('401') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('when a Chinese teacher opens API tokens on a phone, then the page is in Chinese', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await signIn(page, 'teacher');
    await page.getByTestId('menu-toggle').click();
    await page.getByTestId('nav-apiTokens').click();
    await page.getByTestId('api-tokens-empty').waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('API 访问令牌');
    expect(text).toContain('您还没有 API 访问令牌。');
    await page.getByTestId('api-token-name').fill('花名册同步');
    await page.getByTestId('api-token-create').click();
    await page.getByTestId('api-token-created').waitFor();
    expect(await page.getByTestId('api-token-created').innerText()).toContain('只显示这一次');
    await h.screenshot(page, 'api-tokens-3-phone-zh');
    await context.close();
  });

  it('when an admin opens the API reference from the menu, then it shows every route of the OpenAPI document, with no request leaving the server', async () => {
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const base = h.url.replace(/\/$/, '');
    const foreign = watchForeignRequests(page, base);
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await signIn(page, 'admin');
    await page.getByTestId('nav-apiDocs').click();
    await page.waitForURL(`${base}/api/docs`);
    const answer = await page.request.get(`${base}/api/openapi.json`);
    expect(answer.status(), await answer.text()).toBe(200);
    const doc = (await answer.json()) as { paths: Record<string, Record<string, { summary: string }>> };
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path: p, summary: op.summary })));
    expect(operations.length).toBeGreaterThan(60);
    // Every operation is in the viewer's navigation, by its summary.
    await page.getByText(operations[0]!.summary).first().waitFor({ timeout: 30_000 });
    // The introduction (the guide for scripts) is rendered separately from the navigation; wait for it too.
    await page.getByText('Authentication with an API token').first().waitFor({ timeout: 30_000 });
    // textContent, not innerText: no layout of the very long page (innerText can take > 30 s here).
    const navText = (await page.evaluate(() => document.body.textContent)) ?? '';
    const missing = operations.filter((op) => !navText.includes(op.summary)).map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect(missing).toEqual([]);
    // The guide for scripts is on the page.
    expect(navText).toContain('Authentication with an API token');
    // The rendered reference is far taller than a screen: the first screen, then one operation.
    await page.screenshot({ path: path.join(artifactsDir, 'api-docs-1-reference.png') });
    await page.getByText('Download a de-identified export').first().click();
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(artifactsDir, 'api-docs-2-export-operation.png') });
    expect(foreign).toEqual([]);
    expect(consoleErrors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
    await context.close();
  });
});
