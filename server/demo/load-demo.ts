// The demo data set (`npm run demo`): two schools (one rural, one urban), accounts for every
// role, ~150 children with varied left-behind status, 6 sports groups, a 12-week intervention
// programme that ended two weeks ago and a control arm, a winter programme running now (this week's
// registers can be opened), held, made-up and cancelled sessions (one group with a rain-heavy
// month), attendance with realistic drop-out and a few low attenders, dose summaries, and pre/post questionnaires (SCARED, RSES) with a realistic
// effect in the intervention arm. Everything goes through the same services as the web app, so
// the demo also exercises the real rules (consent, membership, windows, scoring, audit).
// All randomness is seeded: the same date gives the same data set.
import mongoose from 'mongoose';
import type { Arm, Caregiver, LeftBehindStatus } from '../../shared/schemas/child.ts';
import { addDays, isoWeekday, schoolToday } from '../../shared/domain/dates.ts';
import { suggestWaveWindows } from '../../shared/schemas/assessments-api.ts';
import type { Actor } from '../lib/policy.ts';
import { AppError } from '../lib/errors.ts';
import { demoAnswers, demoDate, seededRandom } from '../modules/assessments/demo-answers.ts';
import { createAssessment } from '../modules/assessments/service.ts';
import { createChild } from '../modules/children/service.ts';
import { doseIdle, recomputeGroupDose } from '../modules/dose/service.ts';
import { Group } from '../modules/groups/model.ts';
import { addMembers, createGroup, endMembership } from '../modules/groups/service.ts';
import { definitionOf, instrumentVersion } from '../modules/instruments/service.ts';
import { Programme } from '../modules/programmes/model.ts';
import { createProgramme } from '../modules/programmes/service.ts';
import { cancelSession, rescheduleSession } from '../modules/schedule/service.ts';
import { createSchool } from '../modules/schools/service.ts';
import { Session, type SessionDoc } from '../modules/sessions/model.ts';
import { saveSessionLog } from '../modules/sessions/service.ts';
import { User } from '../modules/users/model.ts';
import { createUser } from '../modules/users/service.ts';
import { updateProgrammeWaves } from '../modules/waves/service.ts';

export const DEMO_PASSWORD = 'activegroups-demo';

const demoMarker = mongoose.model(
  'DemoMarker',
  new mongoose.Schema({ _id: { type: String, required: true }, loadedAt: { type: Date, required: true } }, { versionKey: false }),
  'demo_markers',
);

export class DemoRefusedError extends Error {}

export interface DemoOptions {
  /** Load even if the database already holds users (real data). */
  force?: boolean;
  /** "Now" for the timeline (default: the real now). */
  now?: Date;
  /** Children per group (default 25 → 150 children); smaller for tests. */
  childrenPerGroup?: number;
  log?: (msg: string) => void;
}

export interface DemoLogin {
  role: string;
  username: string;
  password: string;
  schools: string;
}

export interface DemoSummary {
  logins: DemoLogin[];
  schools: number;
  children: number;
  groups: number;
  sessionsHeld: number;
  sessionsCancelled: number;
  assessments: number;
  skippedNoConsent: number;
}

// Common surnames and given names (for realistic, clearly invented demo names).
const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const givenNames = ['子涵', '欣怡', '浩然', '梓萱', '宇轩', '雨桐', '俊杰', '诗琪', '明轩', '佳怡', '博文', '思彤', '一诺', '天佑', '可馨', '家豪', '雅琪', '子墨', '晨曦', '嘉懿', '文博', '若曦', '泽宇', '心怡', '皓轩'];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/** Three sessions a week (ACSM aerobic frequency), 40 minutes each. */
const THREE_SESSIONS_A_WEEK = [
  { weekday: 1, startTime: '16:30', minutes: 40 },
  { weekday: 3, startTime: '16:30', minutes: 40 },
  { weekday: 5, startTime: '16:30', minutes: 40 },
];

/** A 40-minute session with ≥ 20 aerobic minutes at moderate intensity (seed review), around one main activity. */
function sessionBlocks(mainActivity: string) {
  return [
    { activityCode: 'warm-up', minutes: 5, targetIntensity: 'light' as const },
    { activityCode: 'running', minutes: 10, targetIntensity: 'moderate' as const },
    { activityCode: mainActivity, minutes: 20, targetIntensity: 'moderate' as const },
    { activityCode: 'warm-up', minutes: 5, targetIntensity: 'light' as const },
  ];
}

/** Weighted pick: [[value, weight], …]. */
function weighted<T>(rand: () => number, options: readonly (readonly [T, number])[]): T {
  const total = options.reduce((a, [, w]) => a + w, 0);
  let r = rand() * total;
  for (const [value, w] of options) {
    r -= w;
    if (r <= 0) return value;
  }
  return options[options.length - 1]![0];
}

export async function loadDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const log = options.log ?? (() => {});
  const now = options.now ?? new Date();
  const perGroup = options.childrenPerGroup ?? 25;
  const rand = seededRandom('activegroups-demo');

  if (await demoMarker.exists({ _id: 'demo' })) {
    throw new DemoRefusedError('The demo data set is already loaded in this database.');
  }
  const users = await User.countDocuments();
  if (users > 0 && !options.force) {
    throw new DemoRefusedError(
      `This database already holds ${users} user account(s) — possibly real data. The demo was not loaded. ` +
        'Use an empty database (another DATA_DIR or MONGODB_DB), or run with --force to add the demo beside it.',
    );
  }

  // Timeline (school-local): a 12-week programme that ended about two weeks ago (started on a
  // Monday), so its post-test window has just closed and the follow-up is still ahead.
  const today = schoolToday(now, 'Asia/Shanghai');
  let startDate = addDays(today, -(14 * 7 + 3));
  startDate = addDays(startDate, -(isoWeekday(startDate) - 1));
  const consentDate = addDays(startDate, -30);

  log('Accounts and schools…');
  const admin = await createUser({ username: 'demo.admin', displayName: '系统管理员', password: DEMO_PASSWORD, role: 'admin', schoolIds: [], locale: 'zh-CN' }, null);
  const adminActor: Actor = { id: admin.id, username: admin.username, role: 'admin', schoolIds: [] };
  const rural = await createSchool(adminActor, { name: '青山乡中心小学', region: '湖南省娄底市', county: '新化县', setting: 'rural', timeZone: 'Asia/Shanghai' });
  const urban = await createSchool(adminActor, { name: '城关第二小学', region: '湖南省娄底市', county: '娄星区', setting: 'urban', timeZone: 'Asia/Shanghai' });
  const both = [rural.id, urban.id];
  const teacherRural = await createUser({ username: 'demo.teacher.rural', displayName: '刘老师（体育）', password: DEMO_PASSWORD, role: 'pe_teacher', schoolIds: [rural.id] }, adminActor);
  const teacherUrban = await createUser({ username: 'demo.teacher.urban', displayName: '陈老师（体育）', password: DEMO_PASSWORD, role: 'pe_teacher', schoolIds: [urban.id] }, adminActor);
  const counsellor = await createUser({ username: 'demo.counsellor', displayName: '周老师（心理）', password: DEMO_PASSWORD, role: 'counsellor', schoolIds: both }, adminActor);
  await createUser({ username: 'demo.researcher', displayName: 'Dr. Lin (research)', password: DEMO_PASSWORD, role: 'researcher', schoolIds: both, locale: 'en' }, adminActor);
  const actorOf = (u: { id: string; username: string; role: string; schoolIds: string[] }): Actor => ({
    id: u.id,
    username: u.username,
    role: u.role as Actor['role'],
    schoolIds: u.schoolIds,
  });
  const teachers = { [rural.id]: actorOf(teacherRural), [urban.id]: actorOf(teacherUrban) };
  const counsellorActor = actorOf(counsellor);

  // Six groups: per school two intervention groups and one control group.
  const groupPlan = [
    { school: rural, name: '青山足球队', activityCode: 'football', arm: 'intervention' as Arm },
    { school: rural, name: '青山跳绳队', activityCode: 'rope-skipping', arm: 'intervention' as Arm },
    { school: rural, name: '青山对照组', activityCode: 'radio-calisthenics', arm: 'control' as Arm },
    { school: urban, name: '城关篮球队', activityCode: 'basketball', arm: 'intervention' as Arm },
    { school: urban, name: '城关健身操队', activityCode: 'aerobic-dance', arm: 'intervention' as Arm },
    { school: urban, name: '城关对照组', activityCode: 'radio-calisthenics', arm: 'control' as Arm },
  ];

  log('Children and groups…');
  const groups: { id: string; schoolId: string; arm: Arm; childIds: string[]; codes: Map<string, string>; activityCode: string }[] = [];
  const joinedOn = new Map<string, string>();
  let skippedNoConsent = 0;
  const noConsent = new Set<string>();
  for (const plan of groupPlan) {
    const isRural = plan.school.setting === 'rural';
    const childIds: string[] = [];
    const codes = new Map<string, string>();
    for (let i = 0; i < perGroup; i++) {
      // Rural schools have far more left-behind children (both parents away is common).
      const status = weighted<LeftBehindStatus>(rand, isRural
        ? [['both_parents_away', 45], ['one_parent_away', 35], ['none', 20]]
        : [['both_parents_away', 15], ['one_parent_away', 30], ['none', 55]]);
      const caregiver = status === 'both_parents_away'
        ? weighted<Caregiver>(rand, [['grandparents', 75], ['other_relatives', 20], ['other', 5]])
        : status === 'one_parent_away'
          ? weighted<Caregiver>(rand, [['mother', 60], ['father', 20], ['grandparents', 20]])
          : weighted<Caregiver>(rand, [['mother', 55], ['father', 35], ['grandparents', 10]]);
      const grade = 3 + Math.floor(rand() * 4); // grades 3–6, ages about 8–12
      const birthYear = Number(today.slice(0, 4)) - grade - 6 - (Number(today.slice(5, 7)) < 9 ? 1 : 0);
      const hasConsent = rand() > 0.03; // a few guardians have not consented yet
      const child = await createChild(teachers[plan.school.id]!, {
        schoolId: plan.school.id,
        displayName: `${pick(rand, surnames)}${pick(rand, givenNames)}`,
        sex: rand() < 0.5 ? 'female' : 'male',
        birthYear,
        birthMonth: 1 + Math.floor(rand() * 12),
        grade,
        className: `${grade}(${1 + Math.floor(rand() * 3)})班`,
        leftBehindStatus: status,
        monthsSinceSeparation: status === 'none' ? null : 6 + Math.floor(rand() * 60),
        caregiver,
        boarding: isRural && rand() < 0.3,
        guardianConsentDate: hasConsent ? consentDate : null,
        childAssent: hasConsent,
      }).catch((err: unknown) => {
        // Same invented name, birth month and class twice: draw again.
        if (err instanceof AppError && err.code === 'duplicate_child') return null;
        throw err;
      });
      if (!child) {
        i--;
        continue;
      }
      childIds.push(child.id);
      codes.set(child.id, child.code);
      if (!hasConsent) noConsent.add(child.id);
    }
    const coach = teachers[plan.school.id]!;
    const group = await createGroup(coach, { schoolId: plan.school.id, name: plan.name, activityCode: plan.activityCode, coachIds: [coach.id] });
    // Most children join at the start; a few a couple of weeks later (memberships start mid-programme).
    const late = childIds.filter(() => rand() < 0.08);
    const onTime = childIds.filter((id) => !late.includes(id));
    const g = await addMembers(coach, group.id, { version: group.version, childIds: onTime, joinedOn: startDate });
    if (late.length > 0) await addMembers(coach, group.id, { version: g.version, childIds: late, joinedOn: addDays(startDate, 14) });
    for (const id of onTime) joinedOn.set(id, startDate);
    for (const id of late) joinedOn.set(id, addDays(startDate, 14));
    groups.push({ id: group.id, schoolId: plan.school.id, arm: plan.arm, childIds, codes, activityCode: plan.activityCode });
  }

  log('Programmes and schedule…');
  const interventionGroups = groups.filter((g) => g.arm === 'intervention');
  const controlGroups = groups.filter((g) => g.arm === 'control');
  // National Day golden week: no sessions (an exclusion of the kind schools enter).
  const holidays = Array.from({ length: 7 }, (_, i) => `${startDate.slice(0, 4)}-10-0${i + 1}`);
  const intervention = await createProgramme(adminActor, {
    name: '阳光体育 · 留守儿童团体运动（秋季）',
    schoolIds: both,
    groupIds: interventionGroups.map((g) => g.id),
    arm: 'intervention',
    startDate,
    plannedWeeks: 12,
    weeklyPattern: THREE_SESSIONS_A_WEEK,
    activityBlocks: sessionBlocks('football'),
    evidenceProfileId: 'seed-review',
    exclusionDates: holidays,
  });
  const control = await createProgramme(adminActor, {
    name: '对照组（常规体育课，秋季）',
    schoolIds: both,
    groupIds: controlGroups.map((g) => g.id),
    arm: 'control',
    startDate,
    plannedWeeks: 12,
    weeklyPattern: [],
    activityBlocks: [],
    evidenceProfileId: 'seed-review',
    exclusionDates: [],
  });

  log('Sessions, registers and drop-out…');
  // Each child has a usual attendance: most come 80–98 % of the time, a few only about half the
  // time; about one in ten stops coming after week 6–9 (some of them formally leave the group).
  const attendanceOf = new Map<string, number>();
  const stopsAfter = new Map<string, string>();
  for (const group of interventionGroups) {
    for (const childId of group.childIds) {
      attendanceOf.set(childId, rand() < 0.07 ? 0.45 + rand() * 0.2 : 0.8 + rand() * 0.18);
      if (rand() < 0.1) stopsAfter.set(childId, addDays(startDate, 7 * (6 + Math.floor(rand() * 4))));
    }
  }
  // Rain: most teachers make the session up the next day (it counts as held); one group has a
  // rain-heavy month with the gym taken, so those sessions are lost (its fidelity is at risk).
  const rainyGroup = interventionGroups[3]?.id ?? null;
  /** Children who formally left their group (set after the autumn registers). */
  const leavers = new Set<string>();
  const logProgramme = async (programmeId: string, opts: { rainyFrom: string; rainyTo: string; leaveUnlogged: (groupId: string, date: string) => boolean }) => {
    const sessions = await Session.find({ programmeId, date: { $lt: today } }).sort({ date: 1 }).lean<SessionDoc[]>();
    const excluded = new Set((await Programme.findById(programmeId, { exclusionDates: 1 }).lean())?.exclusionDates ?? []);
    let held = 0;
    let cancelled = 0;
    for (const stored of sessions) {
      let session = stored;
      const group = interventionGroups.find((g) => g.id === String(session.groupId))!;
      const teacher = teachers[group.schoolId]!;
      const rainyMonth = group.id === rainyGroup && session.date >= opts.rainyFrom && session.date <= opts.rainyTo;
      if (rand() < (rainyMonth ? 0.4 : 0.06)) {
        const makeUp = addDays(session.date, 1);
        if (!rainyMonth && !excluded.has(makeUp) && makeUp < today) {
          await rescheduleSession(teacher, String(session._id), { version: session.version, date: makeUp, startTime: '16:30' });
          session = (await Session.findById(session._id).lean<SessionDoc>())!;
        } else {
          await cancelSession(teacher, String(session._id), { version: session.version, reason: rainyMonth ? '连续下雨，操场积水，体育馆被占用' : '下雨，操场积水' });
          cancelled++;
          continue;
        }
      }
      if (opts.leaveUnlogged(group.id, session.date)) continue;
      const members = group.childIds.filter((id) => joinedOn.get(id)! <= session.date);
      const register = [];
      for (const childId of members) {
        const stopped = stopsAfter.has(childId) && session.date > stopsAfter.get(childId)!;
        if (leavers.has(childId)) continue; // left the group before this programme: not on its registers
        const r = rand();
        if (stopped || r > attendanceOf.get(childId)!) register.push({ childId, status: rand() < 0.3 ? ('excused' as const) : ('absent' as const) });
        else if (r > attendanceOf.get(childId)! - 0.05) register.push({ childId, status: 'late' as const, minutes: 25 });
        else register.push({ childId, status: 'present' as const });
      }
      const rpe = 5 + Math.floor(rand() * 3); // OMNI 5–7: moderate to vigorous (product default bands)
      const short = rand() < 0.1; // now and then a shortened session (below 20 aerobic minutes)
      await saveSessionLog(
        teacher,
        String(session._id),
        {
          version: session.version,
          actualStart: '16:35',
          activityBlocks: [
            { activityCode: 'warm-up', minutes: 5 },
            { activityCode: 'running', minutes: short ? 5 : 10, rpe },
            { activityCode: group.activityCode, minutes: short ? 10 : 20, rpe, ...(rand() < 0.3 ? { avgHeartRate: 150 + Math.floor(rand() * 20) } : {}) },
            { activityCode: 'warm-up', minutes: 5 },
          ],
          register,
          notes: short ? '天气炎热，缩短了训练时间' : '',
        },
        new Date(`${session.date}T12:00:00Z`),
      );
      held++;
    }
    return { held, cancelled };
  };
  const autumn = await logProgramme(intervention.id, { rainyFrom: addDays(startDate, 28), rainyTo: addDays(startDate, 55), leaveUnlogged: () => false });
  let sessionsHeld = autumn.held;
  let sessionsCancelled = autumn.cancelled;
  // A few children formally left their group in the second half; the leave date is entered later
  // and backdated to when they stopped coming (their registers after it stay as they were).
  for (const group of interventionGroups) {
    const leaver = group.childIds.find((id) => stopsAfter.has(id));
    if (!leaver) continue;
    const g = await Group.findById(group.id).lean();
    await endMembership(teachers[group.schoolId]!, group.id, { version: g!.version, childId: leaver, leftOn: stopsAfter.get(leaver)! });
    leavers.add(leaver);
  }

  // The winter programme is running now (started on the Monday about two weeks ago), so a teacher
  // can open this week's registers; New Year's Day is an exclusion date. One group's newest past
  // session is not logged yet ("not logged", never an absence).
  const winterStart = addDays(addDays(today, -14), -(isoWeekday(addDays(today, -14)) - 1));
  const newYear = `${Number(winterStart.slice(0, 4)) + 1}-01-01`;
  const winter = await createProgramme(adminActor, {
    name: '阳光体育 · 冬季团体运动（进行中）',
    schoolIds: both,
    groupIds: interventionGroups.map((g) => g.id),
    arm: 'intervention',
    startDate: winterStart,
    plannedWeeks: 12,
    weeklyPattern: THREE_SESSIONS_A_WEEK,
    activityBlocks: sessionBlocks('rope-skipping'),
    evidenceProfileId: 'seed-review',
    exclusionDates: [newYear],
  });
  const lastPast = await Session.findOne({ programmeId: winter.id, groupId: interventionGroups[2]?.id, date: { $lt: today } }).sort({ date: -1 }).lean<SessionDoc>();
  const running = await logProgramme(winter.id, {
    rainyFrom: winterStart,
    rainyTo: today,
    leaveUnlogged: (groupId, date) => lastPast !== null && groupId === String(lastPast.groupId) && date === lastPast.date,
  });
  sessionsHeld += running.held;
  sessionsCancelled += running.cancelled;
  await doseIdle();
  for (const p of [intervention, control, winter]) await recomputeGroupDose(p.id, 'all', now);

  log('Questionnaire waves and answers…');
  let assessments = 0;
  for (const programme of [intervention, control]) {
    const windows = suggestWaveWindows(startDate, 12).filter((w) => w.wave !== 'followup');
    const current = await Programme.findById(programme.id).lean();
    await updateProgrammeWaves(adminActor, programme.id, {
      version: current!.version,
      instruments: [
        { code: 'SCARED', version: 1 },
        { code: 'RSES', version: 1 },
      ],
      waves: windows,
    });
    const arm = programme.arm as Arm;
    for (const group of arm === 'intervention' ? interventionGroups : controlGroups) {
      for (const childId of group.childIds) {
        if (noConsent.has(childId)) {
          skippedNoConsent++;
          continue;
        }
        for (const code of ['SCARED', 'RSES']) {
          const definition = definitionOf((await instrumentVersion(code, 1))!);
          for (const window of windows) {
            const key = group.codes.get(childId)!;
            const generated = demoAnswers({ definition, wave: window.wave, arm, childKey: key });
            if (!generated) continue;
            const date = demoDate(window, key);
            if (date > today) continue;
            await createAssessment(counsellorActor, {
              childId,
              programmeId: programme.id,
              instrumentCode: code,
              wave: window.wave,
              date,
              answers: generated.answers,
              missing: generated.missing,
            });
            assessments++;
          }
        }
      }
    }
  }

  await demoMarker.create({ _id: 'demo', loadedAt: new Date() });
  return {
    logins: [
      { role: 'admin', username: 'demo.admin', password: DEMO_PASSWORD, schools: 'all' },
      { role: 'pe_teacher', username: 'demo.teacher.rural', password: DEMO_PASSWORD, schools: rural.name },
      { role: 'pe_teacher', username: 'demo.teacher.urban', password: DEMO_PASSWORD, schools: urban.name },
      { role: 'counsellor', username: 'demo.counsellor', password: DEMO_PASSWORD, schools: `${rural.name}, ${urban.name}` },
      { role: 'researcher', username: 'demo.researcher', password: DEMO_PASSWORD, schools: `${rural.name}, ${urban.name}` },
    ],
    schools: 2,
    children: groups.reduce((a, g) => a + g.childIds.length, 0),
    groups: groups.length,
    sessionsHeld,
    sessionsCancelled,
    assessments,
    skippedNoConsent,
  };
}
