// `npm run demo`: a realistic data set through the real services, and a refusal on real data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assessment } from '../../server/modules/assessments/model.ts';
import { Child } from '../../server/modules/children/model.ts';
import { DoseSummary } from '../../server/modules/dose/model.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { School } from '../../server/modules/schools/model.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { DemoRefusedError, loadDemo, type DemoSummary } from '../../server/demo/load-demo.ts';
import { signedInClient, startTestApp } from '../helpers/app.ts';
import { DEMO_PASSWORD } from '../../server/demo/load-demo.ts';
import { seedBuiltInInstruments } from '../../server/modules/instruments/service.ts';
import mongoose from 'mongoose';
import { addDays } from '../../shared/domain/dates.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let summary: DemoSummary;

beforeAll(async () => {
  harness = await startTestApp();
  await seedBuiltInInstruments();
  summary = await loadDemo({ childrenPerGroup: 8, now: new Date('2026-11-25T10:00:00Z') });
}, 180_000);
afterAll(() => harness.stop());

describe('demo data set', () => {
  it('when loaded, then it has two schools, six groups, an intervention and a control programme, and a programme running now', async () => {
    const schools = await School.find().lean();
    expect(schools.map((s) => s.setting).sort()).toEqual(['rural', 'urban']);
    expect(await Group.countDocuments()).toBe(6);
    const programmes = await Programme.find().lean();
    expect(programmes.map((p) => p.arm).sort()).toEqual(['control', 'intervention', 'intervention']);
    // The winter programme runs on the demo's "today" (2026-11-25), so this week's registers can be opened.
    const running = programmes.filter((p) => p.startDate <= '2026-11-25' && addDays(p.startDate, 7 * p.plannedWeeks - 1) >= '2026-11-25');
    expect(running).toHaveLength(1);
    expect(await Session.countDocuments({ programmeId: running[0]!._id, status: 'scheduled', date: { $gte: '2026-11-25', $lte: '2026-11-29' } })).toBeGreaterThan(0);
    expect(await Child.countDocuments()).toBe(48);
    const statuses = new Set((await Child.find().lean()).map((c) => c.leftBehindStatus));
    expect(statuses.size).toBe(3);
  });

  it('when loaded, then sessions were held and cancelled, registers show drop-out and dose summaries exist', async () => {
    expect(summary.sessionsHeld).toBeGreaterThan(100);
    expect(summary.sessionsCancelled).toBeGreaterThan(0);
    expect(await Session.countDocuments({ status: 'held' })).toBe(summary.sessionsHeld);
    const intervention = await Programme.findOne({ arm: 'intervention' }).sort({ startDate: 1 }).lean();
    const doses = await DoseSummary.find({ programmeId: intervention!._id }).lean();
    expect(doses.length).toBe(32);
    const rates = doses.map((d) => d.attendanceRate ?? 0);
    expect(Math.min(...rates)).toBeLessThan(0.8);
    expect(Math.max(...rates)).toBeGreaterThan(0.8);
  });

  it('when loaded, then consenting children have pre and post questionnaires with stored scores', async () => {
    expect(summary.assessments).toBe(await Assessment.countDocuments());
    expect(await Assessment.countDocuments({ wave: 'pre' })).toBeGreaterThan(0);
    expect(await Assessment.countDocuments({ wave: 'post' })).toBeGreaterThan(0);
    const noConsent = await Child.find({ guardianConsentDate: null }).lean();
    for (const child of noConsent) expect(await Assessment.countDocuments({ childId: child._id })).toBe(0);
  });

  it('when loaded, then every printed demo login signs in', async () => {
    for (const login of summary.logins) {
      expect(login.password).toBe(DEMO_PASSWORD);
      await signedInClient(harness.app, login.username, login.password);
    }
  });

  it('when the database already holds the demo or real accounts, then it refuses', async () => {
    await expect(loadDemo({ childrenPerGroup: 1, force: true })).rejects.toThrow('already loaded');
    // Without the demo's marker, the accounts count as real data: refused unless forced.
    await mongoose.connection.db!.collection('demo_markers').deleteMany({});
    const schoolsBefore = await School.countDocuments();
    await expect(loadDemo({ childrenPerGroup: 1 })).rejects.toThrow(DemoRefusedError);
    await expect(loadDemo({ childrenPerGroup: 1 })).rejects.toThrow(/already holds \d+ user account/);
    expect(await School.countDocuments()).toBe(schoolsBefore);
  });
});
