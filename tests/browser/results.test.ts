// A researcher opens the results page: intervention vs control for a questionnaire, the three
// charts, a suppressed small programme, the export links — in English on a desktop and in Chinese.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/app.ts';
import { startBrowserHarness } from '../helpers/browser.ts';
import { seedStudyWorld } from '../api/results-world.ts';

let h: Awaited<ReturnType<typeof startBrowserHarness>>;
let world: Awaited<ReturnType<typeof seedStudyWorld>>;

beforeAll(async () => {
  h = await startBrowserHarness();
  world = await seedStudyWorld();
});
afterAll(() => h.stop());

async function signIn(page: Page, username: string) {
  await page.goto(h.url);
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('home').waitFor();
}

/** True when the canvas has non-blank pixels (Chart.js drew something). */
const drawn = (page: Page, testid: string) =>
  page.getByTestId(testid).evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) ink++;
    return ink;
  });

describe('results page', () => {
  it('when a researcher compares intervention with control, then the tables, the three charts and the export links show, without names', async () => {
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await signIn(page, 'researcher');
    await page.getByTestId('nav-results').click();
    await page.getByTestId('results-body').waitFor();
    // Default: the intervention programme, its first questionnaire, compared with the control.
    expect(await page.getByTestId('results-programme').inputValue()).toBe(world.studies.intervention.programmeId);
    expect(await page.getByTestId('results-comparison').inputValue()).toBe(world.studies.control.programmeId);
    const paired = await page.getByTestId('results-paired').innerText();
    expect(paired).toContain('Intervention');
    expect(paired).toContain('Control');
    expect(paired).toMatch(/Pairs \(n\)\s+21\s+19/);
    // The arms have ≥ 5 pairs: counts inside them are shown, not hidden (issue 9).
    expect(paired).toMatch(/no post 2/);
    expect(paired).toMatch(/16 \/ 5 \/ 0/);
    expect(await page.getByTestId('results-ancova').innerText()).toMatch(/^-\d+\.\d\d \[-\d+\.\d\d, -?\d+\.\d\d\], t -\d/);
    await page.waitForFunction(() => document.querySelectorAll('canvas').length === 3);
    expect(await drawn(page, 'chart-pairs')).toBeGreaterThan(1000);
    expect(await drawn(page, 'chart-changes')).toBeGreaterThan(1000);
    expect(await drawn(page, 'chart-dose')).toBeGreaterThan(1000);
    const body = await page.locator('main').innerText();
    expect(body).not.toContain('王小明');
    expect(body).not.toContain('A-I-0001');
    const longHref = await page.getByTestId('export-long.csv').getAttribute('href');
    expect(longHref).toBe(`/api/v1/exports/long.csv?programmeIds=${world.studies.intervention.programmeId}%2C${world.studies.control.programmeId}`);
    await h.screenshot(page, 'results-1-intervention-vs-control-en');

    // The export link downloads a streamed CSV with a BOM.
    const download = page.waitForEvent('download');
    await page.getByTestId('export-long.csv').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^activegroups_.*_long\.csv$/);

    // RSES on the same pair of programmes.
    await page.getByTestId('results-instrument').selectOption('RSES');
    await page.waitForFunction(() => document.querySelector('[data-testid="results-body"] h2')?.textContent?.includes('Rosenberg'));
    await page.waitForFunction(() => document.querySelector('[data-testid="results-body"]')?.getAttribute('aria-busy') === 'false');
    expect(await page.getByTestId('results-paired').innerText()).toMatch(/Pairs \(n\)\s+22\s+19/);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('when a Chinese researcher opens the 3-child pilot on a phone, then every statistic is hidden and said so in Chinese', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await signIn(page, 'researcher');
    await page.goto(`${h.url}/results?programme=${world.studies.tiny.programmeId}&instrument=SCARED`);
    await page.getByTestId('results-body').waitFor();
    const paired = await page.getByTestId('results-paired').innerText();
    expect(paired).toContain('已隐藏（少于 5 名儿童）');
    expect(paired).not.toMatch(/\d+\.\d\d/);
    expect(await page.getByTestId('results-between').innerText()).toContain('请选择一个对照项目');
    expect(await page.locator('main').innerText()).toMatch(/研究结果[\s\S]*数据导出/);
    await h.screenshot(page, 'results-2-suppressed-pilot-zh-390');

    await page.goto(`${h.url}/results?programme=${world.studies.intervention.programmeId}&instrument=SCARED&comparison=${world.studies.control.programmeId}`);
    await page.waitForFunction(() => document.querySelectorAll('canvas').length === 3);
    await page.getByTestId('results-ancova').waitFor();
    await h.screenshot(page, 'results-3-intervention-vs-control-zh-390');
    await context.close();
  });

  it('when a teacher opens the results address, then the page is refused', async () => {
    const context = await h.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await signIn(page, 'teacher');
    expect(await page.getByTestId('nav-results').count()).toBe(0);
    await page.goto(`${h.url}/results`);
    await page.getByTestId('forbidden').waitFor();
    await context.close();
  });
});
