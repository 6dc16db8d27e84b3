// Role × endpoint × own-school / other-school for every route of the counsellors' flows
// (instruments, programme waves, assessments, worklist), and the privacy promises of issue 6:
// PE teachers and researchers never see answers or scores; a counsellor of another school can
// never read a child's answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assessment } from '../../server/modules/assessments/model.ts';
import { createAssessment } from '../../server/modules/assessments/service.ts';
import { Instrument } from '../../server/modules/instruments/model.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { TestClient, signedInClient, startTestApp } from '../helpers/app.ts';
import { describeAccessMatrix, everyone, scoped, adminOnly, type MatrixCase, type Target, type Who } from '../helpers/access-matrix.ts';
import { makeChild, makeProgramme, newKey, scaredAnswers, seedAssessmentWorld, type AssessmentWorld } from './assessments-world.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let w: AssessmentWorld;
const clients = {} as Record<Who, TestClient>;

beforeAll(async () => {
  harness = await startTestApp();
  w = await seedAssessmentWorld();
  clients.anonymous = await new TestClient(harness.app).init();
  for (const who of everyone.filter((x) => x !== 'anonymous')) clients[who] = await signedInClient(harness.app, who);
});
afterAll(() => harness.stop());

const school = (t: Target) => (t === 'other' ? w.schoolB.id : w.schoolA.id);
const programmeOf = (t: Target) => (t === 'other' ? w.programmeB : w.programmeA);
/** Someone other than the caller entered it, so any caller may type the second entry. */
const entrantOf = (t: Target) =>
  t === 'other'
    ? { id: w.counsellorB.id, username: 'counsellor-b', role: 'counsellor' as const, schoolIds: [w.schoolB.id] }
    : { id: w.counsellor2.id, username: 'counsellor2', role: 'counsellor' as const, schoolIds: [w.schoolA.id] };

async function freshAssessment(t: Target) {
  const child = await makeChild(school(t), 'Matrix child');
  const p = programmeOf(t);
  return createAssessment(entrantOf(t), { childId: child, programmeId: p.id, instrumentCode: 'SCARED', wave: 'pre', date: p.preDate, answers: scaredAnswers(), missing: [] });
}

let codeSeq = 0;
const newDefinition = (code: string) => ({
  code,
  version: 'test',
  name: { en: 'Test scale', zh: '测试量表' },
  languages: ['zh-CN'],
  items: [{ number: 1 }, { number: 2 }, { number: 3 }],
  response: { min: 1, max: 5 },
  scoring: 'mean',
  polarity: 'higher-is-better',
  maxMissingItems: 1,
  licenceNote: 'Test only.',
  domain: 'interpersonal',
});

const readers = { anonymous: 401, admin: 200, teacher: 403, counsellor: 200, researcher: 200 };
const cases: MatrixCase[] = [
  { method: 'get', path: '/api/v1/instruments/', targets: ['none'], request: async () => ({ url: '/api/v1/instruments' }), expected: readers },
  { method: 'get', path: '/api/v1/instruments/:code', targets: ['none'], request: async () => ({ url: '/api/v1/instruments/SCARED' }), expected: readers },
  {
    method: 'get',
    path: '/api/v1/instruments/:code/versions/:version',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/instruments/RSES/versions/1' }),
    expected: readers,
  },
  {
    method: 'post',
    path: '/api/v1/instruments/',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/instruments', body: { definition: newDefinition(`M${++codeSeq}`) } }),
    expected: adminOnly(201),
  },
  {
    method: 'patch',
    path: '/api/v1/instruments/:code',
    targets: ['none'],
    request: async () => {
      const code = `P${++codeSeq}`;
      await Instrument.create({ code, version: 1, definition: newDefinition(code) });
      return { url: `/api/v1/instruments/${code}`, body: { basedOnVersion: 1, revision: 0, definition: { ...newDefinition(code), licenceNote: 'Edited.' } } };
    },
    expected: adminOnly(200),
  },
  {
    method: 'get',
    path: '/api/v1/programme-waves/',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/programme-waves' }),
    expected: { anonymous: 401, admin: 200, teacher: 200, counsellor: 200, researcher: 200 },
  },
  {
    method: 'get',
    path: '/api/v1/programme-waves/:programmeId',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/programme-waves/${programmeOf(t).id}` }),
    expected: scoped(200, ['teacher', 'counsellor', 'researcher']),
  },
  {
    method: 'put',
    path: '/api/v1/programme-waves/:programmeId',
    targets: ['own', 'other'],
    request: async (t) => {
      const p = await makeProgramme(school(t), 'Matrix programme', []);
      const doc = await Programme.findById(p.id).lean();
      return { url: `/api/v1/programme-waves/${p.id}`, body: { version: doc!.version, instruments: [{ code: 'SCARED', version: 1 }], waves: [] } };
    },
    expected: scoped(200, ['counsellor']),
  },
  {
    method: 'get',
    path: '/api/v1/assessments/',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/assessments?programmeId=${programmeOf(t).id}` }),
    expected: scoped(200, ['counsellor']),
  },
  {
    method: 'get',
    path: '/api/v1/assessments/entry-sheet',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/assessments/entry-sheet?programmeId=${programmeOf(t).id}&wave=pre&instrumentCode=SCARED` }),
    expected: scoped(200, ['counsellor']),
  },
  {
    method: 'post',
    path: '/api/v1/assessments/',
    targets: ['own', 'other'],
    request: async (t) => {
      const child = await makeChild(school(t), 'New entry');
      const p = programmeOf(t);
      return {
        url: '/api/v1/assessments',
        headers: { 'Idempotency-Key': newKey() },
        body: { childId: child, programmeId: p.id, instrumentCode: 'SCARED', wave: 'pre', date: p.preDate, answers: scaredAnswers() },
      };
    },
    expected: scoped(201, ['counsellor']),
  },
  {
    method: 'get',
    path: '/api/v1/assessments/:id',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/assessments/${(await freshAssessment(t)).id}` }),
    expected: scoped(200, ['counsellor']),
  },
  {
    method: 'patch',
    path: '/api/v1/assessments/:id',
    targets: ['own', 'other'],
    request: async (t) => {
      const a = await freshAssessment(t);
      return { url: `/api/v1/assessments/${a.id}`, body: { version: a.version, answers: scaredAnswers([1]) } };
    },
    expected: scoped(200, ['counsellor']),
  },
  {
    method: 'delete',
    path: '/api/v1/assessments/:id',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/assessments/${(await freshAssessment(t)).id}`, headers: { 'If-Match': '"0"' } }),
    expected: scoped(204, ['counsellor']),
  },
  {
    method: 'post',
    path: '/api/v1/assessments/:id/second-entry',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/assessments/${(await freshAssessment(t)).id}/second-entry`, body: { answers: scaredAnswers() } }),
    expected: scoped(200, ['counsellor']),
  },
  {
    method: 'get',
    path: '/api/v1/worklist/',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/worklist' }),
    expected: { anonymous: 401, admin: 200, teacher: 403, counsellor: 200, researcher: 403 },
  },
  {
    method: 'get',
    path: '/api/v1/worklist/children/:childId',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/worklist/children/${t === 'other' ? w.childB : w.childA}` }),
    expected: scoped(200, ['counsellor']),
  },
];

describeAccessMatrix({
  prefixes: ['/api/v1/instruments', '/api/v1/programme-waves', '/api/v1/assessments', '/api/v1/worklist'],
  cases,
  clients: () => clients,
});

describe('privacy of answers and scores', () => {
  const leaks = (body: unknown) => /"answers"|"score"|"total"/.test(JSON.stringify(body));

  it('when a PE teacher or a researcher asks for answers, scores, the worklist or a child page, then 403 and no answer or score in the reply', async () => {
    const a = await freshAssessment('own');
    for (const who of ['teacher', 'researcher'] as const) {
      for (const url of [
        `/api/v1/assessments/${a.id}`,
        `/api/v1/assessments?childId=${a.childId}`,
        `/api/v1/assessments/entry-sheet?programmeId=${w.programmeA.id}&wave=pre&instrumentCode=SCARED`,
        '/api/v1/worklist',
        `/api/v1/worklist/children/${a.childId}`,
      ]) {
        const res = await clients[who].get(url);
        expect(res.status, `${who} ${url}`).toBe(403);
        expect(leaks(res.body), `${who} ${url}`).toBe(false);
      }
    }
  });

  it('when a counsellor of another school asks for a child’s answers in any way, then it is refused and nothing of them is returned', async () => {
    const a = await freshAssessment('own');
    const b = await signedInClient(harness.app, 'counsellor-b');
    for (const url of [
      `/api/v1/assessments/${a.id}`,
      `/api/v1/assessments?childId=${a.childId}`,
      `/api/v1/assessments?programmeId=${w.programmeA.id}`,
      `/api/v1/assessments/entry-sheet?programmeId=${w.programmeA.id}&wave=pre&instrumentCode=SCARED`,
      `/api/v1/worklist/children/${a.childId}`,
      `/api/v1/worklist?schoolId=${w.schoolA.id}`,
    ]) {
      const res = await b.get(url);
      expect(res.status, url).toBe(403);
      expect(leaks(res.body), url).toBe(false);
    }
    // Writes are refused as well and change nothing.
    const before = await Assessment.findById(a.id).lean();
    expect((await b.patch(`/api/v1/assessments/${a.id}`, { version: a.version, answers: scaredAnswers([2]) })).status).toBe(403);
    expect((await b.post(`/api/v1/assessments/${a.id}/second-entry`, { answers: scaredAnswers([2]) })).status).toBe(403);
    expect((await b.delete(`/api/v1/assessments/${a.id}?version=${a.version}`)).status).toBe(403);
    expect(await Assessment.findById(a.id).lean()).toEqual(before);
    // Its own worklist holds none of school A's children.
    const own = await b.get('/api/v1/worklist').expect(200);
    expect(own.body.items.every((i: { schoolId: string }) => i.schoolId === w.schoolB.id)).toBe(true);
  });
});
