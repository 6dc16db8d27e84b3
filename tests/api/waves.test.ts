// Programme waves: instruments and windows, written under the programme's version, touching only
// the `instruments` and `waves` fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../shared/domain/dates.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';
import { seedAssessmentWorld, type AssessmentWorld } from './assessments-world.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let w: AssessmentWorld;
let counsellor: TestClient;

beforeAll(async () => {
  harness = await startTestApp();
  w = await seedAssessmentWorld();
  counsellor = await signedInClient(harness.app, 'counsellor');
});
afterAll(() => harness.stop());

const put = (client: TestClient, url: string, body: unknown) => client.agent.put(url).set('X-CSRF-Token', client.csrfToken).send(body as object);

describe('programme waves', () => {
  it('when a counsellor reads a programme’s waves, then the windows and the suggested defaults relative to its dates are given', async () => {
    const res = await counsellor.get(`/api/v1/programme-waves/${w.programmeA.id}`).expect(200);
    const pre = res.body.suggestedWaves.find((x: { wave: string }) => x.wave === 'pre');
    expect(pre).toEqual({ wave: 'pre', opensOn: addDays(w.programmeA.startDate, -14), closesOn: addDays(w.programmeA.startDate, -1) });
    expect(res.body.instruments).toEqual([{ code: 'SCARED', version: 1 }, { code: 'RSES', version: 1 }]);
    const list = await counsellor.get('/api/v1/programme-waves').expect(200);
    expect(list.body.items.map((p: { programmeId: string }) => p.programmeId)).toEqual([w.programmeA.id]);
  });

  it('when a counsellor saves waves with the current version, then only instruments and waves change; a stale version gets 409', async () => {
    const before = await Programme.findById(w.programmeA.id).lean();
    const windows = [{ wave: 'pre', opensOn: addDays(before!.startDate, -21), closesOn: addDays(before!.startDate, 2) }];
    const res = await put(counsellor, `/api/v1/programme-waves/${w.programmeA.id}`, { version: before!.version, instruments: [{ code: 'SASC_CN_10', version: 1 }], waves: windows });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.waves).toEqual(windows);
    const after = await Programme.findById(w.programmeA.id).lean();
    expect(after!.version).toBe(before!.version + 1);
    const strip = (p: typeof before) => {
      const { instruments: _i, waves: _w, version: _v, updatedAt: _u, ...rest } = p!;
      return rest;
    };
    expect(strip(after)).toEqual(strip(before));
    const stale = await put(counsellor, `/api/v1/programme-waves/${w.programmeA.id}`, { version: before!.version, instruments: [], waves: [] });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.version).toBe(before!.version + 1);
  });

  it('when an instrument version does not exist or a window closes before it opens, then 400 and nothing changes', async () => {
    const p = await Programme.findById(w.programmeA.id).lean();
    const unknown = await put(counsellor, `/api/v1/programme-waves/${w.programmeA.id}`, { version: p!.version, instruments: [{ code: 'SCARED', version: 99 }], waves: [] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('unknown_instrument');
    const inverted = await put(counsellor, `/api/v1/programme-waves/${w.programmeA.id}`, {
      version: p!.version,
      instruments: [],
      waves: [{ wave: 'post', opensOn: '2025-06-10', closesOn: '2025-06-01' }],
    });
    expect(inverted.status).toBe(400);
    expect(inverted.body.error.message).toMatch(/close on or after/);
    const twice = await put(counsellor, `/api/v1/programme-waves/${w.programmeA.id}`, {
      version: p!.version,
      instruments: [],
      waves: [{ wave: 'pre', opensOn: '2025-06-01', closesOn: '2025-06-10' }, { wave: 'pre', opensOn: '2025-06-01', closesOn: '2025-06-10' }],
    });
    expect(twice.status).toBe(400);
    expect((await Programme.findById(w.programmeA.id).lean())!.version).toBe(p!.version);
  });
});
