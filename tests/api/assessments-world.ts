// A small world for the counsellors' flow tests (issue 6): the foundation accounts plus a
// counsellor of school B, the built-in instruments, children with and without guardian consent,
// one programme per school with SCARED + RSES and wave windows around today's date.
import mongoose from 'mongoose';
import { addDays, schoolToday } from '../../shared/domain/dates.ts';
import { suggestWaveWindows } from '../../shared/schemas/assessments-api.ts';
import { Child } from '../../server/modules/children/model.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { seedBuiltInInstruments } from '../../server/modules/instruments/service.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { createUser } from '../../server/modules/users/service.ts';
import { PASSWORD } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

let childSeq = 0;

export async function makeChild(schoolId: string, displayName: string, consent: string | null = '2025-01-10') {
  childSeq += 1;
  const child = await Child.create({
    schoolId,
    code: `T${String(childSeq).padStart(3, '0')}-${new mongoose.Types.ObjectId().toString().slice(-6)}`,
    displayName,
    sex: childSeq % 2 ? 'female' : 'male',
    birthYear: 2015,
    birthMonth: 5,
    grade: 4,
    leftBehindStatus: 'both_parents_away',
    caregiver: 'grandparents',
    guardianConsentDate: consent,
  });
  return String(child._id);
}

/** Programme of 10 weeks whose last week is the current one: pre window closed, post window open. */
export async function makeProgramme(schoolId: string, name: string, childIds: string[], arm: 'intervention' | 'control' = 'intervention') {
  const today = schoolToday(new Date());
  const startDate = addDays(today, -63);
  const group = await Group.create({ schoolId, name: `${name} group`, activityCode: 'rope_skipping', members: childIds.map((childId) => ({ childId, joinedOn: startDate })) });
  const programme = await Programme.create({
    name,
    schoolIds: [schoolId],
    groupIds: [group._id],
    arm,
    startDate,
    plannedWeeks: 10,
    instruments: [
      { code: 'SCARED', version: 1 },
      { code: 'RSES', version: 1 },
    ],
    waves: suggestWaveWindows(startDate, 10),
  });
  return { id: String(programme._id), startDate, today, preDate: addDays(startDate, -7) };
}

export async function seedAssessmentWorld() {
  const base = await seedAccounts();
  const adminActor = { id: base.users.admin.id, username: 'admin', role: 'admin' as const, schoolIds: [] };
  const counsellorB = await createUser(
    { username: 'counsellor-b', displayName: 'Counsellor B', password: PASSWORD, role: 'counsellor', schoolIds: [base.schoolB.id] },
    adminActor,
  );
  const counsellor2 = await createUser(
    { username: 'counsellor2', displayName: 'Second counsellor A', password: PASSWORD, role: 'counsellor', schoolIds: [base.schoolA.id] },
    adminActor,
  );
  await seedBuiltInInstruments();
  const childA = await makeChild(base.schoolA.id, '李小明');
  const childNoConsent = await makeChild(base.schoolA.id, '王芳', null);
  const childB = await makeChild(base.schoolB.id, '张伟');
  const programmeA = await makeProgramme(base.schoolA.id, 'Rope skipping A', [childA, childNoConsent]);
  const programmeB = await makeProgramme(base.schoolB.id, 'Football B', [childB]);
  return { ...base, counsellorB, counsellor2, childA, childNoConsent, childB, programmeA, programmeB, adminActor };
}

export type AssessmentWorld = Awaited<ReturnType<typeof seedAssessmentWorld>>;

/** 41 SCARED answers from a repeating pattern (total 41 for the default pattern 0,1,2). */
export function scaredAnswers(pattern: readonly number[] = [0, 1, 2]): number[] {
  return Array.from({ length: 41 }, (_, i) => pattern[i % pattern.length] as number);
}

let keySeq = 0;
export const newKey = () => `test-key-${Date.now()}-${++keySeq}`;
