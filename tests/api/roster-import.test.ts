// CSV roster import: preview writes nothing to the roster, row errors name line and column,
// duplicates (inside the file and against the roster) are marked, Chinese and English headers,
// BOM, spreadsheet paste; confirm imports once, even when retried or interrupted.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { RosterImport, RosterImportClaim } from '../../server/modules/children/import-model.ts';
import { Child } from '../../server/modules/children/model.ts';
import { createChild } from '../../server/modules/children/service.ts';
import type { Actor } from '../../server/lib/policy.ts';
import { TestClient, databaseSnapshot, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedAccounts>>;
let teacher: TestClient;
let counsellor: TestClient;
let admin: Actor;

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedAccounts();
  teacher = await signedInClient(app, 'teacher');
  counsellor = await signedInClient(app, 'counsellor');
  const a = world.users.admin;
  admin = { id: a.id, username: a.username, role: 'admin', schoolIds: [] };
});
afterAll(() => harness.stop());

const preview = (csv: string, schoolId = world.schoolA.id, client = teacher) =>
  client.post(`/api/v1/children/import/preview?schoolId=${schoolId}`).set('Content-Type', 'text/csv').send(csv);
const confirm = (token: string, client = teacher) => client.post('/api/v1/children/import/confirm', { token });

/** Everything except the preview store: the roster, counters and audit must not move on a preview. */
async function rosterSnapshot() {
  const { roster_imports: _previews, ...rest } = await databaseSnapshot();
  return rest;
}

// What a Chinese teacher's Excel "CSV UTF-8" export looks like: BOM, CRLF, a title row, Chinese
// headers and values, full-width digits, 2024/9/1 dates, an empty trailing column.
const chineseCsv = [
  '\uFEFF云溪小学四年级留守儿童名单,,,,,,,,,,,,',
  '姓名,性别,出生年份,出生月份,年级,班级,留守情况,分离月数,主要照顾者,是否寄宿,监护人同意日期,儿童本人同意,备注',
  '王小明,男,2014,3,四年级,2班,双亲外出,18,祖父母,是,2024/9/1,是,',
  '李 娜,女,２０１４,11,4,2班,单亲外出,6个月,妈妈,否,2024-09-02,是,转学生',
  '张伟,男,2014,7,4,(2)班,无,,母亲,,,,',
  '',
  ',,,,,,,,,,,,',
].join('\r\n');

describe('preview', () => {
  it('when a Chinese Excel export with BOM and a title row is previewed, then every row is read and nothing is written to the roster', async () => {
    const before = await rosterSnapshot();
    const res = await preview(chineseCsv).expect(200);
    expect(res.body.headerLine).toBe(2);
    expect(res.body.ignoredHeaders).toEqual(['备注']);
    expect(res.body.counts).toEqual({ rows: 3, new: 3, errors: 0, duplicates: 0 });
    expect(res.body.token).toMatch(/^[a-f0-9]{32}$/);
    const [wang, li, zhang] = res.body.rows;
    expect(wang).toMatchObject({
      line: 3,
      status: 'new',
      child: {
        displayName: '王小明', sex: 'male', birthYear: 2014, birthMonth: 3, grade: 4, className: '2班', leftBehindStatus: 'both_parents_away',
        monthsSinceSeparation: 18, caregiver: 'grandparents', boarding: true, guardianConsentDate: '2024-09-01', childAssent: true,
      },
    });
    expect(li.child).toMatchObject({ displayName: '李 娜', birthYear: 2014, leftBehindStatus: 'one_parent_away', monthsSinceSeparation: 6, caregiver: 'mother', boarding: false });
    expect(zhang.child).toMatchObject({ leftBehindStatus: 'none', monthsSinceSeparation: null, guardianConsentDate: null, childAssent: false });
    expect(await rosterSnapshot()).toEqual(before);
    expect(await RosterImport.countDocuments({ _id: res.body.token })).toBe(1);
  });

  it('when English headers in another order and a tab-separated spreadsheet paste are previewed, then both are read', async () => {
    const english = 'sex,name,birth,grade,class,left_behind,months_since_separation,caregiver\nfemale,Amy Zhou,2013-05,5,1,one_parent_away,24,other_relatives\n';
    const r1 = await preview(english).expect(200);
    expect(r1.body.rows[0].child).toMatchObject({ displayName: 'Amy Zhou', sex: 'female', birthYear: 2013, birthMonth: 5, grade: 5, caregiver: 'other_relatives' });
    const pasted = '姓名\t性别\t出生年月\t年级\t班级\t留守情况\t分离月数\t主要照顾者\n赵六\t女\t2012年9月\t初一\t3\t父亲外出\t40\t爷爷奶奶\n';
    const r2 = await preview(pasted).expect(200);
    expect(r2.body.delimiter).toBe('tab');
    expect(r2.body.rows[0].child).toMatchObject({ displayName: '赵六', birthYear: 2012, birthMonth: 9, grade: 7, leftBehindStatus: 'one_parent_away', caregiver: 'grandparents' });
  });

  it('when rows have problems, then each error names the line, the column letter and header, and says what is expected', async () => {
    const csv = [
      '姓名,性别,出生年份,出生月份,年级,班级,留守情况,分离月数,主要照顾者,监护人同意日期',
      ',男,2014,3,4,1,无,,母亲,',
      '钱七,男孩子,2014,13,4,1,双亲外出,,祖父母,2099-01-01',
      '孙八,女,2014,3,十三年级,1,不知道,,阿婆,2024/2/30',
      '周九,女,2014,3,4,1,无,,母亲,',
    ].join('\n');
    const before = await rosterSnapshot();
    const res = await preview(csv).expect(200);
    expect(res.body.counts).toEqual({ rows: 4, new: 1, errors: 3, duplicates: 0 });
    const [noName, qian, sun, zhou] = res.body.rows;
    expect(noName.status).toBe('error');
    expect(noName.errors).toEqual([expect.objectContaining({ line: 2, column: '姓名', columnLetter: 'A', field: 'displayName', code: 'required' })]);
    expect(noName.errors[0].message).toBe('Line 2, column A "姓名": a name is required.');
    expect(qian.errors.map((e: { code: string; columnLetter: string }) => `${e.code}@${e.columnLetter}`)).toEqual(['invalid_sex@B', 'out_of_range@D']);
    expect(qian.errors[0].message).toBe('Line 3, column B "性别": use 男 / 女 or male / female (found "男孩子").');
    expect(sun.errors.map((e: { code: string }) => e.code)).toEqual(['invalid_grade', 'invalid_left_behind', 'invalid_caregiver', 'invalid_date']);
    expect(zhou.status).toBe('new');
    // Rules across columns are checked once the cells themselves are readable.
    const rules = await preview('姓名,性别,出生年份,出生月份,年级,留守情况,分离月数,主要照顾者,监护人同意日期\n吴十,男,2014,3,4,双亲外出,,祖父母,2099-01-01\n郑一,女,2014,3,4,无,12,母亲,\n').expect(200);
    expect(rules.body.rows[0].errors.map((e: { code: string }) => e.code)).toEqual(['months_required', 'consent_in_future']);
    expect(rules.body.rows[1].errors).toEqual([expect.objectContaining({ code: 'months_not_applicable', columnLetter: 'G', line: 3 })]);
    expect(rules.body.token).toBeNull(); // nothing importable, nothing stored
    expect(await rosterSnapshot()).toEqual(before);
  });

  it('when a child appears twice in the file or is already on the roster, then the row is marked duplicate and not imported twice', async () => {
    const existing = await createChild(admin, {
      schoolId: world.schoolA.id, displayName: '陈静', sex: 'female', birthYear: 2013, birthMonth: 4, grade: 5, className: '1班',
      leftBehindStatus: 'none', monthsSinceSeparation: null, caregiver: 'mother', boarding: false, guardianConsentDate: null, childAssent: false,
    });
    const csv = [
      'name,sex,birth_year,birth_month,grade,class,left_behind,months_since_separation,caregiver',
      '陈静,女,2013,4,5,1,无,,母亲', // same child as on the roster ("1" = "1班")
      '黄磊,男,2013,6,5,1,双亲外出,20,祖父母',
      '黄 磊,男,2013,6,5,(1)班,双亲外出,20,祖父母', // same as the line above
      '黄磊,男,2013,6,5,2,双亲外出,20,祖父母', // another class: another child
    ].join('\n');
    const res = await preview(csv).expect(200);
    expect(res.body.counts).toEqual({ rows: 4, new: 2, errors: 0, duplicates: 2 });
    expect(res.body.rows[0]).toMatchObject({ status: 'duplicate', duplicateOf: { kind: 'roster', code: existing.code, childId: existing.id } });
    expect(res.body.rows[2]).toMatchObject({ status: 'duplicate', duplicateOf: { kind: 'file', line: 3 } });
    expect(res.body.rows[3].status).toBe('new');
    const done = await confirm(res.body.token).expect(200);
    expect(done.body).toMatchObject({ imported: 2, skippedDuplicates: 2 });
    expect(await Child.countDocuments({ schoolId: world.schoolA.id, displayName: '陈静' })).toBe(1);
  });

  it('when the file is not a usable roster, then 400 says why and nothing is stored', async () => {
    const before = await databaseSnapshot();
    const cases: [string, string, RegExp][] = [
      ['', 'invalid_csv', /empty/],
      ['hello,world\n1,2\n', 'invalid_csv', /No header row/],
      ['姓名,性别,年级\n王,男,4\n', 'invalid_csv', /required column\(s\) missing: 出生年份 \/ birth_year, 出生月份 \/ birth_month, 留守情况 \/ left_behind, 主要照顾者 \/ caregiver/],
      ['姓名,性别,出生年月,年级,留守情况,主要照顾者\n', 'invalid_csv', /no children/],
      ['姓名,name,性别,出生年月,年级,留守情况,主要照顾者\n', 'invalid_csv', /"姓名" and "name" mean the same thing/],
      ['姓名,性别,出生年月,年级,留守情况,主要照顾者\n"王,男\n', 'invalid_csv', /not readable as CSV/],
    ];
    for (const [csv, code, message] of cases) {
      const res = await preview(csv);
      expect(res.status, csv).toBe(400);
      expect(res.body.error.code, csv).toBe(code);
      expect(res.body.error.message, csv).toMatch(message);
    }
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when a file has more than 2 000 rows, then 400 too_many_rows; over 1 MB, then 413; JSON instead of CSV, then 400', async () => {
    const before = await databaseSnapshot();
    const header = 'name,sex,birth,grade,left_behind,caregiver\n';
    const tooMany = header + Array.from({ length: 2001 }, (_, i) => `Kid ${i},male,2014-01,4,none,mother`).join('\n');
    const r1 = await preview(tooMany).expect(400);
    expect(r1.body.error).toMatchObject({ code: 'too_many_rows' });
    expect(r1.body.error.message).toContain('at most 2000');
    const huge = header + `${'x'.repeat(1_000_001)},male,2014-01,4,none,mother\n`;
    const r2 = await preview(huge).expect(413);
    expect(r2.body.error.message).toContain('1 MB');
    const r3 = await teacher.post(`/api/v1/children/import/preview?schoolId=${world.schoolA.id}`, { csv: 'name,sex' }).expect(400);
    expect(r3.body.error.message).toContain('text/csv');
    await preview('name,sex', 'not-a-school').expect(400);
    await teacher.post('/api/v1/children/import/preview').set('Content-Type', 'text/csv').send('a').expect(400);
    expect(await databaseSnapshot()).toEqual(before);
  });
});

const simpleCsv = (names: string[]) =>
  'name,sex,birth,grade,class,left_behind,months_since_separation,caregiver\n' +
  names.map((n, i) => `${n},${i % 2 ? 'female' : 'male'},2014-${String((i % 12) + 1).padStart(2, '0')},4,9,both_parents_away,12,grandparents`).join('\n');

describe('confirm', () => {
  it('when a preview is confirmed, then its rows are created with new codes and the audit records each child and the import', async () => {
    const res = await preview(simpleCsv(['甲一', '甲二', '甲三'])).expect(200);
    const before = await Child.countDocuments();
    const done = await confirm(res.body.token).expect(200);
    expect(done.body).toMatchObject({ imported: 3, skippedDuplicates: 0, errors: 0, replayed: false });
    expect(await Child.countDocuments()).toBe(before + 3);
    const codes = done.body.children.map((c: { code: string }) => Number(c.code.slice(-4)));
    expect(codes).toEqual([codes[0], codes[0] + 1, codes[0] + 2]);
    const ids = done.body.children.map((c: { id: string }) => c.id);
    expect(await AuditEvent.countDocuments({ entity: 'child', action: 'create', entityId: { $in: ids } })).toBe(3);
    expect(await AuditEvent.countDocuments({ entity: 'roster_import', entityId: res.body.token })).toBe(1);
    const listed = await teacher.get(`/api/v1/children?schoolId=${world.schoolA.id}&q=甲`).expect(200);
    expect(listed.body.items.map((c: { displayName: string }) => c.displayName)).toEqual(['甲一', '甲二', '甲三']);
  });

  it('when a confirm is retried (lost response), then the same result comes back and nobody is imported twice', async () => {
    const res = await preview(simpleCsv(['乙一', '乙二'])).expect(200);
    const first = await confirm(res.body.token).expect(200);
    const count = await Child.countDocuments();
    const again = await confirm(res.body.token).expect(200);
    expect(again.body).toEqual({ ...first.body, replayed: true });
    expect(await Child.countDocuments()).toBe(count);
  });

  it('when three confirms of the same preview race (five times over), then the children exist once and nothing fails', async () => {
    for (let round = 0; round < 5; round++) {
      const res = await preview(simpleCsv([`丙${round}一`, `丙${round}二`, `丙${round}三`])).expect(200);
      const count = await Child.countDocuments();
      const results = await Promise.all([confirm(res.body.token), confirm(res.body.token), confirm(res.body.token)]);
      const statuses = results.map((r) => r.status);
      for (const status of statuses) expect([200, 409], JSON.stringify(results.map((r) => r.body))).toContain(status);
      expect(results.filter((r) => r.status === 200 && r.body.replayed === false)).toHaveLength(1);
      expect(await Child.countDocuments()).toBe(count + 3);
    }
  });

  it('when a confirm was interrupted half-way, then confirming the same token again creates only the missing children', async () => {
    const res = await preview(simpleCsv(['丁一', '丁二', '丁三'])).expect(200);
    const stored = await RosterImport.findById(res.body.token).lean();
    const firstRow = stored!.rows[0]!;
    // The process died after inserting the first child and before finishing.
    await Child.create({ _id: firstRow.childId, ...firstRow.child, schoolId: world.schoolA.id, code: `${world.schoolA.code}-9999`, importId: res.body.token });
    const claimedAt = new Date(Date.now() - 10 * 60_000);
    await RosterImport.updateOne({ _id: res.body.token }, { $set: { state: 'importing', claimedAt } });
    await RosterImportClaim.create({ _id: res.body.token, claimedAt });
    const count = await Child.countDocuments();
    const done = await confirm(res.body.token).expect(200);
    expect(done.body.imported).toBe(3);
    expect(await Child.countDocuments()).toBe(count + 2);
    expect(await Child.countDocuments({ displayName: '丁一' })).toBe(1);
  });

  it('when a child was added by hand between preview and confirm, then the confirm skips it as a duplicate', async () => {
    const res = await preview(simpleCsv(['戊一', '戊二'])).expect(200);
    await createChild(admin, {
      schoolId: world.schoolA.id, ...res.body.rows[0].child,
    });
    const done = await confirm(res.body.token).expect(200);
    expect(done.body).toMatchObject({ imported: 1, skippedDuplicates: 1 });
    expect(await Child.countDocuments({ displayName: '戊一' })).toBe(1);
  });

  it('when the preview expired, belongs to someone else or is unknown, then nothing is imported', async () => {
    const count = await Child.countDocuments();
    const old = await preview(simpleCsv(['己一'])).expect(200);
    await RosterImport.updateOne({ _id: old.body.token }, { $set: { createdAt: new Date(Date.now() - 61 * 60_000) } });
    expect((await confirm(old.body.token).expect(410)).body.error.code).toBe('preview_expired');
    expect((await confirm(old.body.token).expect(404)).body.error.code).toBe('preview_not_found');
    const mine = await preview(simpleCsv(['己二'])).expect(200);
    await confirm(mine.body.token, counsellor).expect(403);
    await confirm('0'.repeat(32)).expect(404);
    expect(await Child.countDocuments()).toBe(count);
  });

  it('when a confirm is running (fresh claim), then another confirm is 409 import_in_progress and imports nothing', async () => {
    const res = await preview(simpleCsv(['丁丁'])).expect(200);
    await RosterImportClaim.create({ _id: res.body.token, claimedAt: new Date() });
    const count = await Child.countDocuments();
    expect((await confirm(res.body.token).expect(409)).body.error.code).toBe('import_in_progress');
    expect(await Child.countDocuments()).toBe(count);
  });

  it('when old previews exist, then a new preview deletes the expired ones (periodic delete, no TTL index)', async () => {
    const res = await preview(simpleCsv(['庚一'])).expect(200);
    await RosterImport.updateOne({ _id: res.body.token }, { $set: { createdAt: new Date(Date.now() - 3 * 60 * 60_000) } });
    await preview(simpleCsv(['庚二'])).expect(200);
    expect(await RosterImport.countDocuments({ _id: res.body.token })).toBe(0);
  });

  it('when 2 000 rows are imported, then all are created once (timing printed)', async () => {
    const names = Array.from({ length: 2000 }, (_, i) => `Batch Child ${i}`);
    const t0 = performance.now();
    const res = await preview(simpleCsv(names)).expect(200);
    const t1 = performance.now();
    const done = await confirm(res.body.token).expect(200);
    const t2 = performance.now();
    console.log(`[roster import] 2000 rows: preview ${(t1 - t0).toFixed(0)} ms, confirm ${(t2 - t1).toFixed(0)} ms`);
    expect(done.body.imported).toBe(2000);
    expect(new Set(done.body.children.map((c: { code: string }) => c.code)).size).toBe(2000);
    expect(await Child.countDocuments({ displayName: /^Batch Child / })).toBe(2000);
  });
});

describe('template', () => {
  it('when the template is downloaded in Chinese or English, then it is a UTF-8 CSV with BOM whose headers the import accepts', async () => {
    const zh = await teacher.get('/api/v1/children/import/template?lang=zh-CN').buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
    }).expect(200);
    expect(zh.headers['content-type']).toContain('text/csv');
    expect(zh.headers['content-disposition']).toContain('attachment');
    const zhText = zh.body as string;
    expect(zhText.startsWith('\uFEFF姓名,性别,出生年份,出生月份,年级,班级,留守情况,分离月数,主要照顾者,是否寄宿,监护人同意日期,儿童本人同意')).toBe(true);
    const en = await teacher.get('/api/v1/children/import/template?lang=en').expect(200);
    expect(en.text).toContain('name,sex,birth_year,birth_month,grade,class,left_behind,months_since_separation,caregiver,boarding,consent_date,child_assent');
    const filled = `${zhText.trimEnd()}\r\n模板儿童,女,2015,6,3,1,双亲外出,30,祖父母,否,2024-09-01,是\r\n`;
    const res = await preview(filled).expect(200);
    expect(res.body.counts).toMatchObject({ new: 1, errors: 0 });
    await teacher.get('/api/v1/children/import/template?lang=fr').expect(400);
  });
});

describe('school scoping', () => {
  it('when a teacher previews for another school, then 403 and no preview is stored', async () => {
    const before = await RosterImport.countDocuments();
    await preview(simpleCsv(['辛一']), world.schoolB.id).expect(403);
    expect(await RosterImport.countDocuments()).toBe(before);
    expect(await Child.countDocuments({ schoolId: new mongoose.Types.ObjectId(world.schoolB.id), displayName: '辛一' })).toBe(0);
  });
});
