// A programme world for the register and delivery tests, written straight through the models (the
// roster, group and schedule services are other capabilities): school A has a group of 30 and
// school B a group of 5, both in one programme that started four weeks ago, with Monday /
// Wednesday / Friday sessions still 'scheduled' (not logged yet).
import mongoose from 'mongoose';
import { addDays, isoWeekday, schoolToday } from '../../shared/domain/dates.ts';
import { Child } from '../../server/modules/children/model.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { Session } from '../../server/modules/sessions/model.ts';

let codeSeq = 0;

export async function createChildren(schoolId: string, n: number, prefix: string) {
  const docs = Array.from({ length: n }, (_, i) => ({
    schoolId,
    code: `${prefix}-${String(++codeSeq).padStart(4, '0')}`,
    displayName: `${prefix} 孩子 ${i + 1}`,
    sex: i % 2 === 0 ? 'female' : 'male',
    birthYear: 2014 + (i % 3),
    birthMonth: 1 + (i % 12),
    grade: 4,
    leftBehindStatus: i % 3 === 0 ? 'both_parents_away' : 'one_parent_away',
    caregiver: 'grandparents',
  }));
  const created = await Child.insertMany(docs);
  return created.map((c) => String(c._id));
}

export interface ProgrammeWorld {
  programmeId: string;
  groupA: string;
  groupB: string;
  childrenA: string[];
  childrenB: string[];
  /** Joined the group two weeks after the start; left: the last day of week 2. */
  lateJoiner: string;
  leaver: string;
  outsider: string;
  startDate: string;
  today: string;
  sessionsA: string[];
  sessionsB: string[];
  futureA: string;
}

export async function createProgrammeWorld(schoolA: string, schoolB: string, weeksAgo = 4): Promise<ProgrammeWorld> {
  const today = schoolToday(new Date());
  // Start on the Monday `weeksAgo` weeks back, so weeks line up with the weekdays.
  const startDate = addDays(today, -7 * weeksAgo - (isoWeekday(today) - 1));
  const childrenA = await createChildren(schoolA, 30, 'A');
  const [lateJoiner, leaver, outsider] = await createChildren(schoolA, 3, 'A');
  const childrenB = await createChildren(schoolB, 5, 'B');
  const groupA = await Group.create({
    schoolId: schoolA,
    name: 'Skipping club',
    activityCode: 'rope-skipping',
    members: [
      ...childrenA.map((childId) => ({ childId, joinedOn: startDate })),
      { childId: lateJoiner, joinedOn: addDays(startDate, 14) },
      { childId: leaver, joinedOn: startDate, leftOn: addDays(startDate, 13) },
    ],
  });
  const groupB = await Group.create({ schoolId: schoolB, name: 'Football B', activityCode: 'football', members: childrenB.map((childId) => ({ childId, joinedOn: startDate })) });
  const programme = await Programme.create({
    name: 'Spring running',
    schoolIds: [schoolA, schoolB],
    groupIds: [groupA._id, groupB._id],
    arm: 'intervention',
    startDate,
    plannedWeeks: 12,
    weeklyPattern: [1, 3, 5].map((weekday) => ({ weekday, startTime: '16:00', minutes: 40 })),
    activityBlocks: [
      { activityCode: 'warm-up', minutes: 5, targetIntensity: 'light' },
      { activityCode: 'rope-skipping', minutes: 30, targetIntensity: 'moderate' },
    ],
  });
  const sessionDocs = (groupId: mongoose.Types.ObjectId, schoolId: string) => {
    const out = [];
    for (let w = 0; w <= weeksAgo; w++) {
      for (const offset of [0, 2, 4]) {
        out.push({ programmeId: programme._id, groupId, schoolId, date: addDays(startDate, 7 * w + offset), startTime: '16:00', plannedMinutes: 40 });
      }
    }
    return out;
  };
  const a = await Session.insertMany(sessionDocs(groupA._id, schoolA));
  const b = await Session.insertMany(sessionDocs(groupB._id, schoolB));
  const pastA = a.filter((s) => s.date < today);
  const futureA = a.find((s) => s.date > today) ?? (await Session.create({ programmeId: programme._id, groupId: groupA._id, schoolId: schoolA, date: addDays(today, 2), startTime: '16:00', plannedMinutes: 40 }));
  return {
    programmeId: String(programme._id),
    groupA: String(groupA._id),
    groupB: String(groupB._id),
    childrenA,
    childrenB,
    lateJoiner: lateJoiner as string,
    leaver: leaver as string,
    outsider: outsider as string,
    startDate,
    today,
    sessionsA: pastA.map((s) => String(s._id)),
    sessionsB: b.filter((s) => s.date < today).map((s) => String(s._id)),
    futureA: String(futureA._id),
  };
}

/** A valid save body for a session: everyone who is a member that day present except a few. */
export function registerBody(version: number, childIds: readonly string[], overrides: Partial<{ absent: string[]; late: Record<string, number>; rpe: number }> = {}) {
  return {
    version,
    actualStart: '16:05',
    activityBlocks: [
      { activityCode: 'warm-up', minutes: 5 },
      { activityCode: 'rope-skipping', minutes: 30, rpe: overrides.rpe ?? 6, avgHeartRate: 150 },
    ],
    notes: 'Windy but fine',
    register: childIds.map((childId) =>
      overrides.absent?.includes(childId)
        ? { childId, status: 'absent' as const }
        : overrides.late?.[childId] !== undefined
          ? { childId, status: 'late' as const, minutes: overrides.late[childId] }
          : { childId, status: 'present' as const },
    ),
  };
}

let keySeq = 0;
export const newKey = () => `test-key-${Date.now().toString(36)}-${++keySeq}`;
