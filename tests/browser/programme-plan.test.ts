// A PE teacher plans a programme on a phone and watches the plan check change as they type, saves
// it, and works the schedule (calendar, list, cancel, move, extra). Desktop and Chinese too.
import type { Page } from 'playwright-core';
import { addDays } from '../../shared/domain/dates.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Group } from '../../server/modules/groups/model.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { PASSWORD } from '../helpers/app.ts';
import { startBrowserHarness } from '../helpers/browser.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

let h: Awaited<ReturnType<typeof startBrowserHarness>>;
let programmeUrl = '';

beforeAll(async () => {
  h = await startBrowserHarness();
  const world = await seedAccounts();
  await Group.create({ schoolId: world.schoolA.id, name: 'Skippers A', activityCode: 'rope-skipping' });
  await Group.create({ schoolId: world.schoolA.id, name: 'Runners A', activityCode: 'running' });
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

const status = (page: Page, id: string) => page.getByTestId(`check-${id}`).getAttribute('data-status');
const explanation = (page: Page, id: string) => page.getByTestId(`check-${id}`).getByTestId('check-explanation').innerText();

describe('planning a programme with the live plan check', () => {
  it('when a teacher types the plan on a phone, then each check turns red or green at once, and saving schedules the sessions', async () => {
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    const apiCalls: string[] = [];
    page.on('request', (r) => r.url().includes('/api/v1/programmes') && r.method() !== 'GET' && apiCalls.push(r.url()));
    await signIn(page, 'teacher');

    if (await page.getByTestId('menu-toggle').isVisible()) await page.getByTestId('menu-toggle').click();
    await page.getByTestId('nav-programmes').click();
    await page.getByTestId('programmes-page').waitFor();
    await page.getByTestId('programme-new').click();
    await page.getByTestId('programme-form').waitFor();

    // Nothing planned yet: no weeks, no days, no activities.
    expect(await status(page, 'duration')).toBe('fail');
    expect(await status(page, 'session-length')).toBe('insufficient-data');
    expect(await status(page, 'aerobic-minutes')).toBe('insufficient-data');
    await h.screenshot(page, 'programme-1-empty-390');

    await page.getByTestId('programme-name').fill('Rope skipping after school');
    await page.locator('[data-testid="programme-group"][data-group-name="Skippers A"]').check();
    await page.getByTestId('day-mon').click();
    await page.getByTestId('day-wed').click();
    await page.getByTestId('day-fri').click();
    await expect.poll(() => page.getByTestId('slot-row').count()).toBe(3);
    expect(await status(page, 'session-length')).toBe('pass');
    expect(await status(page, 'frequency')).toBe('pass');
    expect(await status(page, 'longest-gap')).toBe('pass');

    // 15-minute Monday sessions: the 20-minute check turns red and says why.
    await page.getByTestId('slot-minutes').first().fill('15');
    await expect.poll(() => status(page, 'session-length')).toBe('fail');
    expect(await explanation(page, 'session-length')).toMatch(/1 of 3 weekly sessions is 15 minutes — below 20/);
    await h.screenshot(page, 'programme-2-fifteen-minutes-red-390');
    await page.getByTestId('slot-minutes').first().fill('40');
    await expect.poll(() => status(page, 'session-length')).toBe('pass');

    // 8 weeks fails the 10-week duration; 12 weeks passes it.
    await page.getByTestId('programme-weeks').fill('8');
    await expect.poll(() => status(page, 'duration')).toBe('fail');
    expect(await explanation(page, 'duration')).toMatch(/8 weeks planned — below 10/);
    await page.getByTestId('programme-weeks').fill('12');
    await expect.poll(() => status(page, 'duration')).toBe('pass');

    // Activities: warm-up then rope skipping at moderate intensity.
    await page.getByTestId('block-add').click();
    await page.getByTestId('block-add').click();
    await page.getByTestId('block-activity').nth(1).selectOption('rope-skipping');
    await page.getByTestId('block-minutes').nth(1).fill('10');
    await expect.poll(() => status(page, 'aerobic-minutes')).toBe('fail');
    await page.getByTestId('block-minutes').nth(1).fill('30');
    await expect.poll(() => status(page, 'aerobic-minutes')).toBe('pass');
    expect(await status(page, 'aerobic-share')).toBe('pass');
    await expect.poll(() => page.getByTestId('check-bar').innerText()).toMatch(/6 of 6 checks met/);
    // A two-week exam break in the exclusion dates: the live check measures the real gap (issue 9).
    const start = await page.getByTestId('programme-start').inputValue();
    await page.getByTestId('exclusion-from').fill(addDays(start, 7));
    await page.getByTestId('exclusion-to').fill(addDays(start, 20));
    await page.getByTestId('exclusion-add').click();
    await expect.poll(() => status(page, 'longest-gap')).toBe('fail');
    expect(await explanation(page, 'longest-gap')).toMatch(/Longest planned gap 1[5-9] days/);
    while ((await page.locator('[data-testid="exclusion-list"] button').count()) > 0) await page.locator('[data-testid="exclusion-list"] button').first().click();
    await expect.poll(() => status(page, 'longest-gap')).toBe('pass');
    // All of it happened in the page: no programme was written while typing.
    expect(apiCalls).toEqual([]);
    await h.screenshot(page, 'programme-3-all-green-390');
    await page.getByTestId('plan-check').scrollIntoViewIfNeeded();

    await page.getByTestId('programme-save').click();
    await page.getByText('Programme created; 36 sessions scheduled.').waitFor();
    programmeUrl = new URL(page.url()).pathname;
    expect(programmeUrl).toMatch(/^\/programmes\/[a-f0-9]{24}$/);
    expect(await Session.countDocuments({ status: 'scheduled', origin: 'pattern' })).toBe(36);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('when the teacher works the schedule on a phone, then the calendar and list show the sessions and cancel, move and extra work', async () => {
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await signIn(page, 'teacher');
    await page.goto(`${h.url}${programmeUrl}/schedule`);
    await page.getByTestId('schedule-calendar').waitFor();
    // Go to a month in the middle of the programme (the 10th session's), whatever today is.
    const first = await Session.findOne({}).sort({ date: 1 }).skip(9).lean();
    const ym = first!.date.slice(0, 7);
    for (let i = 0; i < 30; i++) {
      if ((await page.locator(`td[data-date^="${ym}"]`).count()) > 0) break;
      const cur = await page.locator('td[data-date]').first().getAttribute('data-date');
      await page.getByTestId(cur! > ym ? 'month-prev' : 'month-next').click();
    }
    await expect.poll(() => page.getByTestId('cal-session').count()).toBeGreaterThan(5);
    await h.screenshot(page, 'schedule-1-calendar-390');

    await page.getByTestId('view-list').check();
    await page.getByTestId('schedule-list').waitFor();
    expect(await page.getByTestId('list-session').count()).toBe(36);

    // Cancel the last session with a reason; the action panel opens in view although it sits above the list.
    await page.getByTestId('list-session-open').last().click();
    await page.getByTestId('session-panel').waitFor();
    await expect.poll(() => page.getByTestId('session-panel').evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    })).toBe(true);
    await h.screenshot(page, 'schedule-2a-session-panel-390');
    await page.getByTestId('session-cancel').click();
    await page.getByTestId('cancel-reason').fill('Sports meeting');
    await page.getByTestId('cancel-confirm').click();
    await page.getByText('Session cancelled.').waitFor();
    await expect.poll(() => page.getByTestId('list-session').last().getAttribute('data-status')).toBe('cancelled');

    // Move the second-to-last one a day later.
    const row = page.getByTestId('list-session').nth(34);
    const oldDate = (await row.getAttribute('data-date'))!;
    await page.getByTestId('list-session-open').nth(34).click();
    await page.getByTestId('session-move').click();
    const next = new Date(`${oldDate}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    const newDate = next.toISOString().slice(0, 10);
    await page.getByTestId('move-date').fill(newDate);
    await page.getByTestId('move-time').fill('17:15');
    await page.getByTestId('move-confirm').click();
    await page.getByText('Session moved.').waitFor();
    await expect.poll(() => page.locator(`[data-testid="list-session"][data-date="${newDate}"]`).innerText()).toMatch(/Moved from/);

    // An extra session.
    await page.getByTestId('extra-open').click();
    await page.getByTestId('extra-date').fill(newDate);
    await page.getByTestId('extra-time').fill('07:30');
    await page.getByTestId('extra-minutes').fill('30');
    await page.getByTestId('extra-confirm').click();
    await page.getByText('Extra session added.').waitFor();
    expect(await page.getByTestId('list-session').count()).toBe(37);
    await h.screenshot(page, 'schedule-2-list-after-edits-390');

    const stored = await Session.find({}).lean();
    expect(stored.filter((s) => s.status === 'cancelled').map((s) => s.cancelReason)).toEqual(['Sports meeting']);
    expect(stored.filter((s) => s.rescheduledFrom === oldDate)).toHaveLength(1);
    expect(stored.filter((s) => s.origin === 'extra')).toHaveLength(1);

    await page.goto(`${h.url}/programmes`);
    await page.getByTestId('programmes-table').waitFor();
    expect(await page.getByTestId('programme-checks').innerText()).toMatch(/6 of 6/);
    await h.screenshot(page, 'programme-5-list-390');
    await context.close();
  });

  it('when the programme is opened on a desktop in Chinese, then the form and the checks sit side by side in Chinese', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'teacher');
    await page.goto(`${h.url}${programmeUrl}`);
    await page.getByTestId('programme-form').waitFor();
    await expect.poll(() => page.getByTestId('plan-check').innerText()).toMatch(/计划检查/);
    expect(await explanation(page, 'duration')).toBe('计划 12 周 ≥ 10 周 ✓');
    await page.getByTestId('slot-minutes').first().fill('15');
    await expect.poll(() => explanation(page, 'session-length')).toBe('每周 3 次课中有 1 次只有 15 分钟，少于 20 分钟');
    const formBox = await page.getByTestId('programme-form').boundingBox();
    const checkBox = await page.getByTestId('plan-check').boundingBox();
    expect(checkBox!.x).toBeGreaterThan(formBox!.x + formBox!.width - 1);
    await h.screenshot(page, 'programme-4-desktop-zh');

    await page.goto(`${h.url}${programmeUrl}/schedule`);
    await page.getByTestId('schedule-calendar').waitFor();
    await h.screenshot(page, 'schedule-3-calendar-desktop-zh');
    await context.close();
  });
});
