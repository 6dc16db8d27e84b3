// A counsellor enters a full SCARED form by keyboard alone: digits move the cursor on, an
// out-of-range key is refused on the spot, M marks an item missing; the live score and cut-off
// flags come from the shared scoring and equal the score the server stores. Then the consent
// block, the worklist and the child page (Chart.js), in English on a desktop and Chinese on a phone.
import mongoose from 'mongoose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCARED } from '../../shared/domain/instruments.ts';
import { scoreAssessment } from '../../shared/domain/scoring.ts';
import { Assessment } from '../../server/modules/assessments/model.ts';
import { createAssessment } from '../../server/modules/assessments/service.ts';
import { DoseSummary } from '../../server/modules/dose/model.ts';
import { startBrowserHarness } from '../helpers/browser.ts';
import { PASSWORD } from '../helpers/app.ts';
import { seedAssessmentWorld, type AssessmentWorld } from '../api/assessments-world.ts';

let h: Awaited<ReturnType<typeof startBrowserHarness>>;
let w: AssessmentWorld;

beforeAll(async () => {
  h = await startBrowserHarness();
  w = await seedAssessmentWorld();
  // Attendance for the child page: strong at first, then falling.
  const attended = [2, 2, 2, 2, 2, 1, 2, 1, 0, 1];
  await DoseSummary.collection.insertOne({
    _id: `${w.programmeA.id}:${w.childA}` as never,
    programmeId: new mongoose.Types.ObjectId(w.programmeA.id),
    childId: new mongoose.Types.ObjectId(w.childA),
    schoolId: new mongoose.Types.ObjectId(w.schoolA.id),
    asOf: w.programmeA.today,
    sessionsScheduled: 20,
    sessionsAttended: 15,
    attendanceRate: 0.75,
    aerobicMinutes: 375,
    qualifyingSessions: 15,
    qualifyingWeeks: 9,
    weekly: attended.map((a, i) => ({ week: i + 1, scheduled: 2, attended: a, aerobicMinutes: a * 25, qualifying: a })),
    computedAt: new Date(),
  });
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

/** 41 answers: 2 on items 1–15, 1 on 16–35, 0 on 36–41 except item 20 left missing. */
const typed: (number | 'm')[] = Array.from({ length: 41 }, (_, i) => (i + 1 === 20 ? 'm' : i < 15 ? 2 : i < 35 ? 1 : 0));

describe('questionnaire entry by keyboard', () => {
  it('when a counsellor types a full SCARED form, then the live score and flags equal the stored score', async () => {
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await signIn(page, 'counsellor');
    await page.getByTestId('nav-questionnaires').click();
    await page.getByTestId('questionnaires-page').waitFor();
    await page.getByTestId('hub-children').waitFor();
    await h.screenshot(page, 'assessment-1-hub-en');
    await page.locator(`[data-testid="hub-child"][data-child-id="${w.childA}"] [data-testid="hub-enter"]`).click();
    await page.getByTestId('item-grid').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('cell-1');

    // Keyboard only from here on.
    await page.keyboard.press('3'); // out of range for SCARED (0–2): refused, nothing set, cursor stays
    await expect.poll(() => page.getByTestId('refused-message').innerText()).toMatch(/Only 0–2/);
    expect(await page.getByTestId('cell-1').inputValue()).toBe('');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('cell-1');
    await h.screenshot(page, 'assessment-2-refused-en');
    for (const key of typed) await page.keyboard.press(key === 'm' ? 'm' : String(key));

    const answers = typed.map((k) => (k === 'm' ? null : k));
    const expected = scoreAssessment(SCARED, answers);
    expect(expected.total).toBeCloseTo((49 / 40) * 41, 10);
    await expect.poll(() => page.getByTestId('live-total').innerText()).toBe(expected.total!.toFixed(1));
    expect(await page.getByTestId('reason-20').inputValue()).toBe('skipped');
    const shownFlags = await page.getByTestId('flag').evaluateAll((els) => els.map((e) => e.getAttribute('data-flag')).sort());
    expect(shownFlags).toEqual(expected.flags.map((f) => `${f.code}:${f.scope}`).sort());
    expect(shownFlags).toContain('cutoff:total');
    expect(shownFlags).toContain('prorated:total');
    // After the last item the cursor is on Save.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('entry-save');
    await h.screenshot(page, 'assessment-3-filled-en');

    await page.keyboard.press('Enter');
    await page.getByTestId('stored-total').waitFor();
    const stored = await Assessment.findOne({ childId: w.childA, wave: 'pre', instrumentCode: 'SCARED' }).lean();
    expect(stored).not.toBeNull();
    expect(stored!.score.total).toBe(expected.total);
    expect(await page.getByTestId('stored-total').innerText()).toBe(await page.getByTestId('live-total').innerText());
    expect(stored!.answers).toEqual(answers);
    expect(stored!.missing).toEqual([{ item: 20, reason: 'skipped' }]);
    await expect.poll(() => page.getByTestId('notice').innerText()).toMatch(/Stored total: 50\.2/);
    await h.screenshot(page, 'assessment-4-saved-en');
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('when the child has no guardian consent, then the entry page says why and links to the child record', async () => {
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'counsellor');
    await page.goto(`${h.url}/assessments/enter?programmeId=${w.programmeA.id}&wave=pre&instrument=SCARED&childId=${w.childNoConsent}`);
    await page.getByTestId('consent-required').waitFor();
    expect(await page.getByTestId('consent-required').innerText()).toMatch(/Personal Information Protection Law/);
    expect(await page.getByTestId('consent-link').getAttribute('href')).toBe(`/children/${w.childNoConsent}`);
    expect(await page.getByTestId('item-grid').count()).toBe(0);
    await h.screenshot(page, 'assessment-5-consent-en');
    await context.close();
  });

  it('when a counsellor opens the worklist and the child page on a phone in Chinese, then the flags and the chart are there', async () => {
    const counsellorActor = { id: w.counsellor2.id, username: 'counsellor2', role: 'counsellor' as const, schoolIds: [w.schoolA.id] };
    await createAssessment(counsellorActor, {
      childId: w.childA,
      programmeId: w.programmeA.id,
      instrumentCode: 'SCARED',
      wave: 'post',
      date: w.programmeA.today,
      answers: Array.from({ length: 41 }, (_, i) => (i < 10 ? 1 : 0)),
      missing: [],
    });
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await signIn(page, 'counsellor');
    await page.goto(`${h.url}/worklist`);
    await page.getByTestId('worklist-table').waitFor();
    const kinds = await page.getByTestId('worklist-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds).toContain('missing_wave');
    expect(await page.getByTestId('worklist-page').innerText()).toMatch(/关注清单/);
    await h.screenshot(page, 'assessment-6-worklist-zh-390');
    await page.goto(`${h.url}/child-profile/${w.childA}`);
    await page.getByTestId('chart-SCARED').waitFor();
    await expect.poll(() => page.getByTestId('profile-point').count()).toBe(2);
    await h.screenshot(page, 'assessment-7-child-zh-390');
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('when an admin imports a definition as JSON in Chinese, then it is checked, saved as version 1 and listed next to the built-ins', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'admin');
    await page.goto(`${h.url}/instruments`);
    await page.getByTestId('instruments-table').waitFor();
    const codes = await page.getByTestId('instrument-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    expect(codes).toEqual(expect.arrayContaining(['SCARED', 'SASC_CN_10', 'RSES']));
    await h.screenshot(page, 'assessment-8-instruments-zh');
    await page.getByTestId('instrument-new').click();
    await page.getByTestId('if-json').waitFor();
    // A broken definition first: the shared schema's messages are listed, nothing is sent.
    await page.getByTestId('if-json').fill(JSON.stringify({ code: 'X', items: [] }));
    await page.getByTestId('if-import').click();
    await expect.poll(() => page.getByTestId('if-import-result').innerText()).toMatch(/name/);
    const definition = {
      code: 'CD_RISC_10',
      version: '10-item',
      name: { en: 'Connor-Davidson Resilience Scale (10 items)', zh: '心理韧性量表（10 项）' },
      languages: ['zh-CN'],
      items: Array.from({ length: 10 }, (_, i) => ({ number: i + 1 })),
      response: { min: 0, max: 4 },
      scoring: 'sum',
      polarity: 'higher-is-better',
      maxMissingItems: 1,
      licenceNote: 'Licensed; item text not stored.',
      domain: 'social-adaptation',
    };
    await page.getByTestId('if-json').fill(JSON.stringify(definition));
    await page.getByTestId('if-import').click();
    await expect.poll(() => page.getByTestId('if-code').inputValue()).toBe('CD_RISC_10');
    await h.screenshot(page, 'assessment-9-instrument-import-zh');
    await page.getByTestId('if-save').click();
    await page.getByTestId('version-note').waitFor();
    expect(await page.getByTestId('page-title').innerText()).toMatch(/CD_RISC_10/);
    await context.close();
  });

  it('when a second counsellor re-types the saved form with one slip, then the differences are listed on the questionnaire', async () => {
    const saved = await Assessment.findOne({ childId: w.childA, wave: 'pre', instrumentCode: 'SCARED' }).lean();
    expect(saved).not.toBeNull();
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'counsellor2');
    await page.goto(`${h.url}/assessments/${saved!._id}/second-entry`);
    await page.getByTestId('item-grid').waitFor();
    const slip = typed.map((k, i) => (i === 4 ? 0 : k));
    for (const key of slip) await page.keyboard.press(String(key));
    await page.keyboard.press('Enter');
    await page.getByTestId('differences').waitFor();
    const rows = await page.getByTestId('difference').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^5\s+2\s+0$/);
    await h.screenshot(page, 'assessment-10-differences-en');

    // The waves page of the programme, with the suggested windows.
    await page.goto(`${h.url}/programme-waves/${w.programmeA.id}`);
    await page.getByTestId('waves-page').waitFor();
    await page.getByTestId('waves-suggest').click();
    await page.getByTestId('waves-save').click();
    await page.getByTestId('notice').waitFor();
    await h.screenshot(page, 'assessment-11-waves-en');
    await context.close();
  });
});
