// The delivery page on the demo data, on a phone (390 × 844), as a PE teacher reads it (issue 9):
// a spread of statuses where most children are "达标", a visible reason beside every child who is
// not, Chinese throughout; the control arm neutral ("不适用"), never red; and this week's registers
// of the programme running now can be opened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD, loadDemo } from '../../server/demo/load-demo.ts';
import { doseIdle } from '../../server/modules/dose/service.ts';
import { seedBuiltInInstruments } from '../../server/modules/instruments/service.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { signIn as signInAt, startBrowserHarness } from '../helpers/browser.ts';

let h: Awaited<ReturnType<typeof startBrowserHarness>>;
const ids = { autumn: '', winter: '', control: '' };

beforeAll(async () => {
  h = await startBrowserHarness();
  await seedBuiltInInstruments();
  await loadDemo({ childrenPerGroup: 10 });
  await doseIdle();
  const programmes = await Programme.find().sort({ startDate: 1 }).lean();
  ids.control = String(programmes.find((p) => p.arm === 'control')!._id);
  const intervention = programmes.filter((p) => p.arm === 'intervention');
  ids.autumn = String(intervention[0]!._id);
  ids.winter = String(intervention[1]!._id);
}, 300_000);
afterAll(() => h.stop());

const signIn = (page: Page, username: string) => signInAt(page, h.url, username, DEMO_PASSWORD);
async function goTo(page: Page, path: string) {
  await page.evaluate((p) => {
    window.history.pushState(null, '', p);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}
const phone = (locale: string) => h.browser.newContext({ locale, viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

describe('delivery page on the demo, on a phone', () => {
  it('when a teacher opens the finished intervention programme, then most children are met and every other child shows its reason in Chinese', async () => {
    const context = await phone('zh-CN');
    const page = await context.newPage();
    await signIn(page, 'demo.admin');
    await goTo(page, `/delivery/${ids.autumn}`);
    await page.getByTestId('dash-children').waitFor();
    const rows = page.getByTestId('dash-child-row');
    const statuses = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    const count = (s: string) => statuses.filter((x) => x === s).length;
    expect(statuses.length).toBe(40);
    expect(count('pass')).toBeGreaterThan(statuses.length / 2);
    expect(count('fail') + count('at-risk')).toBeGreaterThan(0);
    // Every child who is not met has a visible reason on the page (not only a tooltip), in Chinese.
    const reasons = await page.locator('[data-testid="dash-child-row"]:not([data-status="pass"]) [data-testid="dash-child-reason"]').evaluateAll((els) =>
      els.map((e) => ({ text: (e as HTMLElement).innerText, visible: (e as HTMLElement).getBoundingClientRect().width > 0 })),
    );
    expect(reasons.length).toBe(count('fail') + count('at-risk') + count('insufficient-data'));
    for (const r of reasons) {
      expect(r.visible).toBe(true);
      expect(r.text).toMatch(/[\u4e00-\u9fff]/);
      expect(r.text).not.toMatch(/Attended|weeks with|qualifying|Longest gap/);
    }
    // Nothing wider than the phone: the table turns into cards.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The plan passes frequency despite the National Day holiday, and says which weeks were left out.
    const planFrequency = await page.locator('[data-testid="dash-plan"] [data-check="frequency"]').innerText();
    expect(planFrequency).toContain('达标');
    expect(planFrequency).toMatch(/2 周因假期或考试/);
    await h.screenshot(page, 'delivery-1-autumn-zh-390');
    await page.screenshot({ path: `${process.cwd()}/tests/.artifacts/delivery-1b-autumn-top-zh-390.png` });
    await page.locator('[data-testid="dash-child-row"]:not([data-status="pass"])').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${process.cwd()}/tests/.artifacts/delivery-2-autumn-reasons-zh-390.png` });
    await context.close();
  });

  it('when the control arm is opened, then every check is "not applicable" in a neutral colour and nobody is failing', async () => {
    const context = await phone('zh-CN');
    const page = await context.newPage();
    await signIn(page, 'demo.admin');
    await goTo(page, `/delivery/${ids.control}`);
    await page.getByTestId('dash-children').waitFor();
    await expect(page.getByTestId('dash-control').innerText()).resolves.toContain('对照组');
    const statuses = await page.getByTestId('dash-child-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses.length).toBe(20);
    expect(new Set(statuses)).toEqual(new Set(['not-applicable']));
    expect(await page.locator('.dash-fail, .dash-at-risk').count()).toBe(0);
    const colour = await page.locator('.dash-status.dash-not-applicable').first().evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(colour).not.toBe('rgb(253, 226, 226)'); // not the red of "未达标"
    expect(await page.getByTestId('dash-children-count').innerText()).toContain('不适用');
    await h.screenshot(page, 'delivery-3-control-zh-390');
    await page.screenshot({ path: `${process.cwd()}/tests/.artifacts/delivery-3b-control-top-zh-390.png` });
    await context.close();
  });

  it('when the programme running now is opened in English, then reasons read in English and this week’s register can be opened', async () => {
    const context = await phone('en');
    const page = await context.newPage();
    await signIn(page, 'demo.teacher.rural');
    await goTo(page, `/delivery/${ids.winter}`);
    await page.getByTestId('dash-children').waitFor();
    const reasons = await page.getByTestId('dash-child-reason').allInnerTexts();
    for (const r of reasons) expect(r).not.toMatch(/[\u4e00-\u9fff]/);
    await h.screenshot(page, 'delivery-4-winter-en-390');
    await goTo(page, '/register');
    await page.getByTestId('register-pick').waitFor();
    expect(await page.getByTestId('register-pick-item').count()).toBeGreaterThan(0);
    await h.screenshot(page, 'delivery-5-register-pick-en-390');
    await context.close();
  });
});
