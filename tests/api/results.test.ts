// Results page API: who may see it (researchers and admins, school-scoped), what it shows (the
// shared analysis with small cells suppressed, no names), and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, databaseSnapshot, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeAccessMatrix, everyone, scoped, type MatrixCase, type Target, type Who } from '../helpers/access-matrix.ts';
import { Assessment } from '../../server/modules/assessments/model.ts';
import { createStudy, seedStudyWorld } from './results-world.ts';

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

const programmeOf = (t: Target) => (t === 'other' ? world.studies.other.programmeId : world.studies.intervention.programmeId);

const cases: MatrixCase[] = [
  {
    method: 'get',
    path: '/api/v1/results/programmes',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/results/programmes' }),
    expected: { anonymous: 401, admin: 200, teacher: 403, counsellor: 403, researcher: 200 },
  },
  {
    method: 'get',
    path: '/api/v1/results/programmes/:id',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/results/programmes/${programmeOf(t)}?instrument=SCARED` }),
    expected: scoped(200, ['researcher']),
  },
];

describeAccessMatrix({ prefixes: ['/api/v1/results'], cases, clients: () => clients });

describe('results page', () => {
  it('when a researcher lists programmes, then only programmes of their schools are listed, with their instruments', async () => {
    const res = await clients.researcher.get('/api/v1/results/programmes').expect(200);
    const ids = res.body.items.map((p: { id: string }) => p.id);
    expect(ids).toContain(world.studies.intervention.programmeId);
    expect(ids).toContain(world.studies.control.programmeId);
    expect(ids).not.toContain(world.studies.other.programmeId);
    const p = res.body.items.find((x: { id: string }) => x.id === world.studies.intervention.programmeId);
    expect(p.instruments.map((i: { code: string }) => i.code)).toEqual(['SCARED', 'RSES']);
    expect(p.instruments[0].name.zh).toContain('焦虑');
  });

  it('when an admin lists programmes, then every school’s programmes are listed', async () => {
    const res = await clients.admin.get('/api/v1/results/programmes').expect(200);
    expect(res.body.items.map((p: { id: string }) => p.id)).toContain(world.studies.other.programmeId);
  });

  it('when intervention is compared with control, then paired results per arm, between-arm tests and dose–response are shown without names', async () => {
    const { intervention, control } = world.studies;
    const res = await clients.researcher.get(`/api/v1/results/programmes/${intervention.programmeId}?instrument=SCARED&comparison=${control.programmeId}`).expect(200);
    const body = res.body;
    expect(body.instrumentInfo.code).toBe('SCARED');
    expect(body.comparison.arm).toBe('control');
    const int = body.arms.find((a: { arm: string }) => a.arm === 'intervention');
    const ctl = body.arms.find((a: { arm: string }) => a.arm === 'control');
    // 24 children, 2 without post, 1 pre not scored → 21 complete pairs.
    expect(int.result.paired.n).toBe(21);
    expect(int.result.paired.n_excluded).toBe(3);
    expect(int.result.paired.mean_diff).toBeLessThan(0);
    expect(int.result.paired.p).toBeLessThan(0.05);
    expect(ctl.result.paired.n).toBe(19);
    // The arm has 21 pairs (≥ 5): its counts are shown as they are, not hidden (issue 9).
    expect(int.excluded).toEqual({ noPre: 0, noPost: 2, preNotScored: 1, postNotScored: 0 });
    expect(int.rciCounts.improved + int.rciCounts.unchanged + int.rciCounts.worsened).toBe(21);
    expect(body.between.suppressed).toBe(false);
    expect(body.between.ancova.estimate).toBeLessThan(0);
    expect(body.between.welch_change.p).toBeLessThan(0.05);
    expect(int.doseResponse.n).toBe(21);
    expect(int.doseResponse.rho).toBeLessThan(0);
    expect(int.result.alpha.pre).toBeGreaterThan(0.5);
    expect(int.chart.pairs).toHaveLength(21);
    expect(int.chart.dose).toHaveLength(21);
    expect(body.analysis.by_arm.intervention.paired).toEqual(int.result.paired);
    const text = JSON.stringify(body);
    expect(text).not.toContain('王小明');
    expect(text).not.toContain('A-I-0001');
    expect(text).not.toContain('birth');
  });

  it('when a programme has fewer than 5 complete pairs, then its statistics are suppressed and no chart points are sent', async () => {
    const res = await clients.researcher.get(`/api/v1/results/programmes/${world.studies.tiny.programmeId}?instrument=RSES`).expect(200);
    const arm = res.body.arms[0];
    expect(arm.suppressed).toBe(true);
    expect(arm.result).toBeNull();
    expect(arm.chart).toBeNull();
    expect(arm.waves.map((w: { n: number | null; mean: number | null }) => [w.n, w.mean])).toEqual([[null, null], [null, null], [0, null]]);
    expect(res.body.analysis.by_arm).toEqual({});
    expect(JSON.stringify(res.body)).not.toMatch(/"mean_pre":\d/);
  });

  it('when the comparison is in the same arm, then 400 says so', async () => {
    const res = await clients.researcher.get(`/api/v1/results/programmes/${world.studies.intervention.programmeId}?instrument=SCARED&comparison=${world.studies.tiny.programmeId}`).expect(400);
    expect(res.body.error.code).toBe('same_arm');
  });

  it('when a child has questionnaires in both arms, then 422 names the pseudonymous child instead of mixing the arms', async () => {
    const by = world.users.counsellor.id;
    const a = await createStudy({ programmeName: 'Mixed I', arm: 'intervention', schoolId: world.schoolA.id, codePrefix: 'M-I', children: 6, seed: 7, effect: 0.1, enteredBy: by });
    const b = await createStudy({ programmeName: 'Mixed C', arm: 'control', schoolId: world.schoolA.id, codePrefix: 'M-C', children: 6, seed: 8, effect: 0, enteredBy: by });
    const moved = await Assessment.findOne({ childId: a.childIds[0], instrumentCode: 'SCARED', wave: 'pre' }).lean();
    await Assessment.create({ ...moved, _id: undefined, programmeId: b.programmeId });
    const res = await clients.researcher.get(`/api/v1/results/programmes/${a.programmeId}?instrument=SCARED&comparison=${b.programmeId}`).expect(422);
    expect(res.body.error.code).toBe('inconsistent_data');
    expect(res.body.error.message).toContain('M-I-0001');
  });

  it('when the comparison programme belongs to another school, then 403', async () => {
    await clients.researcher.get(`/api/v1/results/programmes/${world.studies.intervention.programmeId}?instrument=SCARED&comparison=${world.studies.other.programmeId}`).expect(403);
  });
});

describe('results page: bad input changes nothing', () => {
  const base = () => `/api/v1/results/programmes/${world.studies.intervention.programmeId}`;
  const bad: [string, () => string, number][] = [
    ['no instrument', () => base(), 400],
    ['an instrument the programme does not use', () => `${base()}?instrument=SASC_CN_10`, 400],
    ['an instrument code with odd characters', () => `${base()}?instrument=SC%24ARED`, 400],
    ['an over-long instrument code', () => `${base()}?instrument=${'X'.repeat(41)}`, 400],
    ['an unknown query field', () => `${base()}?instrument=SCARED&childName=x`, 400],
    ['an operator injection', () => `${base()}?instrument[$gt]=`, 400],
    ['a repeated parameter', () => `${base()}?instrument=SCARED&instrument=RSES`, 400],
    ['a malformed programme id', () => '/api/v1/results/programmes/xyz?instrument=SCARED', 400],
    ['a malformed comparison id', () => `${base()}?instrument=SCARED&comparison=abc`, 400],
    ['the programme as its own comparison', () => `${base()}?instrument=SCARED&comparison=${world.studies.intervention.programmeId}`, 400],
    ['a programme that does not exist', () => '/api/v1/results/programmes/0123456789abcdef01234567?instrument=SCARED', 404],
  ];
  for (const [name, url, status] of bad) {
    it(`when the query has ${name}, then ${status} with a clear message and the database is unchanged`, async () => {
      const before = await databaseSnapshot();
      const res = await clients.researcher.get(url());
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.message.length).toBeGreaterThan(5);
      expect(await databaseSnapshot()).toEqual(before);
    });
  }
});
