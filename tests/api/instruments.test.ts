// Instrument library: idempotent seeding of the built-ins, admin-added definitions validated by the
// shared schema, and the version rule (edits of a version with answers become a new version).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCARED } from '../../shared/domain/instruments.ts';
import type { InstrumentDefinitionInput } from '../../shared/schemas/instrument.ts';
import { Instrument } from '../../server/modules/instruments/model.ts';
import { seedBuiltInInstruments } from '../../server/modules/instruments/service.ts';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { databaseSnapshot, signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';
import { newKey, scaredAnswers, seedAssessmentWorld, type AssessmentWorld } from './assessments-world.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let w: AssessmentWorld;
let admin: TestClient;
let counsellor: TestClient;

beforeAll(async () => {
  harness = await startTestApp();
  w = await seedAssessmentWorld();
  admin = await signedInClient(harness.app, 'admin');
  counsellor = await signedInClient(harness.app, 'counsellor');
});
afterAll(() => harness.stop());

/** A licensed scale added without its item text (numbers only). */
export const cdRisc10 = (): InstrumentDefinitionInput => ({
  code: 'CD_RISC_10',
  version: '10-item',
  name: { en: 'Connor-Davidson Resilience Scale (10 items)', zh: '心理韧性量表 (10 项)' },
  languages: ['zh-CN'],
  items: Array.from({ length: 10 }, (_, i) => ({ number: i + 1 })),
  response: { min: 0, max: 4 },
  reverseItems: [],
  subscales: [],
  scoring: 'sum',
  polarity: 'higher-is-better',
  cutoffs: [],
  reliability: { alpha: 0.85, sourceText: 'Campbell-Sills & Stein 2007 (test value)' },
  maxMissingItems: 1,
  licenceNote: 'Licensed; item text not stored.',
  domain: 'social-adaptation',
});

describe('instrument library', () => {
  it('when the seeding runs again, then the built-ins stay one version each', async () => {
    expect(await seedBuiltInInstruments()).toBe(0);
    const codes = (await Instrument.find({ builtIn: true }).lean()).map((d) => `${d.code}:${d.version}`).sort();
    expect(codes).toEqual(['RSES:1', 'SASC_CN_10:1', 'SCARED:1']);
  });

  it('when a counsellor lists instruments, then the built-ins are there with their full definition', async () => {
    const res = await counsellor.get('/api/v1/instruments').expect(200);
    const scared = res.body.items.find((i: { code: string }) => i.code === 'SCARED');
    expect(scared.definition.items).toHaveLength(41);
    expect(scared.definition.subscales.map((s: { code: string }) => s.code)).toEqual(['PANIC', 'GAD', 'SEPARATION', 'SOCIAL', 'SCHOOL']);
    const one = await counsellor.get('/api/v1/instruments/SCARED/versions/1').expect(200);
    expect(one.body.definition).toEqual(JSON.parse(JSON.stringify(SCARED)));
    await counsellor.get('/api/v1/instruments/NOPE').expect(404);
  });

  it('when an admin imports a definition without item text, then it is stored as version 1 and audited; the same code again is refused', async () => {
    const res = await admin.post('/api/v1/instruments', { definition: cdRisc10() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.version).toBe(1);
    expect(res.body.definition.items[0]).toEqual({ number: 1 });
    expect(await AuditEvent.countDocuments({ entity: 'instrument', action: 'create', entityId: res.body.id })).toBe(1);
    const again = await admin.post('/api/v1/instruments', { definition: { ...cdRisc10(), code: 'cd_risc_10' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('instrument_code_taken');
  });

  it('when a definition breaks the shared rules, then 400 names the field and nothing is stored', async () => {
    const before = await databaseSnapshot();
    const cases: [InstrumentDefinitionInput, RegExp][] = [
      [{ ...cdRisc10(), code: 'BAD1', maxMissingItems: 10 }, /maxMissingItems/],
      [{ ...cdRisc10(), code: 'BAD2', reverseItems: [11] }, /reverseItems/],
      [{ ...cdRisc10(), code: 'BAD3', response: { min: 4, max: 0 } }, /response/],
      [{ ...cdRisc10(), code: 'BAD4', items: [{ number: 1 }, { number: 3 }] }, /items/],
    ];
    for (const [definition, pattern] of cases) {
      const res = await admin.post('/api/v1/instruments', { definition });
      expect(res.status, definition.code).toBe(400);
      expect(res.body.error.message).toMatch(pattern);
    }
    const dotted = await admin.post('/api/v1/instruments', { definition: { ...cdRisc10(), code: 'BAD5', name: { en: 'x', zh: 'y', 'a.b': 'z' } } });
    expect(dotted.status).toBe(400);
    expect(dotted.body.error.message).toMatch(/a\.b/);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when a version without answers is edited, then it changes in place under its revision; a stale revision gets 409', async () => {
    const def = { ...cdRisc10(), code: 'EDIT_ME' };
    await admin.post('/api/v1/instruments', { definition: def }).expect(201);
    const res = await admin.patch('/api/v1/instruments/EDIT_ME', { basedOnVersion: 1, revision: 0, definition: { ...def, licenceNote: 'Changed' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ version: 1, revision: 1, createdNewVersion: false });
    const stale = await admin.patch('/api/v1/instruments/EDIT_ME', { basedOnVersion: 1, revision: 0, definition: def });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current.revision).toBe(1);
    const renamed = await admin.patch('/api/v1/instruments/EDIT_ME', { basedOnVersion: 1, revision: 1, definition: { ...def, code: 'OTHER' } });
    expect(renamed.status).toBe(400);
    expect(renamed.body.error.code).toBe('instrument_code_mismatch');
  });

  it('when a version with answers is edited, then version 2 is created and the stored answers keep version 1', async () => {
    const save = await counsellor
      .post('/api/v1/assessments', { childId: w.childA, programmeId: w.programmeA.id, instrumentCode: 'SCARED', wave: 'pre', date: w.programmeA.preDate, answers: scaredAnswers() })
      .set('Idempotency-Key', newKey());
    expect(save.status, JSON.stringify(save.body)).toBe(201);
    const edit = await admin.patch('/api/v1/instruments/SCARED', {
      basedOnVersion: 1,
      revision: 0,
      definition: { ...SCARED, cutoffs: [{ ...SCARED.cutoffs[0]!, value: 30 }] },
    });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    expect(edit.body).toMatchObject({ version: 2, createdNewVersion: true });
    const v1 = await counsellor.get('/api/v1/instruments/SCARED/versions/1').expect(200);
    expect(v1.body.definition.cutoffs[0].value).toBe(25);
    expect(v1.body.answerCount).toBe(1);
    const latest = await counsellor.get('/api/v1/instruments/SCARED').expect(200);
    expect(latest.body.version).toBe(2);
    expect(latest.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const all = await counsellor.get('/api/v1/instruments?allVersions=true').expect(200);
    expect(all.body.items.filter((i: { code: string }) => i.code === 'SCARED')).toHaveLength(2);
    // An edit based on the old version now conflicts.
    const stale = await admin.patch('/api/v1/instruments/SCARED', { basedOnVersion: 1, revision: 0, definition: SCARED });
    expect(stale.status).toBe(409);
  });
});
