// A PE teacher takes a 30-child register on a phone (390 × 844): everyone present, then the
// exceptions; the save is made offline, queued on the phone and sent when the network returns;
// a colleague's save in between leads to the merge view; the delivery dashboard follows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createSchool } from '../../server/modules/schools/service.ts';
import { createUser } from '../../server/modules/users/service.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { startBrowserHarness } from '../helpers/browser.ts';
import { createProgrammeWorld, type ProgrammeWorld } from '../api/sessions.fixtures.ts';

const PASSWORD = 'correct horse battery staple';
let h: Awaited<ReturnType<typeof startBrowserHarness>>;
let pw: ProgrammeWorld;

beforeAll(async () => {
  h = await startBrowserHarness();
  const admin = await createUser({ username: 'admin', displayName: 'Admin', password: PASSWORD, role: 'admin', schoolIds: [] }, null);
  const actor = { id: admin.id, username: 'admin', role: 'admin' as const, schoolIds: [] };
  const a = await createSchool(actor, { name: '乡村小学', region: 'Hunan', county: 'Xinhua', setting: 'rural', timeZone: 'Asia/Shanghai' });
  const b = await createSchool(actor, { name: 'Urban B', region: 'Hunan', county: 'Loudi', setting: 'urban', timeZone: 'Asia/Shanghai' });
  await createUser({ username: 'teacher', displayName: '李老师', password: PASSWORD, role: 'pe_teacher', schoolIds: [a.id] }, actor);
  pw = await createProgrammeWorld(a.id, b.id, 3);
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

async function goTo(page: Page, path: string) {
  await page.evaluate((p) => {
    window.history.pushState(null, '', p);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

describe('register on a phone', () => {
  it('when a teacher logs a register offline, then it is queued on the phone, sent when back online, and a concurrent save leads to a merge', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      // The offline save's failed fetch is expected to be logged by the browser.
      if (m.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
    });
    await signIn(page, 'teacher');
    await goTo(page, '/register');
    await page.getByTestId('register-pick').waitFor();
    expect(await page.getByTestId('register-pick-item').count()).toBeGreaterThan(3);
    await h.screenshot(page, 'register-1-pick-zh-390');

    const sessionId = pw.sessionsA[pw.sessionsA.length - 1] as string;
    await goTo(page, `/register/${sessionId}`);
    await page.getByTestId('register-page').waitFor();
    // 30 members plus the child who joined in week 3 (the leaver left in week 2).
    expect(await page.getByTestId('register-row').count()).toBe(31);
    await page.getByTestId('register-all-present').click();
    // Child 1 absent (one tap), child 2 late (three taps) with 20 minutes.
    const rows = page.getByTestId('register-row');
    await rows.nth(0).getByTestId('register-toggle').click();
    for (let i = 0; i < 3; i++) await rows.nth(1).getByTestId('register-toggle').click();
    await rows.nth(1).getByTestId('register-late-minutes').fill('20');
    expect(await page.getByTestId('register-counts').innerText()).toContain('出勤 29');
    // Touch targets are large enough for a thumb.
    const box = await rows.nth(2).getByTestId('register-toggle').boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(48);
    await h.screenshot(page, 'register-2-marks-zh-390');

    // Offline: the save is kept on the phone and shown as pending; nothing reaches the server.
    await context.setOffline(true);
    await page.getByTestId('register-save').click();
    await page.getByTestId('register-pending').waitFor();
    const outbox = await page.evaluate(() => JSON.parse(localStorage.getItem('activegroups.registerOutbox') ?? '[]') as unknown[]);
    expect(outbox).toHaveLength(1);
    expect((await Session.findById(sessionId).lean())!.status).toBe('scheduled');
    await h.screenshot(page, 'register-3-offline-pending-zh-390');

    // Back online: the queued save is sent (with its own Idempotency-Key) and shown as saved.
    await context.setOffline(false);
    await page.getByTestId('register-saved').waitFor({ timeout: 20_000 });
    const saved = await Session.findById(sessionId).lean();
    expect(saved!.status).toBe('held');
    expect(saved!.register).toHaveLength(31);
    expect(saved!.register.filter((r) => r.status === 'absent')).toHaveLength(1);
    expect(saved!.register.find((r) => r.status === 'late')!.minutes).toBe(20);
    expect(await page.evaluate(() => localStorage.getItem('activegroups.registerOutbox'))).toBe('[]');
    await h.screenshot(page, 'register-4-saved-zh-390');

    // A colleague saves the same register meanwhile (child 3 excused): this save gets 409 → merge.
    const third = String(saved!.register[2]!.childId);
    await Session.updateOne(
      { _id: sessionId },
      { $set: { register: saved!.register.map((r) => (String(r.childId) === third ? { ...r, status: 'excused' } : r)) }, $inc: { version: 1 } },
    );
    await rows.nth(3).getByTestId('register-toggle').click(); // child 4 absent, mine
    await page.getByTestId('register-save').click();
    await page.getByTestId('register-merge').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('merge-row').count()).toBe(2);
    await h.screenshot(page, 'register-5-merge-zh-390');
    // Keep their mark for child 3 and mine for child 4.
    const mergeRows = page.getByTestId('merge-row');
    for (let i = 0; i < 2; i++) {
      const text = await mergeRows.nth(i).innerText();
      if (text.includes('请假')) await mergeRows.nth(i).getByTestId('merge-theirs').check();
    }
    await page.getByTestId('merge-confirm').click();
    await page.getByTestId('register-saved').waitFor({ timeout: 20_000 });
    const merged = await Session.findById(sessionId).lean();
    expect(merged!.register.find((r) => String(r.childId) === third)!.status).toBe('excused');
    expect(merged!.register.filter((r) => r.status === 'absent')).toHaveLength(2);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('when the teacher opens the delivery dashboard and logs another session, then the dashboard shows it', async () => {
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await signIn(page, 'teacher');
    await goTo(page, `/delivery/${pw.programmeId}`);
    await page.getByTestId('dashboard').waitFor();
    await page.getByTestId('chart-weekly-minutes').locator('canvas').waitFor();
    const heldText = async () => page.getByTestId('dash-group').first().innerText();
    expect(await heldText()).toContain('1 held');
    expect(await page.getByTestId('dash-child-row').count()).toBe(32);
    await h.screenshot(page, 'dashboard-1-en-390');

    // Log another session through the register view.
    const sessionId = pw.sessionsA[0] as string;
    await goTo(page, `/register/${sessionId}`);
    await page.getByTestId('register-page').waitFor();
    await page.getByTestId('register-all-present').click();
    await page.getByTestId('register-save').click();
    await page.getByTestId('register-saved').waitFor({ timeout: 20_000 });

    await goTo(page, `/delivery/${pw.programmeId}`);
    await page.getByTestId('dashboard').waitFor();
    expect(await heldText()).toContain('2 held');
    // Sorting and filtering of the per-child table.
    await page.getByTestId('dash-sort-attended').click();
    await page.getByTestId('dash-search').fill('A 孩子 1');
    await expect.poll(() => page.getByTestId('dash-child-row').count()).toBeLessThan(32);
    const names = await page.getByTestId('dash-child-row').evaluateAll((rows) => rows.map((r) => r.querySelector('th')?.textContent ?? ''));
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThan(32);
    expect(names.every((n) => n.includes('A 孩子 1'))).toBe(true);
    await page.getByTestId('dash-search').fill('');
    await page.getByTestId('dash-filter').selectOption('fail');
    const statuses = await page.getByTestId('dash-child-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(statuses.every((s) => s === 'fail')).toBe(true);
    await page.getByTestId('dash-filter').selectOption('');
    await h.screenshot(page, 'dashboard-2-after-save-en-390');
    await page.setViewportSize({ width: 1280, height: 900 });
    await h.screenshot(page, 'dashboard-3-en-1280');
    await context.close();
  });
});
