// Reliability of the API's HTTP surface (issue 10, items 4, 10, 11, 12): answers are never cached,
// a delete names the version it saw and a stale one is refused like a stale edit, answers are never
// written for a child whose guardian withdrew consent, and requests Node refuses before Express
// (oversized headers or query strings) still answer in the error envelope.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClientErrorsInEnvelope } from '../../server/lib/http-guards.ts';
import { Assessment } from '../../server/modules/assessments/model.ts';
import { createAssessment } from '../../server/modules/assessments/service.ts';
import { Child } from '../../server/modules/children/model.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { School } from '../../server/modules/schools/model.ts';
import { databaseSnapshot, signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';
import { makeChild, makeProgramme, newKey, scaredAnswers, seedAssessmentWorld, type AssessmentWorld } from './assessments-world.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let w: AssessmentWorld;
let admin: TestClient;
let teacher: TestClient;
let counsellor: TestClient;
let counsellor2: TestClient;

beforeAll(async () => {
  harness = await startTestApp();
  w = await seedAssessmentWorld();
  [admin, teacher, counsellor, counsellor2] = (await Promise.all(['admin', 'teacher', 'counsellor', 'counsellor2'].map((u) => signedInClient(harness.app, u)))) as [
    TestClient,
    TestClient,
    TestClient,
    TestClient,
  ];
});
afterAll(() => harness.stop());

const counsellorActor = () => ({ id: w.users.counsellor.id, username: 'counsellor', role: 'counsellor' as const, schoolIds: [w.schoolA.id] });

async function freshAssessment(childId?: string) {
  const child = childId ?? (await makeChild(w.schoolA.id, 'Deletable'));
  return createAssessment(counsellorActor(), {
    childId: child,
    programmeId: w.programmeA.id,
    instrumentCode: 'SCARED',
    wave: 'pre',
    date: w.programmeA.preDate,
    answers: scaredAnswers(),
    missing: [],
  });
}

describe('no caching of personal data', () => {
  it('when any API answer is sent (data, error, health), then it carries Cache-Control: no-store', async () => {
    for (const [url, client] of [
      [`/api/v1/children?schoolId=${w.schoolA.id}`, teacher],
      [`/api/v1/children/${w.childA}`, teacher],
      ['/api/v1/nothing-here', teacher],
      ['/api/health', admin],
      [`/api/v1/assessments?childId=${w.childA}`, counsellor],
    ] as const) {
      const res = await client.get(url);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });
});

describe('stale deletes', () => {
  const deletable = {
    child: async () => ({ url: `/api/v1/children/${await makeChild(w.schoolA.id, 'Stale')}`, model: Child, client: teacher, edit: { className: 'Moved', monthsSinceSeparation: 3 } }),
    group: async () => {
      const g = await Group.create({ schoolId: w.schoolA.id, name: 'Stale group', activityCode: 'running', members: [] });
      return { url: `/api/v1/groups/${g._id}`, model: Group, client: teacher, edit: { name: 'Renamed group' } };
    },
    programme: async () => ({ url: `/api/v1/programmes/${(await makeProgramme(w.schoolA.id, 'Stale programme', [])).id}`, model: Programme, client: teacher, edit: { name: 'Renamed programme' } }),
    assessment: async () => ({ url: `/api/v1/assessments/${(await freshAssessment()).id}`, model: Assessment, client: counsellor, edit: { answers: scaredAnswers([1]) } }),
    school: async () => {
      const res = await admin.post('/api/v1/schools', { name: 'Stale school', region: 'R', county: 'C', setting: 'rural' }).expect(201);
      return { url: `/api/v1/schools/${res.body.id}`, model: School, client: admin, edit: { name: 'Renamed school' } };
    },
  };

  for (const [what, make] of Object.entries(deletable)) {
    it(`when ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} changed since it was read, then DELETE with the old version is 409 with the current ${what} and it stays`, async () => {
      const { url, model, client, edit } = await make();
      await client.patch(url, { version: 0, ...edit }).expect(200);
      const before = await databaseSnapshot();
      const res = await client.delete(`${url}?version=0`);
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body.error.code).toBe('version_conflict');
      expect(res.body.error.details.current.version).toBe(1);
      expect(await databaseSnapshot()).toEqual(before);
      // The current version deletes it; If-Match works as well as the query.
      await client.delete(url).set('If-Match', '"1"').expect(204);
      expect(await (model as typeof Child).findById(url.split('/').pop()).lean()).toBeNull();
    });
  }

  it('when a DELETE names no version, then 428 version_required and nothing is deleted', async () => {
    const childId = await makeChild(w.schoolA.id, 'No version');
    const res = await teacher.delete(`/api/v1/children/${childId}`);
    expect(res.status).toBe(428);
    expect(res.body.error.code).toBe('version_required');
    expect(await Child.findById(childId).lean()).not.toBeNull();
  });

  it('when the version is malformed or given twice differently, then 400 and nothing is deleted', async () => {
    const childId = await makeChild(w.schoolA.id, 'Bad version');
    const url = `/api/v1/children/${childId}`;
    for (const req of [
      teacher.delete(`${url}?version=abc`),
      teacher.delete(`${url}?version=-1`),
      teacher.delete(`${url}?version=1.5`),
      teacher.delete(`${url}?version=0&version=0`),
      teacher.delete(url).set('If-Match', '"x"'),
      teacher.delete(`${url}?version=0`).set('If-Match', '"1"'),
      teacher.delete(url).send({ version: 'zero' }),
    ]) {
      const res = await req;
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
    expect(await Child.findById(childId).lean()).not.toBeNull();
  });

  it('when the version is sent in the JSON body, then the delete uses it', async () => {
    const childId = await makeChild(w.schoolA.id, 'Body version');
    await teacher.delete(`/api/v1/children/${childId}`).send({ version: 0 }).expect(204);
  });
});

describe('consent on every write of answers', () => {
  it('when the guardian withdrew consent after the first entry, then the second entry is 422 and nothing is stored', async () => {
    const childId = await makeChild(w.schoolA.id, 'Withdrawn');
    const first = await freshAssessment(childId);
    // The guardian withdraws: the consent date is cleared on the child's record.
    await teacher.patch(`/api/v1/children/${childId}`, { version: 0, guardianConsentDate: null, monthsSinceSeparation: 12 }).expect(200);
    const before = await databaseSnapshot();
    const res = await counsellor2.post(`/api/v1/assessments/${first.id}/second-entry`, { answers: scaredAnswers([1]), missing: [] }).set('Idempotency-Key', newKey());
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.code).toBe('guardian_consent_required');
    expect(await databaseSnapshot()).toEqual(before);
    // Corrections of the first entry are refused as well.
    const edit = await counsellor.patch(`/api/v1/assessments/${first.id}`, { version: first.version, answers: scaredAnswers([2]) });
    expect(edit.status).toBe(422);
    expect(edit.body.error.code).toBe('guardian_consent_required');
  });
});

describe('requests refused before Express', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer(harness.app);
    answerClientErrorsInEnvelope(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('when the headers are larger than the server accepts, then 431 in the error envelope', async () => {
    const res = await send('/api/v1/children', { 'X-Filler': 'x'.repeat(20_000) });
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'request_too_large', message: expect.stringMatching(/too long/) } });
  });

  it('when the query string is larger than the server accepts, then 431 in the error envelope', async () => {
    const res = await send(`/api/v1/children?q=${'a'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body).error.code).toBe('request_too_large');
  });

  it('when a request of normal size follows, then the server answers it as usual', async () => {
    const res = await send('/api/health');
    expect(res.status).toBe(200);
  });
});
