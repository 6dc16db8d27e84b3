// The counsellor's worklist and the child page: missing due waves, cut-offs, reliable worsening
// (RCI against the programme's pre wave), attendance falling (< 60 % over 3 weeks) or stopped.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../shared/domain/dates.ts';
import { SCARED } from '../../shared/domain/instruments.ts';
import { scoreAssessment } from '../../shared/domain/scoring.ts';
import { reliableChange } from '../../shared/domain/statistics/reliability.ts';
import { cronbachAlpha } from '../../shared/domain/statistics/reliability.ts';
import { sd } from '../../shared/domain/statistics/basic.ts';
import { DoseSummary } from '../../server/modules/dose/model.ts';
import { attendanceSignal } from '../../server/modules/worklist/service.ts';
import { signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';
import { makeChild, makeProgramme, newKey, seedAssessmentWorld, type AssessmentWorld } from './assessments-world.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let w: AssessmentWorld;
let counsellor: TestClient;
let programme: Awaited<ReturnType<typeof makeProgramme>>;
const kids: Record<string, string> = {};
/** Pre-wave answer patterns: distinct totals so the pre-wave SD and α are defined. */
const prePatterns: Record<string, number[]> = {
  calm: [0, 0, 1],
  mild: [0, 1, 1],
  mid: [1, 1, 0],
  worse: [0, 0, 0, 1],
  high: [1, 2, 1],
  steady: [1, 0, 1, 1],
};
const answers = (pattern: number[]) => Array.from({ length: 41 }, (_, i) => pattern[(i + Math.floor(i / 7)) % pattern.length] as number);

beforeAll(async () => {
  harness = await startTestApp();
  w = await seedAssessmentWorld();
  counsellor = await signedInClient(harness.app, 'counsellor');
  for (const name of [...Object.keys(prePatterns), 'absent']) kids[name] = await makeChild(w.schoolA.id, `Kid ${name}`);
  programme = await makeProgramme(w.schoolA.id, 'Worklist programme', Object.values(kids));
  const save = (child: string, wave: string, date: string, a: number[]) =>
    counsellor
      .post('/api/v1/assessments', { childId: child, programmeId: programme.id, instrumentCode: 'SCARED', wave, date, answers: a })
      .set('Idempotency-Key', newKey())
      .expect(201);
  for (const [name, pattern] of Object.entries(prePatterns)) await save(kids[name]!, 'pre', programme.preDate, answers(pattern));
  // "worse" ends up near the top of the scale in the post wave.
  await save(kids.worse!, 'post', programme.today, answers([2, 2, 1]));
  // Attendance: "mild" came to 1 of 6 sessions in the last three weeks, "mid" to none.
  const weekly = (attended: number[]) => attended.map((a, i) => ({ week: i + 1, scheduled: 2, logged: 2, notLogged: 0, attended: a, aerobicMinutes: a * 25, qualifying: a }));
  for (const [name, attended] of [
    ['mild', [2, 2, 2, 2, 2, 2, 1, 1, 0, 0]],
    ['mid', [2, 2, 2, 2, 2, 2, 2, 0, 0, 0]],
    ['calm', [2, 2, 2, 2, 2, 2, 2, 2, 2, 1]],
  ] as const) {
    // Written raw: the dose capability owns the model (and its extra bookkeeping fields); the
    // worklist reads only `weekly` and `lastAttendedOn`.
    await DoseSummary.collection.insertOne({
      _id: `${programme.id}:${kids[name]}` as never,
      programmeId: new mongoose.Types.ObjectId(programme.id),
      childId: new mongoose.Types.ObjectId(kids[name]),
      schoolId: new mongoose.Types.ObjectId(w.schoolA.id),
      asOf: programme.today,
      sessionsScheduled: 20,
      sessionsAttended: attended.reduce((s: number, x: number) => s + x, 0),
      attendanceRate: attended.reduce((s: number, x: number) => s + x, 0) / 20,
      aerobicMinutes: 0,
      qualifyingSessions: 0,
      qualifyingWeeks: 0,
      weekly: weekly([...attended]),
      computedAt: new Date(),
    });
  }
});
afterAll(() => harness.stop());

const itemsFor = (items: { childId: string; kind: string }[], name: string) => items.filter((i) => i.childId === kids[name]).map((i) => i.kind);

describe('worklist', () => {
  it('when the pre wave closed without a questionnaire, then the child is listed as missing it with a link to entry', async () => {
    const res = await counsellor.get('/api/v1/worklist').expect(200);
    const missing = res.body.items.filter((i: { childId: string; kind: string; params: { wave: string } }) => i.childId === kids.absent && i.kind === 'missing_wave' && i.params.wave === 'pre');
    expect(missing).toHaveLength(2); // SCARED and RSES
    expect(missing[0].params.overdue).toBe(true);
    expect(missing[0].link).toMatch(new RegExp(`^/assessments/enter\\?programmeId=${programme.id}&wave=pre&instrument=(SCARED|RSES)&childId=${kids.absent}$`));
    expect(missing[0].reason).toMatch(/not entered/);
  });

  it('when the latest score is at or above a cut-off, then the child is listed with the scope and cut-off', async () => {
    const res = await counsellor.get('/api/v1/worklist').expect(200);
    const worse = res.body.items.filter((i: { childId: string; kind: string }) => i.childId === kids.worse && i.kind === 'above_cutoff');
    const total = worse.find((i: { params: { scope: string } }) => i.params.scope === 'total');
    expect(total.params).toMatchObject({ instrument: 'SCARED', wave: 'post', cutoff: 25 });
    expect(total.link).toBe(`/child-profile/${kids.worse}`);
    // "high" is at/above the PANIC cut-off 7 in the pre wave (its latest).
    const highScore = scoreAssessment(SCARED, answers(prePatterns.high!));
    const highFlags = highScore.flags.filter((f) => f.code === 'cutoff').map((f) => f.scope).sort();
    const listed = res.body.items.filter((i: { childId: string; kind: string }) => i.childId === kids.high && i.kind === 'above_cutoff').map((i: { params: { scope: string } }) => i.params.scope).sort();
    expect(listed).toEqual(highFlags);
    expect(listed.length).toBeGreaterThan(0);
  });

  it('when a child worsens beyond the reliable change index, then reliable worsening is listed with the RCI computed as the shared function does', async () => {
    const res = await counsellor.get('/api/v1/worklist').expect(200);
    const item = res.body.items.find((i: { childId: string; kind: string }) => i.childId === kids.worse && i.kind === 'reliable_worsening');
    expect(item).toBeDefined();
    const preTotals = Object.values(prePatterns).map((p) => scoreAssessment(SCARED, answers(p)).total as number);
    const alpha = cronbachAlpha(Object.values(prePatterns).map((p) => answers(p))).alpha as number;
    const expected = reliableChange({
      pre: scoreAssessment(SCARED, answers(prePatterns.worse!)).total as number,
      post: scoreAssessment(SCARED, answers([2, 2, 1])).total as number,
      sdPre: sd(preTotals),
      reliability: alpha,
      polarity: 'higher-is-worse',
    });
    expect(expected.classification).toBe('worsened');
    expect(item.params.rci).toBeCloseTo(expected.rci as number, 2);
    expect(itemsFor(res.body.items, 'steady')).not.toContain('reliable_worsening');
  });

  it('when attendance over the last 3 weeks is below 60 % or nil, then falling or stopped is listed', async () => {
    const res = await counsellor.get('/api/v1/worklist').expect(200);
    expect(itemsFor(res.body.items, 'mild')).toContain('attendance_falling');
    expect(itemsFor(res.body.items, 'mid')).toContain('attendance_stopped');
    expect(itemsFor(res.body.items, 'calm')).not.toContain('attendance_falling');
    const falling = res.body.items.find((i: { childId: string; kind: string }) => i.childId === kids.mild && i.kind === 'attendance_falling');
    expect(falling.params).toMatchObject({ attended: 1, scheduled: 6, percent: 17 });
  });

  it('when attendance is exactly 60 % or weeks without sessions sit between, then the rule looks at the last 3 weeks that had sessions', () => {
    const wk = (week: number, scheduled: number, attended: number) => ({ week, scheduled, attended, aerobicMinutes: 0, qualifying: 0 });
    expect(attendanceSignal([wk(1, 5, 3), wk(2, 5, 3), wk(3, 5, 3)])).toBeNull(); // 60 % is not below 60 %
    expect(attendanceSignal([wk(1, 2, 1), wk(2, 0, 0), wk(3, 2, 0), wk(4, 2, 0)])?.kind).toBe('attendance_falling');
    expect(attendanceSignal([wk(1, 2, 0), wk(2, 2, 0)])).toBeNull(); // fewer than 3 weeks with sessions
  });

  it('when another school is asked for, then 403; the counsellor of school B sees none of school A’s children', async () => {
    await counsellor.get(`/api/v1/worklist?schoolId=${w.schoolB.id}`).expect(403);
    const b = await signedInClient(harness.app, 'counsellor-b');
    const res = await b.get('/api/v1/worklist').expect(200);
    expect(res.body.items.filter((i: { schoolId: string }) => i.schoolId !== w.schoolB.id)).toEqual([]);
  });
});

describe('child page', () => {
  it('when a counsellor opens a child page, then scores across waves with the cut-off and weekly attendance are returned', async () => {
    const res = await counsellor.get(`/api/v1/worklist/children/${kids.worse}`).expect(200);
    expect(res.body.child.displayName).toBe('Kid worse');
    const p = res.body.programmes.find((x: { programmeId: string }) => x.programmeId === programme.id);
    const scared = p.series.find((s: { instrumentCode: string }) => s.instrumentCode === 'SCARED');
    expect(scared.points.map((pt: { wave: string }) => pt.wave)).toEqual(['pre', 'post']);
    expect(scared.points[0].week).toBe(0); // 7 days before the start: programme week 0
    expect(scared.cutoffs[0].value).toBe(25);
    expect(scared.changes[0].classification).toBe('worsened');
    const mid = await counsellor.get(`/api/v1/worklist/children/${kids.mid}`).expect(200);
    const weekly = mid.body.programmes[0].weekly;
    expect(weekly).toHaveLength(10);
    expect(weekly[9]).toMatchObject({ week: 10, scheduled: 2, attended: 0, weekStart: addDays(programme.startDate, 63) });
  });
});
