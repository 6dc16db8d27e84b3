// Exports: who may download (researchers and admins, school-scoped), what is in the files (exact
// long columns, wide rows, XLSX sheets, codebook, scripts), de-identification (codes only, ages,
// stable per-child date shifts), BOM, file names, audit, and bad filters.
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { ExportDateShift } from '../../server/modules/exports/model.ts';
import { TestClient, databaseSnapshot, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../helpers/app-process.ts';
import { describeAccessMatrix, everyone, scoped, type MatrixCase, type Who } from '../helpers/access-matrix.ts';
import { seedStudyWorld } from './results-world.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedStudyWorld>>;
const clients = {} as Record<Who, TestClient>;

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedStudyWorld();
  clients.anonymous = await new TestClient(app).init();
  for (const who of everyone.filter((w) => w !== 'anonymous')) clients[who] = await signedInClient(app, who);
});
afterAll(() => harness.stop());

/** Downloads as a Buffer, whatever the content type. */
async function download(client: TestClient, url: string) {
  const res = await client.get(url).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  return { status: res.status, headers: res.headers, body: res.body as Buffer, json: () => JSON.parse((res.body as Buffer).toString('utf8')) };
}

const csv = (buf: Buffer) => parse(buf.toString('utf8'), { bom: true }) as string[][];
const ids = () => `${world.studies.intervention.programmeId},${world.studies.control.programmeId}`;

const cases: MatrixCase[] = [
  {
    method: 'get',
    path: '/api/v1/exports/:format',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/exports/codebook.csv?programmeIds=${t === 'other' ? world.studies.other.programmeId : world.studies.intervention.programmeId}` }),
    expected: scoped(200, ['researcher']),
  },
];
describeAccessMatrix({ prefixes: ['/api/v1/exports'], cases, clients: () => clients });

const LONG_FIXED = [
  'child_code', 'school_code', 'arm', 'programme', 'instrument', 'instrument_version', 'wave', 'age_years', 'sex', 'left_behind_status', 'caregiver',
  'sessions_attended', 'attendance_rate', 'qualifying_sessions', 'aerobic_minutes', 'qualifying_minutes', 'total',
];

describe('long CSV', () => {
  it('when a researcher exports two programmes, then the file has a BOM, the issue’s columns, one row per child × instrument × wave, and no names', async () => {
    const res = await download(clients.researcher, `/api/v1/exports/long.csv?programmeIds=${ids()}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="activegroups_football-club-and-1-more_\d{8}_long\.csv"/);
    expect(decodeURIComponent(res.headers['content-disposition'] as string)).toContain('足球社团');
    const [header, ...rows] = csv(res.body);
    const subscales = ['scared_panic', 'scared_gad', 'scared_separation', 'scared_social', 'scared_school'];
    expect(header).toEqual([...LONG_FIXED, ...subscales, ...Array.from({ length: 41 }, (_, i) => `item_${i + 1}`)]);
    expect(rows).toHaveLength(world.studies.intervention.assessments + world.studies.control.assessments);
    const text = res.body.toString('utf8');
    expect(text).not.toContain('王小明');
    expect(text).not.toMatch(/birth/i);
    const first = Object.fromEntries(header!.map((h, i) => [h, rows[0]![i]]));
    expect(first.child_code).toMatch(/^A-[IC]-\d{4}$/);
    expect(first.school_code).toBe(world.schoolA.code);
    expect(Number(first.age_years)).toBeGreaterThanOrEqual(8);
    // SCARED's five subscales cover all 41 items: on complete questionnaires they add up to the total.
    const scared = rows.filter((r) => r[4] === 'SCARED' && r.slice(header!.indexOf('item_1')).every((x) => x !== ''));
    expect(scared.length).toBeGreaterThan(40);
    for (const r of scared) expect(subscales.reduce((s, c) => s + Number(r[header!.indexOf(c)]), 0)).toBe(Number(r[header!.indexOf('total')]));
    const rses = rows.find((r) => r[4] === 'RSES')!;
    expect(rses.slice(header!.indexOf('item_11'))).toEqual(Array(31).fill(''));
    // Control children have no dose summary: empty dose cells, not zeros.
    const control = rows.find((r) => r[2] === 'control')!;
    expect(control[header!.indexOf('aerobic_minutes')]).toBe('');
    expect(control[header!.indexOf('qualifying_minutes')]).toBe('');
    // Intervention children carry the qualifying aerobic minutes the dose–response uses.
    const intervention = rows.find((r) => r[2] === 'intervention')!;
    expect(Number(intervention[header!.indexOf('qualifying_minutes')])).toBeGreaterThan(0);
  });

  it('when the export finishes, then an audit entry records who, what, the filters and the row count', async () => {
    await AuditEvent.deleteMany({ action: 'export' });
    const res = await download(clients.researcher, `/api/v1/exports/long.csv?programmeIds=${world.studies.intervention.programmeId}&instrument=scared&waves=pre`);
    expect(res.status).toBe(200);
    const rows = csv(res.body).length - 1;
    expect(rows).toBe(24);
    // The entry records the row count and completion, so it is written once the last byte is sent:
    // it can land just after the client has the whole file.
    await waitFor(async () => (await AuditEvent.countDocuments({ action: 'export' })) > 0, 5_000, 'the export audit entry').catch(() => undefined);
    const events = await AuditEvent.find({ action: 'export' }).lean();
    expect(events).toHaveLength(1);
    expect(events[0]!.actorUsername).toBe('researcher');
    expect(events[0]!.meta).toMatchObject({ format: 'long.csv', rows: 24, completed: true, filters: { programmeIds: [world.studies.intervention.programmeId], instrument: 'scared', waves: ['pre'], dates: 'omit' } });
  });
});

describe('dates', () => {
  it('when dates are shifted, then each child keeps one stored shift across exports and exact dates never appear', async () => {
    const url = `/api/v1/exports/long.csv?programmeIds=${world.studies.intervention.programmeId}&instrument=SCARED&dates=shifted`;
    const a = csv((await download(clients.researcher, url)).body);
    const stored = await ExportDateShift.countDocuments();
    const b = csv((await download(clients.researcher, url)).body);
    expect(await ExportDateShift.countDocuments()).toBe(stored);
    expect(a).toEqual(b);
    const [header, ...rows] = a;
    const d = header!.indexOf('assessment_date');
    expect(d).toBe(7);
    const byChild = new Map<string, string[]>();
    for (const r of rows) byChild.set(r[0]!, [...(byChild.get(r[0]!) ?? []), r[d]!]);
    const gaps = new Set<number>();
    const shifts = new Set<string>();
    for (const [, dates] of byChild) {
      if (dates.length === 2) gaps.add((Date.parse(dates[1]!) - Date.parse(dates[0]!)) / 86_400_000);
      shifts.add(dates[0]!);
    }
    // The interval pre → post (2025-02-26 → 2025-05-28 = 91 days) survives the shift.
    expect([...gaps]).toEqual([91]);
    expect(shifts.size).toBeGreaterThan(5);
    expect(rows.some((r) => r[d] === '2025-02-26')).toBe(rows.length === 0);
    const exact = csv((await download(clients.researcher, url.replace('shifted', 'exact'))).body);
    expect(new Set(exact.slice(1).map((r) => r[d]))).toEqual(new Set(['2025-02-26', '2025-05-28']));
  });
});

describe('wide CSV', () => {
  it('when exported, then there is one row per child with pre, post, follow-up side by side, change scores and dose', async () => {
    const res = await download(clients.admin, `/api/v1/exports/wide.csv?programmeIds=${world.studies.intervention.programmeId}`);
    const [header, ...rows] = csv(res.body);
    expect(rows).toHaveLength(24);
    for (const c of ['scared_pre_total', 'scared_post_total', 'scared_followup_total', 'scared_change_post', 'scared_change_followup', 'rses_pre_total', 'aerobic_minutes', 'scared_pre_panic']) {
      expect(header).toContain(c);
    }
    const col = (r: string[], c: string) => r[header!.indexOf(c)]!;
    const complete = rows.filter((r) => col(r, 'scared_pre_total') !== '' && col(r, 'scared_post_total') !== '');
    expect(complete).toHaveLength(21);
    for (const r of complete) expect(Number(col(r, 'scared_change_post'))).toBe(Number(col(r, 'scared_post_total')) - Number(col(r, 'scared_pre_total')));
  });
});

describe('XLSX', () => {
  it('when exported, then the workbook has data, codebook and summary sheets, with small cells suppressed in the summary', async () => {
    const res = await download(clients.researcher, `/api/v1/exports/xlsx?programmeIds=${ids()},${world.studies.tiny.programmeId}&instrument=SCARED`);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['data', 'codebook', 'summary']);
    const data = wb.getWorksheet('data')!;
    expect(data.rowCount - 1).toBe(24 * 2 - 2 + 20 * 2 - 1 + 3 * 2);
    expect(data.getRow(1).getCell(1).value).toBe('child_code');
    expect(typeof data.getRow(2).getCell(16).value).toBe('number');
    const summary: string[] = [];
    wb.getWorksheet('summary')!.eachRow((r) => summary.push((r.values as unknown[]).slice(1).map(String).join('|')));
    const text = summary.join('\n');
    expect(text).toContain('ANCOVA post ~ arm + pre');
    // Two intervention programmes pool into one arm here: 21 + 3 pairs; control 19.
    expect(text).toMatch(/^intervention\|24\|/m);
    expect(text).toMatch(/^control\|19\|/m);
    const codebook: string[] = [];
    wb.getWorksheet('codebook')!.eachRow((r) => codebook.push(String(r.getCell(1).value)));
    expect(codebook).toContain('scared_panic');
  });

  it('when the only programme has fewer than 5 children, then the summary says suppressed instead of numbers', async () => {
    const res = await download(clients.researcher, `/api/v1/exports/xlsx?programmeIds=${world.studies.tiny.programmeId}&instrument=RSES`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const summary: string[] = [];
    wb.getWorksheet('summary')!.eachRow((r) => summary.push((r.values as unknown[]).slice(1).map(String).join('|')));
    expect(summary).toContain('intervention|suppressed');
    expect(summary.filter((l) => /^intervention\|(pre|post)\|/.test(l)).every((l) => l.includes('suppressed'))).toBe(true);
  });
});

describe('codebook and scripts', () => {
  it('when the codebook is exported, then every column of the long and wide files is described in English and Chinese', async () => {
    const q = `programmeIds=${world.studies.intervention.programmeId}&dates=shifted`;
    const long = csv((await download(clients.researcher, `/api/v1/exports/long.csv?${q}`)).body)[0]!;
    const wide = csv((await download(clients.researcher, `/api/v1/exports/wide.csv?${q}`)).body)[0]!;
    const cb = csv((await download(clients.researcher, `/api/v1/exports/codebook.csv?${q}`)).body);
    const [head, ...entries] = cb;
    expect(head).toEqual(['variable', 'files', 'type', 'label_en', 'label_zh', 'values', 'unit', 'source', 'licence', 'notes']);
    const vars = new Map(entries.map((e) => [e[0], e]));
    for (const c of [...long, ...wide]) {
      expect(vars.has(c), c).toBe(true);
      expect(vars.get(c)![3]!.length).toBeGreaterThan(2);
      expect(vars.get(c)![4]!).toMatch(/[\u4e00-\u9fff]|\d/);
    }
    expect(vars.get('left_behind_status')![5]).toContain('both_parents_away=Both parents away (migrant work) / 双亲外出务工');
    expect(vars.get('scared_panic')![8]).toContain('Free to use');
    expect(vars.get('aerobic_minutes')![6]).toBe('minutes');
    expect(vars.get('qualifying_minutes')![3]).toMatch(/Qualifying aerobic minutes/);
    const md = (await download(clients.researcher, `/api/v1/exports/codebook.md?${q}`)).body.toString('utf8');
    expect(md.charCodeAt(0)).toBe(0xfeff);
    expect(md).toContain('| `child_code` |');
    expect(md).toContain('Rosenberg');
  });

  it('when the R script and SPSS syntax are exported, then they read the exported files with labels and run the headline tests', async () => {
    const q = `programmeIds=${ids()}&instrument=SCARED`;
    const r = await download(clients.researcher, `/api/v1/exports/analysis.R?${q}`);
    expect(r.headers['content-disposition']).toMatch(/_analysis\.R"/);
    const rText = r.body.toString('utf8');
    for (const s of ['fileEncoding = "UTF-8-BOM"', 't.test(m$total_post, m$total_pre, paired = TRUE)', 'wilcox.test', 'lm(post ~ arm01 + pre', 'var.equal = FALSE', 'method = "spearman"', '_long.csv"']) {
      expect(rText).toContain(s);
    }
    const sps = (await download(clients.researcher, `/api/v1/exports/analysis.sps?${q}`)).body.toString('utf8');
    for (const s of ["/ENCODING='UTF8'", 'VARIABLE LABELS', 'VALUE LABELS', 'T-TEST PAIRS=scared_post_total WITH scared_pre_total (PAIRED)', 'NPAR TESTS /WILCOXON', 'REGRESSION', 'T-TEST GROUPS=arm01(1 0)', '_wide.csv']) {
      expect(sps).toContain(s);
    }
  });
});

describe('score precision (issue 10 item 14)', () => {
  it('when a stored prorated total carries float noise, then the long and wide CSV, the results page and the codebook show it rounded to 3 decimals', async () => {
    const { Assessment } = await import('../../server/modules/assessments/model.ts');
    const childId = world.studies.intervention.childIds[0];
    const before = await Assessment.findOne({ childId, instrumentCode: 'SCARED', wave: 'pre' }).lean();
    await Assessment.updateOne({ _id: before!._id }, { $set: { 'score.total': 37.925000000000004 } });
    onTestFinished(() => Assessment.updateOne({ _id: before!._id }, { $set: { 'score.total': before!.score!.total } }).then(() => undefined));
    const q = `programmeIds=${world.studies.intervention.programmeId}&instrument=SCARED`;
    const scoreCells = (table: string[][], isScore: (h: string) => boolean) => {
      const [head, ...rows] = table;
      const cols = head!.flatMap((h, i) => (isScore(h) ? [i] : []));
      expect(cols.length).toBeGreaterThan(3);
      return rows.flatMap((r) => cols.map((i) => r[i]!));
    };
    const long = scoreCells(csv((await download(clients.researcher, `/api/v1/exports/long.csv?${q}`)).body), (h) => h === 'total' || /^scared_/.test(h));
    const wide = scoreCells(csv((await download(clients.researcher, `/api/v1/exports/wide.csv?${q}`)).body), (h) => /^scared_/.test(h) && !/date/.test(h));
    expect(long).toContain('37.925');
    for (const cell of [...long, ...wide]) expect(cell).not.toMatch(/\.\d{4,}/);
    const md = (await download(clients.researcher, `/api/v1/exports/codebook.md?${q}`)).body.toString('utf8');
    expect(md).toContain('rounded to 3 decimals');
    const results = await clients.researcher.get(`/api/v1/results/programmes/${world.studies.intervention.programmeId}?instrument=SCARED`).expect(200);
    expect(JSON.stringify(results.body)).not.toContain('37.925000000000004');
  });
});

describe('analysis scripts: encoding and default data file (issue 10 item 13)', () => {
  const saved = (cd: string) => decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(cd)![1]!);

  it('when the R script and SPSS syntax are exported, then they have no BOM (R 4.2 refuses it) while CSV keeps one, and SPSS does not run SET UNICODE', async () => {
    const q = `programmeIds=${ids()}&instrument=SCARED`;
    const r = await download(clients.researcher, `/api/v1/exports/analysis.R?${q}`);
    const sps = await download(clients.researcher, `/api/v1/exports/analysis.sps?${q}`);
    const long = await download(clients.researcher, `/api/v1/exports/long.csv?${q}`);
    expect(r.body.subarray(0, 3)).not.toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(r.body.toString('utf8').startsWith('# ActiveGroups export')).toBe(true);
    expect(sps.body.toString('utf8').startsWith('* Encoding: UTF-8.')).toBe(true);
    expect(long.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    // PSPP stops with a syntax error at SET UNICODE: it may only appear inside a comment.
    const commands = sps.body.toString('utf8').split('\n').filter((l) => !l.startsWith('*'));
    expect(commands.join('\n')).not.toMatch(/SET\s+UNICODE/i);
  });

  it('when the scripts name their data file, then it is the name the browser saves that CSV under', async () => {
    const q = `programmeIds=${ids()}&instrument=SCARED`;
    const [r, sps, long, wide] = await Promise.all(
      ['analysis.R', 'analysis.sps', 'long.csv', 'wide.csv'].map((f) => download(clients.researcher, `/api/v1/exports/${f}?${q}`)),
    );
    const longName = saved(long!.headers['content-disposition'] as string);
    const wideName = saved(wide!.headers['content-disposition'] as string);
    expect(longName).toMatch(/^activegroups_足球社团-Football-club-and-1-more_\d{8}_long\.csv$/);
    expect(r!.body.toString('utf8')).toContain(`else "${longName}"`);
    expect(sps!.body.toString('utf8')).toContain(`FILE HANDLE wide /NAME='${wideName}'.`);
  });
});

describe('exports: bad filters change nothing', () => {
  const bad: [string, () => string, number][] = [
    ['an unknown format', () => `/api/v1/exports/long.json?programmeIds=${world.studies.intervention.programmeId}`, 400],
    ['no programme', () => '/api/v1/exports/long.csv', 400],
    ['an empty programme list', () => '/api/v1/exports/long.csv?programmeIds=,', 400],
    ['a malformed programme id', () => '/api/v1/exports/long.csv?programmeIds=abc', 400],
    ['a repeated programme id', () => `/api/v1/exports/long.csv?programmeIds=${ids()},${world.studies.control.programmeId}`, 400],
    ['21 programmes', () => `/api/v1/exports/long.csv?programmeIds=${Array.from({ length: 21 }, (_, i) => `0123456789abcdef012345${String(i).padStart(2, '0')}`).join(',')}`, 400],
    ['an unknown wave', () => `/api/v1/exports/long.csv?programmeIds=${ids()}&waves=pre,mid`, 400],
    ['an unknown date mode', () => `/api/v1/exports/long.csv?programmeIds=${ids()}&dates=birth`, 400],
    ['an instrument the programmes do not use', () => `/api/v1/exports/long.csv?programmeIds=${ids()}&instrument=SASC_CN_10`, 400],
    ['an unknown field', () => `/api/v1/exports/long.csv?programmeIds=${ids()}&includeNames=true`, 400],
    ['an operator injection', () => `/api/v1/exports/long.csv?programmeIds[$gt]=`, 400],
    ['an over-long value', () => `/api/v1/exports/long.csv?programmeIds=${'a'.repeat(600)}`, 400],
    ['a programme that does not exist', () => '/api/v1/exports/long.csv?programmeIds=0123456789abcdef01234567', 404],
    ['a programme of another school', () => `/api/v1/exports/long.csv?programmeIds=${world.studies.intervention.programmeId},${world.studies.other.programmeId}`, 403],
  ];
  for (const [name, url, status] of bad) {
    it(`when the request has ${name}, then ${status} with a clear message and the database is unchanged`, async () => {
      const before = await databaseSnapshot();
      const res = await clients.researcher.get(url());
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.message.length).toBeGreaterThan(5);
      expect(await databaseSnapshot()).toEqual(before);
    });
  }
});
