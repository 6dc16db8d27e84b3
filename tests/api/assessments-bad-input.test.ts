// Every endpoint of the counsellors' flows that takes input rejects malformed data with a 4xx and
// a clear message, and the database is exactly as it was (every document of every collection).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RSES } from '../../shared/domain/instruments.ts';
import { createAssessment } from '../../server/modules/assessments/service.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { databaseSnapshot, signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';
import { makeChild, newKey, scaredAnswers, seedAssessmentWorld, type AssessmentWorld } from './assessments-world.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let w: AssessmentWorld;
let admin: TestClient;
let assessmentId: string;

beforeAll(async () => {
  harness = await startTestApp();
  w = await seedAssessmentWorld();
  admin = await signedInClient(harness.app, 'admin');
  const child = await makeChild(w.schoolA.id, 'Bad input child');
  const entrant = { id: w.counsellor2.id, username: 'counsellor2', role: 'counsellor' as const, schoolIds: [w.schoolA.id] };
  assessmentId = (
    await createAssessment(entrant, { childId: child, programmeId: w.programmeA.id, instrumentCode: 'SCARED', wave: 'pre', date: w.programmeA.preDate, answers: scaredAnswers(), missing: [] })
  ).id;
});
afterAll(() => harness.stop());

interface Endpoint {
  name: string;
  method: 'post' | 'patch' | 'put';
  url: () => string;
  valid: () => Promise<Record<string, unknown>>;
  headers?: () => Record<string, string>;
}

const endpoints: Endpoint[] = [
  {
    name: 'save assessment',
    method: 'post',
    url: () => '/api/v1/assessments',
    headers: () => ({ 'Idempotency-Key': newKey() }),
    valid: async () => ({ childId: w.childA, programmeId: w.programmeA.id, instrumentCode: 'SCARED', wave: 'pre', date: w.programmeA.preDate, answers: scaredAnswers(), missing: [], confirmOutsideWindow: false }),
  },
  { name: 'correct assessment', method: 'patch', url: () => `/api/v1/assessments/${assessmentId}`, valid: async () => ({ version: 0, date: w.programmeA.preDate, answers: scaredAnswers([1]), missing: [] }) },
  { name: 'second entry', method: 'post', url: () => `/api/v1/assessments/${assessmentId}/second-entry`, valid: async () => ({ answers: scaredAnswers(), missing: [] }) },
  { name: 'create instrument', method: 'post', url: () => '/api/v1/instruments', valid: async () => ({ definition: { ...RSES, code: 'NEW_ONE' } }) },
  { name: 'edit instrument', method: 'patch', url: () => '/api/v1/instruments/RSES', valid: async () => ({ basedOnVersion: 1, revision: 0, definition: RSES }) },
  {
    name: 'set waves',
    method: 'put',
    url: () => `/api/v1/programme-waves/${w.programmeA.id}`,
    valid: async () => {
      const p = await Programme.findById(w.programmeA.id).lean();
      return { version: p!.version, instruments: [{ code: 'SCARED', version: 1 }], waves: [{ wave: 'pre', opensOn: '2025-02-01', closesOn: '2025-02-20' }] };
    },
  },
];

type Variant = { label: string; body: string; status: number; code: string };

function variants(valid: Record<string, unknown>): Variant[] {
  const json = (o: unknown) => JSON.stringify(o);
  const out: Variant[] = [
    { label: 'malformed JSON', body: json(valid).slice(0, -3), status: 400, code: 'malformed_json' },
    { label: 'a JSON array instead of an object', body: json([valid]), status: 400, code: 'invalid_input' },
    { label: 'an unknown field', body: json({ ...valid, isAdmin: true }), status: 400, code: 'invalid_input' },
    { label: 'an oversized body', body: json({ ...valid, padding: 'x'.repeat(300_000) }), status: 413, code: 'payload_too_large' },
  ];
  for (const [key, value] of Object.entries(valid)) {
    out.push({ label: `${key} of the wrong type`, body: json({ ...valid, [key]: typeof value === 'number' ? 'seven' : 12345 }), status: 400, code: 'invalid_input' });
    if (typeof value === 'string') {
      out.push({ label: `${key} over-long`, body: json({ ...valid, [key]: 'x'.repeat(5_000) }), status: 400, code: 'invalid_input' });
      out.push({ label: `${key} as an operator {"$gt": ""}`, body: json({ ...valid, [key]: { $gt: '' } }), status: 400, code: 'invalid_input' });
    }
    if (Array.isArray(value)) {
      out.push({ label: `${key} holding an operator`, body: json({ ...valid, [key]: [{ $ne: null }] }), status: 400, code: 'invalid_input' });
      out.push({ label: `${key} far too long`, body: json({ ...valid, [key]: Array(500).fill(value[0] ?? 1) }), status: 400, code: 'invalid_input' });
    }
  }
  if ('answers' in valid) {
    out.push({ label: 'an answer that is a fraction', body: json({ ...valid, answers: [0.5, ...scaredAnswers().slice(1)] }), status: 400, code: 'invalid_input' });
    out.push({ label: 'an answer that is a string', body: json({ ...valid, answers: ['1', ...scaredAnswers().slice(1)] }), status: 400, code: 'invalid_input' });
    out.push({ label: 'a missing reason outside the list', body: json({ ...valid, missing: [{ item: 1, reason: 'lazy' }] }), status: 400, code: 'invalid_input' });
  }
  if ('definition' in valid) {
    out.push({ label: 'a definition key with a dot', body: json({ ...valid, definition: { ...(valid.definition as object), 'x.y': 1 } }), status: 400, code: 'invalid_input' });
    out.push({ label: 'a definition key with a dollar', body: json({ ...valid, definition: { ...(valid.definition as object), $where: '1' } }), status: 400, code: 'invalid_input' });
  }
  return out;
}

describe('bad input to the counsellors’ flows is rejected and changes nothing', () => {
  for (const endpoint of endpoints) {
    it(`when ${endpoint.name} receives bad input, then 4xx with a clear message and the database is unchanged`, async () => {
      const valid = await endpoint.valid();
      const before = await databaseSnapshot();
      for (const v of variants(valid)) {
        let req = admin.agent[endpoint.method](endpoint.url()).set('X-CSRF-Token', admin.csrfToken).set('Content-Type', 'application/json');
        for (const [k, val] of Object.entries(endpoint.headers?.() ?? {})) req = req.set(k, val);
        const res = await req.send(v.body);
        expect(res.status, `${endpoint.name}: ${v.label} → ${JSON.stringify(res.body)}`).toBe(v.status);
        expect(res.body.error.code, v.label).toBe(v.code);
        expect(res.body.error.message.length, v.label).toBeGreaterThan(10);
      }
      expect(await databaseSnapshot()).toEqual(before);
    });
  }

  it('when path ids, codes or queries are malformed or injected, then 400 and nothing is read', async () => {
    for (const url of [
      '/api/v1/assessments/not-an-id',
      '/api/v1/assessments?childId[$ne]=x',
      '/api/v1/assessments',
      '/api/v1/assessments/entry-sheet?programmeId=abc&wave=pre&instrumentCode=SCARED',
      `/api/v1/assessments/entry-sheet?programmeId=${w.programmeA.id}&wave=mid&instrumentCode=SCARED`,
      '/api/v1/instruments/SC.ARED',
      '/api/v1/instruments/SCARED/versions/zero',
      '/api/v1/instruments?allVersions=yes',
      '/api/v1/programme-waves/{"$gt":""}',
      '/api/v1/worklist?schoolId=nope',
      '/api/v1/worklist/children/123',
    ]) {
      const res = await admin.get(url);
      expect(res.status, url).toBe(400);
      expect(res.body.error.code, url).toBe('invalid_input');
    }
  });

  it('when a save carries a malformed Idempotency-Key, then 400 and nothing is stored', async () => {
    const before = await databaseSnapshot();
    const res = await admin
      .post('/api/v1/assessments', { childId: w.childA, programmeId: w.programmeA.id, instrumentCode: 'SCARED', wave: 'pre', date: w.programmeA.preDate, answers: scaredAnswers() })
      .set('Idempotency-Key', 'bad key!');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_idempotency_key');
    expect(await databaseSnapshot()).toEqual(before);
  });
});
