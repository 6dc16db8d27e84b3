// Questionnaire entry: consent, wave windows, scoring with the shared function (stored score =
// the score the UI computes), idempotent retries, version rules, second entry, audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RSES, SCARED } from '../../shared/domain/instruments.ts';
import { scoreAssessment } from '../../shared/domain/scoring.ts';
import { addDays } from '../../shared/domain/dates.ts';
import { Assessment } from '../../server/modules/assessments/model.ts';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { Instrument } from '../../server/modules/instruments/model.ts';
import { databaseSnapshot, signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';
import { makeChild, newKey, scaredAnswers, seedAssessmentWorld, type AssessmentWorld } from './assessments-world.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let w: AssessmentWorld;
let counsellor: TestClient;
let counsellor2: TestClient;
let admin: TestClient;

beforeAll(async () => {
  harness = await startTestApp();
  w = await seedAssessmentWorld();
  counsellor = await signedInClient(harness.app, 'counsellor');
  counsellor2 = await signedInClient(harness.app, 'counsellor2');
  admin = await signedInClient(harness.app, 'admin');
});
afterAll(() => harness.stop());

const body = (over: Record<string, unknown> = {}) => ({
  childId: w.childA,
  programmeId: w.programmeA.id,
  instrumentCode: 'SCARED',
  wave: 'pre',
  date: w.programmeA.preDate,
  answers: scaredAnswers(),
  missing: [],
  ...over,
});

async function save(client: TestClient, b: Record<string, unknown>, key = newKey()) {
  return client.post('/api/v1/assessments', b).set('Idempotency-Key', key);
}

describe('saving a questionnaire', () => {
  it('when a counsellor saves a full SCARED form, then the stored score equals the shared scoring of the same answers and the save is audited', async () => {
    const child = await makeChild(w.schoolA.id, 'Child for scoring');
    const answers = scaredAnswers([2, 1, 0, 2]);
    const res = await save(counsellor, body({ childId: child, answers }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const expected = JSON.parse(JSON.stringify(scoreAssessment(SCARED, answers)));
    expect(res.body.score).toEqual(expected);
    expect(res.body.instrumentVersion).toBe(1);
    const stored = await Assessment.findById(res.body.id).lean();
    expect(stored!.score).toEqual(expected);
    expect(stored!.score.total).toBe(answers.reduce((a, b) => a + b, 0));
    const audit = await AuditEvent.findOne({ entity: 'assessment', entityId: res.body.id, action: 'create' }).lean();
    expect(audit).not.toBeNull();
    expect((audit!.after as { answers: number[] }).answers).toEqual(answers);
  });

  it('when the same save is retried with the same Idempotency-Key, then the first answer is returned and nothing is stored twice', async () => {
    const child = await makeChild(w.schoolA.id, 'Retry child');
    const key = newKey();
    const first = await save(counsellor, body({ childId: child }), key);
    expect(first.status).toBe(201);
    const again = await save(counsellor, body({ childId: child }), key);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(await Assessment.countDocuments({ childId: child })).toBe(1);
    const reused = await save(counsellor, body({ childId: child, answers: scaredAnswers([1]) }), key);
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });

  it('when the Idempotency-Key header is missing, then 400 and nothing is stored', async () => {
    const before = await databaseSnapshot();
    const res = await counsellor.post('/api/v1/assessments', body());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('idempotency_key_required');
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when the child has no recorded guardian consent, then 422 says why and where, and nothing is stored', async () => {
    const before = await databaseSnapshot();
    const res = await save(counsellor, body({ childId: w.childNoConsent }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('guardian_consent_required');
    expect(res.body.error.message).toMatch(/guardian's consent/);
    expect(res.body.error.details.childId).toBe(w.childNoConsent);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when the consent was recorded after the questionnaire date, then 422 consent_after_assessment', async () => {
    const child = await makeChild(w.schoolA.id, 'Late consent', addDays(w.programmeA.preDate, 1));
    const res = await save(counsellor, body({ childId: child }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('consent_after_assessment');
  });

  it('when the date is outside the wave window, then 409 outside_wave_window until the counsellor confirms', async () => {
    const child = await makeChild(w.schoolA.id, 'Outside window');
    const late = addDays(w.programmeA.startDate, 3);
    const res = await save(counsellor, body({ childId: child, date: late }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('outside_wave_window');
    expect(res.body.error.details.window.wave).toBe('pre');
    const confirmed = await save(counsellor, body({ childId: child, date: late, confirmOutsideWindow: true }));
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.outsideWindowConfirmed).toBe(true);
  });

  it('when the date is in the future, then 422 date_in_future', async () => {
    const res = await save(counsellor, body({ wave: 'followup', date: addDays(w.programmeA.today, 200), confirmOutsideWindow: true }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('date_in_future');
  });

  it('when an answer is out of range, the count is wrong, or a missing item has no reason, then 422 names the item and nothing is stored', async () => {
    const before = await databaseSnapshot();
    const bad = scaredAnswers();
    bad[6] = 3;
    const outOfRange = await save(counsellor, body({ answers: bad }));
    expect(outOfRange.status).toBe(422);
    expect(outOfRange.body.error.code).toBe('invalid_answers');
    expect(outOfRange.body.error.details[0].item).toBe(7);
    expect(outOfRange.body.error.message).toMatch(/item 7/);
    const short = await save(counsellor, body({ answers: scaredAnswers().slice(0, 40) }));
    expect(short.status).toBe(422);
    expect(short.body.error.message).toMatch(/41 items but 40/);
    const gap = scaredAnswers() as (number | null)[];
    gap[3] = null;
    const noReason = await save(counsellor, body({ answers: gap }));
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.code).toBe('missing_reason_required');
    const answeredButMissing = await save(counsellor, body({ missing: [{ item: 2, reason: 'skipped' }] }));
    expect(answeredButMissing.status).toBe(422);
    expect(answeredButMissing.body.error.code).toBe('invalid_missing');
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when up to 4 SCARED items are missing with reasons, then the total is prorated and flagged; with 5 missing, no total and the reason', async () => {
    const c1 = await makeChild(w.schoolA.id, 'Prorated');
    const four = scaredAnswers([1]) as (number | null)[];
    for (const i of [0, 1, 2, 3]) four[i] = null;
    const res = await save(counsellor, body({ childId: c1, answers: four, missing: [1, 2, 3, 4].map((item) => ({ item, reason: 'skipped' })) }));
    expect(res.status).toBe(201);
    expect(res.body.score.prorated).toBe(true);
    expect(res.body.score.total).toBeCloseTo((37 / 37) * 41, 10);
    expect(res.body.score.flags.some((f: { code: string }) => f.code === 'prorated')).toBe(true);
    const c2 = await makeChild(w.schoolA.id, 'Too many missing');
    const five = scaredAnswers([1]) as (number | null)[];
    for (const i of [0, 1, 2, 3, 4]) five[i] = null;
    const res2 = await save(counsellor, body({ childId: c2, answers: five, missing: [1, 2, 3, 4, 5].map((item) => ({ item, reason: 'refused' })) }));
    expect(res2.status).toBe(201);
    expect(res2.body.score.total).toBeNull();
    expect(res2.body.score.notScoredReason).toMatch(/5 items missing/);
  });

  it('when the child already has that questionnaire for the wave, then 409 assessment_exists with its id', async () => {
    const child = await makeChild(w.schoolA.id, 'Duplicate');
    const first = await save(counsellor, body({ childId: child }));
    const second = await save(counsellor, body({ childId: child }));
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('assessment_exists');
    expect(second.body.error.details.id).toBe(first.body.id);
  });

  it('when the instrument is not used by the programme or the wave has no window, then 422 says what to set up', async () => {
    const notUsed = await save(counsellor, body({ instrumentCode: 'SASC_CN_10', answers: Array(10).fill(1) }));
    expect(notUsed.status).toBe(422);
    expect(notUsed.body.error.code).toBe('instrument_not_in_programme');
  });
});

describe('correcting a questionnaire', () => {
  it('when a counsellor corrects answers with the current version, then the score is recomputed and the edit audited; a stale version gets 409 with the current state', async () => {
    const child = await makeChild(w.schoolA.id, 'Correction');
    const created = (await save(counsellor, body({ childId: child }))).body;
    const answers = scaredAnswers([2]);
    const ok = await counsellor.patch(`/api/v1/assessments/${created.id}`, { version: created.version, answers });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.score.total).toBe(82);
    expect(ok.body.score.flags.some((f: { code: string; scope: string }) => f.code === 'cutoff' && f.scope === 'total')).toBe(true);
    const stale = await counsellor.patch(`/api/v1/assessments/${created.id}`, { version: created.version, answers: scaredAnswers([0]) });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(stale.body.error.details.current.score.total).toBe(82);
    const audits = await AuditEvent.find({ entity: 'assessment', entityId: created.id }).lean();
    expect(audits.map((a) => a.action).sort()).toEqual(['create', 'update']);
  });

  it('when the instrument is edited after answers exist, then a new version is made and old answers are re-scored with their own version', async () => {
    const child = await makeChild(w.schoolA.id, 'Version keeper');
    const created = (await save(counsellor, body({ childId: child, instrumentCode: 'RSES', answers: Array(10).fill(3) }))).body;
    expect(created.score.total).toBe(25); // 5 × 3 + 5 reverse-keyed (1 + 4 − 3 = 2) × 2
    const latest = await Instrument.findOne({ code: 'RSES' }).sort({ version: -1 }).lean();
    // The edit drops the reverse keys: scoring changes, so it must not touch version 1.
    const edit = await admin.patch('/api/v1/instruments/RSES', {
      basedOnVersion: latest!.version,
      revision: latest!.revision,
      definition: { ...RSES, reverseItems: [] },
    });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    expect(edit.body.createdNewVersion).toBe(true);
    expect(edit.body.version).toBe(latest!.version + 1);
    const fix = await counsellor.patch(`/api/v1/assessments/${created.id}`, { version: created.version, answers: Array(10).fill(4) });
    expect(fix.status).toBe(200);
    expect(fix.body.instrumentVersion).toBe(1);
    expect(fix.body.score.total).toBe(scoreAssessment(RSES, Array(10).fill(4)).total);
    expect(fix.body.score.total).toBe(25);
  });

  it('when a second person re-enters the form, then differences are listed and disappear once corrected; the first person cannot be the second', async () => {
    const child = await makeChild(w.schoolA.id, 'Double entry');
    const created = (await save(counsellor, body({ childId: child }))).body;
    const same = await counsellor.post(`/api/v1/assessments/${created.id}/second-entry`, { answers: scaredAnswers() });
    expect(same.status).toBe(422);
    expect(same.body.error.code).toBe('second_entry_same_person');
    const typo = scaredAnswers();
    typo[9] = typo[9] === 2 ? 0 : 2;
    const second = await counsellor2.post(`/api/v1/assessments/${created.id}/second-entry`, { answers: typo });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.verified).toBe(false);
    expect(second.body.secondEntry.differences).toEqual([{ item: 10, first: scaredAnswers()[9], second: typo[9] }]);
    const resolved = await counsellor.patch(`/api/v1/assessments/${created.id}`, { version: second.body.version, answers: typo });
    expect(resolved.body.verified).toBe(true);
    expect(resolved.body.secondEntry.differences).toEqual([]);
  });

  it('when an assessment is deleted, then it is gone and the deletion is audited', async () => {
    const child = await makeChild(w.schoolA.id, 'Deleted');
    const created = (await save(counsellor, body({ childId: child }))).body;
    await counsellor.delete(`/api/v1/assessments/${created.id}?version=${created.version}`).expect(204);
    expect(await Assessment.findById(created.id)).toBeNull();
    expect(await AuditEvent.countDocuments({ entity: 'assessment', entityId: created.id, action: 'delete' })).toBe(1);
  });
});

describe('entry sheet and lists', () => {
  it('when a counsellor opens the entry sheet, then it lists the programme children with consent and what is entered', async () => {
    const res = await counsellor.get(`/api/v1/assessments/entry-sheet?programmeId=${w.programmeA.id}&wave=pre&instrumentCode=SCARED`).expect(200);
    expect(res.body.instrument.definition.items).toHaveLength(41);
    expect(res.body.window.wave).toBe('pre');
    const names = res.body.children.map((c: { displayName: string }) => c.displayName);
    expect(names).toEqual(expect.arrayContaining(['李小明', '王芳']));
    const noConsent = res.body.children.find((c: { id: string }) => c.id === w.childNoConsent);
    expect(noConsent.guardianConsentDate).toBeNull();
  });
});
