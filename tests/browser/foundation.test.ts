// Fresh start → first-run setup → sign in → home, in Chinese and in English, at phone width.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHarness } from '../helpers/browser.ts';

let h: Awaited<ReturnType<typeof startBrowserHarness>>;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(() => h.stop());

const PASSWORD = 'correct horse battery staple';

describe('first run, sign-in and home', () => {
  it('when a Chinese browser opens a fresh install, then it offers setup in Chinese and lands on the admin home', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(h.url);
    await page.getByTestId('setup-form').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.getByTestId('setup-page').innerText()).toMatch(/[\u4e00-\u9fff]/);
    await h.screenshot(page, 'foundation-1-setup-zh-390');

    // A mismatched confirmation is caught before anything is sent.
    await page.getByTestId('setup-username').fill('admin');
    await page.getByTestId('setup-display-name').fill('王老师');
    await page.getByTestId('setup-password').fill(PASSWORD);
    await page.getByTestId('setup-confirm').fill('something else entirely');
    await page.getByTestId('setup-submit').click();
    await page.getByTestId('field-error').first().waitFor();
    await h.screenshot(page, 'foundation-2-setup-error-zh-390');

    await page.getByTestId('setup-confirm').fill(PASSWORD);
    await page.getByTestId('setup-submit').click();
    await page.getByTestId('home').waitFor();
    expect(await page.getByTestId('current-user').innerText()).toBe('王老师');
    await h.screenshot(page, 'foundation-3-home-admin-zh-390');

    if (await page.getByTestId('menu-toggle').isVisible()) await page.getByTestId('menu-toggle').click();
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('when an English browser signs in, then the home is in English and the language switch turns it to Chinese', async () => {
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(h.url);
    await page.getByTestId('login-form').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill('wrong password here');
    await page.getByTestId('login-submit').click();
    await page.getByText('Wrong username or password.').waitFor();
    await h.screenshot(page, 'foundation-4-login-error-en');

    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('home').waitFor();
    await expect.poll(() => page.getByTestId('nav').innerText()).toMatch(/Schools/);
    await h.screenshot(page, 'foundation-5-home-admin-en');

    await page.getByTestId('lang-zh-CN').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await expect.poll(() => page.getByTestId('nav').innerText()).toMatch(/学校/);
    await h.screenshot(page, 'foundation-6-home-admin-zh');
    await context.close();
  });
});
