// A PE teacher imports the school's roster from an Excel CSV on a phone: preview with errors and
// duplicates highlighted, confirm, then the roster; the same on a desktop in English with a GBK
// file; then a group gets members from that roster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createChild } from '../../server/modules/children/service.ts';
import { createSchool } from '../../server/modules/schools/service.ts';
import { createUser } from '../../server/modules/users/service.ts';
import { startBrowserHarness } from '../helpers/browser.ts';

let h: Awaited<ReturnType<typeof startBrowserHarness>>;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  h = await startBrowserHarness();
  const admin = await createUser({ username: 'admin', displayName: 'Admin', password: PASSWORD, role: 'admin', schoolIds: [] }, null);
  const actor = { id: admin.id, username: admin.username, role: 'admin' as const, schoolIds: [] };
  const school = await createSchool(actor, { name: '云溪中心小学', region: '湖南', county: '新化', setting: 'rural', timeZone: 'Asia/Shanghai' });
  await createUser({ username: 'wang', displayName: '王老师', password: PASSWORD, role: 'pe_teacher', schoolIds: [school.id] }, actor);
  // Already on the roster: the import must mark this child as a duplicate.
  await createChild(actor, {
    schoolId: school.id, displayName: '陈静', sex: 'female', birthYear: 2014, birthMonth: 4, grade: 4, className: '2班',
    leftBehindStatus: 'none', monthsSinceSeparation: null, caregiver: 'mother', boarding: false, guardianConsentDate: null, childAssent: false,
  });
});
afterAll(() => h.stop());

// An Excel "CSV UTF-8" export: BOM, CRLF, a title row, Chinese headers and values.
const rosterCsv = [
  '\uFEFF云溪中心小学四年级名单,,,,,,,,,,,',
  '姓名,性别,出生年份,出生月份,年级,班级,留守情况,分离月数,主要照顾者,是否寄宿,监护人同意日期,儿童本人同意',
  '王小明,男,2014,3,四年级,2班,双亲外出,18,祖父母,是,2024/9/1,是',
  '李娜,女,2014,11,4,2班,单亲外出,6,妈妈,否,2024/9/2,是',
  '张伟,男,2014,7,4,2班,无,,母亲,否,,',
  '赵磊,男,2014,13,4,2班,双亲外出,,爷爷,否,,',
  '陈静,女,2014,4,4,2班,无,,母亲,否,,',
  '刘洋,男,2015,1,4,2班,双亲外出,30,外婆,是,2024/9/1,是',
  '王小明,男,2014,3,4,(2)班,双亲外出,18,祖父母,是,2024/9/1,是',
].join('\r\n');

async function signIn(page: Page, username: string) {
  await page.goto(h.url);
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('home').waitFor();
}

async function openNav(page: Page, key: string) {
  if (await page.getByTestId('menu-toggle').isVisible()) await page.getByTestId('menu-toggle').click();
  await page.getByTestId(`nav-${key}`).click();
}

describe('roster import in the browser', () => {
  it('when a teacher on a phone uploads a Chinese Excel CSV, then the preview marks errors and duplicates and the confirmed children appear on the roster', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await signIn(page, 'wang');
    await openNav(page, 'children');
    await page.getByTestId('roster-page').waitFor();
    expect(await page.getByTestId('roster-count').innerText()).toContain('1');
    await page.getByTestId('roster-import-link').click();
    await page.getByTestId('roster-import-page').waitFor();

    await page.getByTestId('import-file').setInputFiles({ name: '四年级名单.csv', mimeType: 'text/csv', buffer: Buffer.from(rosterCsv, 'utf8') });
    await expect.poll(() => page.getByTestId('import-text').inputValue()).toContain('王小明');
    await page.getByTestId('import-preview').click();
    await page.getByTestId('import-preview-panel').waitFor();
    expect(await page.getByTestId('import-summary').innerText()).toContain('共 7 行：新增 4，重复 2，有错误 1。');
    const statuses = await page.getByTestId('import-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-line')}:${r.getAttribute('data-status')}`));
    expect(statuses).toEqual(['3:new', '4:new', '5:new', '6:error', '7:duplicate', '8:new', '9:duplicate']);
    const errorText = await page.locator('[data-line="6"] [data-testid="import-errors"]').innerText();
    expect(errorText).toContain('第 6 行，D 列“出生月份”：超出范围（填写的是“13”）');
    expect(await page.locator('[data-line="7"] [data-testid="import-duplicate"]').innerText()).toMatch(/名册中已有：S001-0001/);
    expect(await page.locator('[data-line="9"] [data-testid="import-duplicate"]').innerText()).toContain('与第 3 行为同一学生');
    await h.screenshot(page, 'roster-1-import-preview-zh-390');

    await page.getByTestId('import-confirm').click();
    await page.getByTestId('import-result').waitFor();
    expect(await page.getByTestId('import-result').innerText()).toContain('已导入 4 名学生。');
    await h.screenshot(page, 'roster-2-import-done-zh-390');
    await page.getByTestId('import-to-roster').click();
    await page.getByTestId('roster-table').waitFor();
    await expect.poll(() => page.getByTestId('roster-count').innerText()).toContain('5');
    const names = await page.getByTestId('roster-open').allInnerTexts();
    expect(names.sort()).toEqual(['刘洋', '张伟', '李娜', '王小明', '陈静'].sort());
    await h.screenshot(page, 'roster-3-roster-zh-390');
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('when a desktop user in English previews a GBK-encoded CSV (plain Excel CSV on Chinese Windows), then it is decoded and previewed', async () => {
    const context = await h.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, 'wang');
    await page.goto(`${h.url}/children/import`);
    await page.getByTestId('roster-import-page').waitFor();
    // GBK bytes of: 姓名,性别,出生年月,年级,班级,留守情况,分离月数,主要照顾者 / 周杰,男,2013年5月,五年级,1,父母均外出,40,外公外婆 /
    // 吴芳,女,2013-08,5,1,不知道,,奶奶 (CRLF), as iconv-lite encodes them; Node itself has no GBK encoder.
    const gbk = Buffer.from(
      '0NXD+yzQ1LHwLLP2yfrE6tTCLMTqvLYssOC8tizB9MrYx+m/9iy31sDr1MLK/SzW99Kq1dW5y9XfDQrW3L3cLMTQLDIwMTPE6jXUwizO5cTqvLYsMSy4uMS4vvnN4rP2LDQwLM3iuavN4sbFDQrO4re8LMWuLDIwMTMtMDgsNSwxLLK71qq1wCwsxMzEzA0K',
      'base64',
    );
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk)).toThrow();
    await page.getByTestId('import-file').setInputFiles({ name: 'roster-gbk.csv', mimeType: 'text/csv', buffer: gbk });
    await page.getByText('it was read as GBK').waitFor();
    await page.getByTestId('import-preview').click();
    await page.getByTestId('import-preview-panel').waitFor();
    expect(await page.getByTestId('import-summary').innerText()).toContain('2 rows: 1 new, 0 duplicates, 1 with errors.');
    expect(await page.locator('[data-line="3"] [data-testid="import-errors"]').innerText()).toContain('Line 3, column F “留守情况”: use 无 / 单亲外出 / 双亲外出 (found “不知道”)');
    await page.getByTestId('import-columns-help').locator('summary').click();
    await h.screenshot(page, 'roster-4-import-preview-gbk-en');
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('import-result').waitFor();
    await page.getByTestId('import-to-roster').click();
    await page.getByTestId('roster-table').waitFor();
    await expect.poll(() => page.getByTestId('roster-count').innerText()).toBe('6 children');
    await h.screenshot(page, 'roster-5-roster-en');
    await context.close();
  });

  it('when a teacher adds a child with the form, then the shared rules explain what is missing and the saved child can be edited', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signIn(page, 'wang');
    await page.goto(`${h.url}/children`);
    await page.getByTestId('child-new').click();
    await page.getByTestId('child-form').waitFor();
    await page.getByTestId('child-name').fill('孙小红');
    await page.getByTestId('child-sex').getByText('女').click();
    await page.getByTestId('child-birth-year').fill('2014');
    await page.getByTestId('child-birth-month').selectOption('6');
    await page.getByTestId('child-grade').selectOption('4');
    await page.getByTestId('child-class').fill('3');
    await page.getByTestId('child-leftBehindStatus').getByText('双亲外出').click();
    await page.getByTestId('child-save').click();
    // Months since separation are required when a parent is away (shared schema rule, in Chinese).
    await page.getByTestId('field-error').first().waitFor();
    expect(await page.getByTestId('field-error').allInnerTexts()).toEqual(['父母外出时必填。', '请填写此项。']);
    await h.screenshot(page, 'roster-7-child-form-errors-zh-390');
    await page.getByTestId('child-months').fill('20');
    await page.getByTestId('child-caregiver').selectOption('grandparents');
    await page.getByTestId('child-save').click();
    await page.getByText('已添加学生 S001-').waitFor();
    await page.getByTestId('child-class').fill('4');
    await page.getByTestId('child-save').click();
    await page.getByText('已保存。').waitFor();
    await h.screenshot(page, 'roster-8-child-saved-zh-390');
    await context.close();
  });

  it('when a teacher on a phone creates a group and adds children from the roster, then the members are listed with their join date', async () => {
    const context = await h.browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signIn(page, 'wang');
    await openNav(page, 'groups');
    await page.getByTestId('groups-page').waitFor();
    await page.getByTestId('group-new').click();
    await page.getByTestId('group-name').fill('四年级跳绳队');
    await page.getByTestId('group-activity').selectOption('rope-skipping');
    await page.getByTestId('group-coaches').getByText('王老师').click();
    await page.getByTestId('group-save').click();
    await page.getByTestId('add-members').waitFor();
    await page.getByTestId('add-members-search').fill('王');
    await expect.poll(() => page.getByTestId('candidate').count()).toBe(1);
    await page.getByTestId('add-members-search').fill('');
    await expect.poll(() => page.getByTestId('candidate').count()).toBe(7);
    await page.getByTestId('add-members-all').check();
    await page.getByTestId('add-members-date').fill('2025-03-03');
    await page.getByTestId('add-members-submit').click();
    await expect.poll(() => page.getByTestId('member').count()).toBe(7);
    expect(await page.getByTestId('group-members').innerText()).toContain('自 2025-03-03');
    await h.screenshot(page, 'roster-6-group-members-zh-390');
    // A child leaves the group: the membership gets its last day and moves to the past list.
    await page.getByTestId('member').first().getByTestId('member-leave').click();
    await page.getByTestId('member-left-on').fill('2025-04-30');
    await page.getByTestId('member-leave-confirm').click();
    await expect.poll(() => page.getByTestId('member').count()).toBe(6);
    await page.getByTestId('group-past').locator('summary').click();
    expect(await page.getByTestId('group-past').innerText()).toContain('2025-03-03 至 2025-04-30');
    await page.setViewportSize({ width: 1280, height: 800 });
    await h.screenshot(page, 'roster-9-group-desktop-zh');
    await context.close();
  });
});
