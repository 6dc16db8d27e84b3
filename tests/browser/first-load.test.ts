// The first page stays light (issue 11: ≤ 100 kB gzip of JavaScript) and compressed, and the other
// language's texts are fetched only when a person switches to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { FIRST_LOAD_GOAL_BYTES, measureFirstLoad } from '../../bench/client-first-load.ts';
import { createUser } from '../../server/modules/users/service.ts';
import { startBrowserHarness } from '../helpers/browser.ts';

const PASSWORD = 'correct horse battery staple';

let h: Awaited<ReturnType<typeof startBrowserHarness>>;
beforeAll(async () => {
  h = await startBrowserHarness();
  await createUser({ username: 'admin', displayName: 'Admin', password: PASSWORD, role: 'admin', schoolIds: [] }, null);
});
afterAll(() => h.stop());

const textChunk = (lng: string) => new RegExp(`^/assets/${lng}-[\\w-]+\\.js$`);

describe('first load', () => {
  it('when a Chinese browser opens the sign-in page, then at most 100 kB gzip of JavaScript arrives, brotli-compressed, with the Chinese texts only', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    const load = await measureFirstLoad(page, h.url, inject('clientDir'), (p) => p.getByTestId('login-form').waitFor());
    expect(load.scriptGzipBytes).toBeLessThanOrEqual(FIRST_LOAD_GOAL_BYTES);
    const paths = load.scripts.map((s) => s.path);
    expect(paths.some((p) => textChunk('zh-CN').test(p))).toBe(true);
    expect(paths.some((p) => textChunk('en').test(p))).toBe(false);
    // No validator library and no chart library on the sign-in page.
    expect(paths.filter((p) => /zod|coerce|chart/i.test(p))).toEqual([]);
    for (const script of load.scripts.filter((s) => s.gzipBytes > 1024)) expect(script.contentEncoding, script.path).toBe('br');
    expect(load.wireBytes).toBeLessThan(FIRST_LOAD_GOAL_BYTES);
    await context.close();
  });

  it('when a signed-in English browser loads the home page, then at most 100 kB gzip of JavaScript arrives', async () => {
    const context = await h.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(h.url);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('home').waitFor();
    const fresh = await h.browser.newContext({ locale: 'en-US', storageState: await context.storageState() });
    await context.close();
    const load = await measureFirstLoad(await fresh.newPage(), h.url, inject('clientDir'), (p) => p.getByTestId('home').waitFor());
    expect(load.scriptGzipBytes).toBeLessThanOrEqual(FIRST_LOAD_GOAL_BYTES);
    expect(load.scripts.map((s) => s.path).some((p) => textChunk('en').test(p))).toBe(true);
    await fresh.close();
  });

  it('when the language is switched, then the other texts are fetched then, and the page turns to that language', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(h.url);
    await page.getByTestId('login-form').waitFor();
    expect(await page.getByTestId('login-form').innerText()).toMatch(/[\u4e00-\u9fff]/);
    const english = page.waitForResponse((r) => textChunk('en').test(new URL(r.url()).pathname));
    await page.getByTestId('lang-en').click();
    expect((await english).status()).toBe(200);
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await expect.poll(() => page.getByTestId('login-form').innerText()).not.toMatch(/[\u4e00-\u9fff]/);
    // And back: the Chinese texts are already here, nothing is fetched again.
    let refetched = false;
    page.on('request', (r) => {
      if (textChunk('zh-CN').test(new URL(r.url()).pathname)) refetched = true;
    });
    await page.getByTestId('lang-zh-CN').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(refetched).toBe(false);
    await context.close();
  });
});
