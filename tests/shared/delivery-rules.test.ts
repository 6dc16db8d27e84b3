// Worked examples of the delivery and dose rules a PE teacher can act on (issue 9; DESIGN §3
// "How the thresholds apply"): holidays and exam breaks in the plan, frequency on weeks that can
// have sessions, sessions delivered (fidelity), per-child adherence, control arm, unlogged sessions.
import { describe, expect, it } from 'vitest';
import { worstStatus } from '../../shared/domain/check.ts';
import { addDays } from '../../shared/domain/dates.ts';
import { checkDelivery, checkGroupDelivery, type DeliveryInput } from '../../shared/domain/delivery.ts';
import { childChecks, computeChildDose } from '../../shared/domain/dose.ts';
import { seedReviewProfile } from '../../shared/domain/evidence.ts';
import { checkPlan } from '../../shared/domain/plan-check.ts';
import { plannedSchedule, weeksLeftOut } from '../../shared/domain/planned-weeks.ts';
import type { ProgrammePlan } from '../../shared/schemas/programme.ts';
import type { Membership, Session } from '../../shared/schemas/session.ts';
import { attendanceSignal } from '../../server/modules/worklist/service.ts';

const monWedFri = [
  { weekday: 1, startTime: '16:30', minutes: 40 },
  { weekday: 3, startTime: '16:30', minutes: 40 },
  { weekday: 5, startTime: '16:30', minutes: 40 },
];
const blocks = [
  { activityCode: 'warm-up', minutes: 5, targetIntensity: 'light' as const },
  { activityCode: 'running', minutes: 10, targetIntensity: 'moderate' as const },
  { activityCode: 'football', minutes: 20, targetIntensity: 'moderate' as const },
  { activityCode: 'warm-up', minutes: 5, targetIntensity: 'light' as const },
];
/** National Day 2026: Thu 1 – Wed 7 October, splitting two programme weeks (Mon-based). */
const nationalDay = Array.from({ length: 7 }, (_, i) => `2026-10-0${i + 1}`);
const autumn: ProgrammePlan = {
  startDate: '2026-08-31',
  plannedWeeks: 12,
  weeklyPattern: monWedFri,
  activityBlocks: blocks,
  evidenceProfileId: 'seed-review',
  exclusionDates: nationalDay,
};
const check = (checks: { id: string }[], id: string) => checks.find((c) => c.id === id) as ReturnType<typeof checkPlan>[number];
const range = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
};

describe('plan check with exclusion dates', () => {
  it('when the National Day holiday takes 3 sessions out of two weeks, then the plan still meets 3 a week and says 2 weeks were left out', () => {
    const schedule = plannedSchedule(autumn);
    expect(schedule.dates).toHaveLength(36 - 3);
    expect(weeksLeftOut(schedule, 3)).toEqual([4, 5]);
    const checks = checkPlan(autumn, seedReviewProfile);
    expect(check(checks, 'frequency')).toMatchObject({ status: 'pass', value: 3 });
    expect(check(checks, 'frequency').explanation).toBe('3 sessions a week ≥ 3 ✓; 2 weeks left out: holidays or exam dates leave fewer than 3 sessions there');
    expect(check(checks, 'duration')).toMatchObject({ status: 'pass', value: 12 });
    // Wed 30 Sep → Fri 9 Oct
    expect(check(checks, 'longest-gap')).toMatchObject({ status: 'pass', value: 9 });
  });

  it('when a two-week exam break runs from Sat 13 to Sun 28 March, then the 17-day gap Fri 12 → Mon 29 fails against ≤ 14', () => {
    const plan: ProgrammePlan = { ...autumn, startDate: '2027-03-01', exclusionDates: range('2027-03-13', '2027-03-28') };
    const checks = checkPlan(plan, seedReviewProfile);
    expect(check(checks, 'longest-gap')).toMatchObject({ status: 'fail', value: 17, params: { from: '2027-03-12', to: '2027-03-29' } });
    expect(check(checks, 'longest-gap').explanation).toBe('Longest planned gap 17 days (2027-03-12 → 2027-03-29) — more than 14; plan a session inside the break');
    // Both exam weeks are wholly excluded: 10 weeks with sessions, still ≥ 10.
    expect(check(checks, 'duration')).toMatchObject({ status: 'pass', value: 10, params: { calendarWeeks: 12, excluded: 2 } });
    expect(check(checks, 'frequency')).toMatchObject({ status: 'pass', params: { leftOut: 2, weeks: 10 } });
  });

  it('when a 10-week plan loses a whole week to exams, then duration counts 9 weeks with sessions and fails', () => {
    const plan: ProgrammePlan = { ...autumn, startDate: '2027-03-01', plannedWeeks: 10, exclusionDates: range('2027-03-15', '2027-03-21') };
    const checks = checkPlan(plan, seedReviewProfile);
    expect(check(checks, 'duration')).toMatchObject({ status: 'fail', value: 9 });
    expect(check(checks, 'duration').explanation).toBe('9 weeks with sessions planned (10 weeks in the calendar, 1 week wholly excluded) — below 10; plan at least 10 weeks');
  });

  it('when the pattern itself has only 2 sessions a week, then no week is left out and frequency fails', () => {
    const checks = checkPlan({ ...autumn, weeklyPattern: monWedFri.slice(0, 2) }, seedReviewProfile);
    // Only week 6 (Mon 5 and Wed 7 October both excluded) is left out.
    expect(check(checks, 'frequency')).toMatchObject({ status: 'fail', value: 2, params: { leftOut: 1 } });
    expect(weeksLeftOut(plannedSchedule({ ...autumn, weeklyPattern: monWedFri.slice(0, 2), exclusionDates: [] }), 3)).toEqual([]);
  });

  it('when the programme is a control arm, then every plan check is "not applicable", never failing', () => {
    const checks = checkPlan({ ...autumn, arm: 'control', weeklyPattern: [], activityBlocks: [] }, seedReviewProfile);
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => c.status === 'not-applicable' && c.messageKey === 'check.notApplicable.control')).toBe(true);
    expect(worstStatus(checks)).toBe('not-applicable');
  });
});

// ---- delivery ----

const activity = [
  { activityCode: 'warm-up', minutes: 5 },
  { activityCode: 'running', minutes: 10, rpe: 6 },
  { activityCode: 'football', minutes: 20, rpe: 6 },
  { activityCode: 'warm-up', minutes: 5 },
];
type Mark = 'present' | 'absent' | 'excused' | 'late' | null;
/** One stored session per planned date; `mark(childId, date, i)` gives the register mark (null = no mark). */
function deliver(
  plan: ProgrammePlan,
  childIds: string[],
  opts: { cancel?: string[]; notLogged?: string[]; until: string; mark?: (childId: string, date: string, i: number) => Mark; extra?: string[] },
): Session[] {
  const dates = [...plannedSchedule(plan).dates, ...(opts.extra ?? [])].filter((d) => d <= opts.until).sort();
  return dates.map((date, i) => {
    const cancelled = opts.cancel?.includes(date) ?? false;
    const unlogged = opts.notLogged?.includes(date) ?? false;
    const status: Session['status'] = cancelled ? 'cancelled' : unlogged ? 'scheduled' : 'held';
    const register =
      status === 'held'
        ? childIds.flatMap((childId) => {
            const m = opts.mark ? opts.mark(childId, date, i) : 'present';
            return m === null ? [] : [{ childId, status: m }];
          })
        : [];
    return { id: `s-${date}-${i}`, groupId: 'G1', date, status, activityBlocks: status === 'held' ? activity : [], register };
  });
}
const kids = [
  { id: 'k1', birthYear: 2016, birthMonth: 3 },
  { id: 'k2', birthYear: 2015, birthMonth: 7 },
];
const members = (extra: Partial<Membership> = {}): Membership[] => kids.map((k) => ({ childId: k.id, groupId: 'G1', joinedOn: '2026-08-31', ...extra }));
const input = (sessions: Session[], asOf: string, plan: ProgrammePlan = autumn, memberships = members()): DeliveryInput => ({
  programme: plan,
  profile: seedReviewProfile,
  sessions,
  memberships,
  children: kids,
  asOf,
});
const END = '2026-11-22';
const AFTER = '2026-12-01';

describe('group delivery: frequency on weeks that can have sessions, sessions delivered', () => {
  it('when a group held every planned session round the National Day holiday, then frequency and sessions delivered pass', () => {
    const g = checkGroupDelivery(input(deliver(autumn, ['k1', 'k2'], { until: END }), AFTER), 'G1');
    expect(check(g.checks, 'frequency')).toMatchObject({ status: 'pass', value: 3, params: { leftOut: 2, weeks: 10 } });
    expect(check(g.checks, 'frequency').explanation).toContain('2 weeks left out: holidays or exam dates leave fewer than 3 sessions there');
    expect(check(g.checks, 'delivered-share')).toMatchObject({ status: 'pass', value: 100, params: { held: 33, planned: 33 } });
    expect(g.summary.sessionsPlannedDue).toBe(33);
  });

  it('when rain cancels 3 of 33 sessions, then 30 held = 90.9 % still passes; a 4th and 5th cancellation fail it after the end', () => {
    const dates = plannedSchedule(autumn).dates;
    const three = checkGroupDelivery(input(deliver(autumn, ['k1'], { until: END, cancel: dates.slice(10, 13) }), AFTER), 'G1');
    expect(check(three.checks, 'delivered-share')).toMatchObject({ status: 'pass', params: { held: 30, planned: 33, cancelled: 3 } });
    const five = checkGroupDelivery(input(deliver(autumn, ['k1'], { until: END, cancel: dates.slice(10, 15) }), AFTER), 'G1');
    expect(check(five.checks, 'delivered-share')).toMatchObject({ status: 'fail', params: { held: 28, planned: 33, cancelled: 5 } });
    expect(check(five.checks, 'delivered-share').explanation).toBe('28 of 33 planned sessions held: 84.8 % — below 90 %; 5 cancelled and not made up');
  });

  it('when the programme is still running and rain took 2 of the first 6 sessions, then sessions delivered is at risk, not failed', () => {
    const dates = plannedSchedule(autumn).dates;
    const g = checkGroupDelivery(input(deliver(autumn, ['k1'], { until: '2026-09-11', cancel: dates.slice(1, 3) }), '2026-09-12'), 'G1');
    expect(check(g.checks, 'delivered-share')).toMatchObject({ status: 'at-risk', params: { held: 4, planned: 6 } });
  });

  it('when a rained-out session is made up with an extra session, then it counts as held', () => {
    const dates = plannedSchedule(autumn).dates;
    const sessions = deliver(autumn, ['k1'], { until: END, cancel: [dates[10]!], extra: ['2026-09-22'] });
    const g = checkGroupDelivery(input(sessions, AFTER), 'G1');
    expect(check(g.checks, 'delivered-share')).toMatchObject({ status: 'pass', value: 100, params: { held: 33, planned: 33 } });
  });

  it('when the last sessions are not logged yet, then they count neither as held nor as missed and the teacher is told', () => {
    const dates = plannedSchedule(autumn).dates;
    const g = checkGroupDelivery(input(deliver(autumn, ['k1'], { until: '2026-09-18', notLogged: dates.slice(4, 6) }), '2026-09-19'), 'G1');
    // 9 planned so far, 2 not logged: 7 of 7 held.
    expect(check(g.checks, 'delivered-share')).toMatchObject({ status: 'pass', params: { held: 7, planned: 7, notLogged: 2 } });
    expect(check(g.checks, 'delivered-share').explanation).toBe('7 of 7 planned sessions held: 100 % ≥ 90 % ✓; 2 not logged yet (not counted)');
  });
});

describe('per-child dose: adherence instead of 3 qualifying sessions a week', () => {
  it('when a child attended 33 of 33 sessions, then every child check passes; a child who stopped coming fails with the reason in plain words', () => {
    const sessions = deliver(autumn, ['k1', 'k2'], { until: END, mark: (c, d) => (c === 'k2' && d > '2026-10-16' ? 'absent' : 'present') });
    const r = checkDelivery(input(sessions, AFTER));
    const k1 = r.children.find((c) => c.childId === 'k1')!;
    expect(k1.dose).toMatchObject({ sessionsMarked: 33, sessionsAttended: 33, attendanceRate: 1 });
    expect(k1.checks.map((c) => [c.id, c.status])).toEqual([['child-weeks', 'pass'], ['child-adherence', 'pass'], ['child-gap', 'pass']]);
    expect(worstStatus(k1.checks)).toBe('pass');
    const k2 = r.children.find((c) => c.childId === 'k2')!;
    expect(check(k2.checks, 'child-adherence')).toMatchObject({ status: 'fail', params: { attended: 18, marked: 33, last: '2026-10-16' } });
    expect(check(k2.checks, 'child-adherence').explanation).toBe('Attended 18 of 33 sessions held while a member (54.5 %) — below 75 %; last came on 2026-10-16');
  });

  it('when a child misses one session in three, then 66.7 % fails adherence at the end but is only at risk while running', () => {
    const sessions = deliver(autumn, ['k1'], { until: END, mark: (_c, _d, i) => (i % 3 === 2 ? 'absent' : 'present') });
    expect(check(checkDelivery(input(sessions, AFTER)).children[0]!.checks, 'child-adherence').status).toBe('fail');
    const running = deliver(autumn, ['k1'], { until: '2026-09-25', mark: (_c, _d, i) => (i % 3 === 2 ? 'absent' : 'present') });
    const c = check(checkDelivery(input(running, '2026-09-26')).children[0]!.checks, 'child-adherence');
    expect(c).toMatchObject({ status: 'at-risk' });
    expect(c.explanation).toContain('coming to the next sessions lifts it');
  });

  it('when a child missed 4 of 33 sessions (87.9 %), then adherence passes — one absence no longer fails a child', () => {
    const sessions = deliver(autumn, ['k1'], { until: END, mark: (_c, _d, i) => ([3, 11, 19, 27].includes(i) ? 'absent' : 'present') });
    const c = checkDelivery(input(sessions, AFTER)).children[0]!;
    expect(check(c.checks, 'child-adherence')).toMatchObject({ status: 'pass', params: { attended: 29, marked: 33 } });
    expect(worstStatus(c.checks)).toBe('pass');
  });

  it('when a child joins in week 3, then adherence counts only the sessions held since joining', () => {
    const sessions = deliver(autumn, ['k1', 'k2'], { until: END, mark: (c, d) => (c === 'k2' && d < '2026-09-14' ? null : 'present') });
    const memberships: Membership[] = [
      { childId: 'k1', groupId: 'G1', joinedOn: '2026-08-31' },
      { childId: 'k2', groupId: 'G1', joinedOn: '2026-09-14' },
    ];
    const k2 = checkDelivery(input(sessions, AFTER, autumn, memberships)).children.find((c) => c.childId === 'k2')!;
    expect(k2.dose).toMatchObject({ sessionsHeld: 27, sessionsMarked: 27, sessionsAttended: 27, attendanceRate: 1 });
    expect(check(k2.checks, 'child-adherence').status).toBe('pass');
    // Weeks 3–12 = 10 weeks with a qualifying session: the dose is reached.
    expect(check(k2.checks, 'child-weeks')).toMatchObject({ status: 'pass', value: 10 });
  });

  it('when a leave date is entered later and backdated, then the registers after it (marked absent) are not counted against the child', () => {
    const sessions = deliver(autumn, ['k1'], { until: END, mark: (_c, d) => (d > '2026-10-23' ? 'absent' : 'present') });
    const memberships: Membership[] = [{ childId: 'k1', groupId: 'G1', joinedOn: '2026-08-31', leftOn: '2026-10-23' }];
    const d = computeChildDose({ programme: autumn, profile: seedReviewProfile, child: kids[0]!, memberships, sessions, asOf: AFTER });
    // 21 sessions up to Fri 23 October (the National Day holiday took 3).
    expect(d).toMatchObject({ sessionsHeld: 21, sessionsMarked: 21, sessionsAttended: 21, attendanceRate: 1 });
    const checks = childChecks({ programme: autumn, profile: seedReviewProfile, child: kids[0]!, memberships, sessions, asOf: AFTER }, d);
    expect(check(checks, 'child-adherence').status).toBe('pass');
    // Left after 8 weeks: the 10-week dose was not reached, and the check says so.
    expect(check(checks, 'child-weeks')).toMatchObject({ status: 'fail', value: 8 });
  });

  it('when sessions are not logged yet (no register, or no mark for the child), then they are never absences', () => {
    const dates = plannedSchedule(autumn).dates;
    // Only the newest 2 sessions are logged, everyone present (issue 9's worklist example).
    const sessions = deliver(autumn, ['k1'], { until: '2026-09-25', notLogged: dates.slice(0, 10) });
    const d = computeChildDose({ programme: autumn, profile: seedReviewProfile, child: kids[0]!, memberships: members(), sessions, asOf: '2026-09-26' });
    expect(d).toMatchObject({ sessionsUnrecorded: 10, sessionsMarked: 2, sessionsAttended: 2, attendanceRate: 1 });
    const checks = childChecks({ programme: autumn, profile: seedReviewProfile, child: kids[0]!, memberships: members(), sessions, asOf: '2026-09-26' }, d);
    expect(check(checks, 'child-adherence')).toMatchObject({ status: 'pass', params: { notLogged: 10 } });
    expect(check(checks, 'child-adherence').explanation).toBe('Attended 2 of 2 sessions held while a member (100 %) ≥ 75 % ✓; 10 sessions not logged yet (not counted)');
    // A held session where this child has no mark is not an absence either.
    const unmarked = deliver(autumn, ['k1'], { until: '2026-09-25', mark: (_c, _d, i) => (i < 6 ? null : 'present') });
    expect(computeChildDose({ programme: autumn, profile: seedReviewProfile, child: kids[0]!, memberships: members(), sessions: unmarked, asOf: '2026-09-26' })).toMatchObject({
      sessionsUnmarked: 6, sessionsMarked: 6, attendanceRate: 1,
    });
  });

  it('when only the newest sessions are logged, then the worklist attendance signal waits (weeks with nothing logged are not 0 %)', () => {
    const weekly = [
      { week: 1, scheduled: 3, logged: 0, attended: 0 },
      { week: 2, scheduled: 3, logged: 0, attended: 0 },
      { week: 3, scheduled: 3, logged: 0, attended: 0 },
      { week: 4, scheduled: 3, logged: 2, attended: 2 },
    ];
    expect(attendanceSignal(weekly)).toBeNull();
    const stopped = [2, 3, 4].map((week) => ({ week, scheduled: 3, logged: 3, attended: 0 }));
    expect(attendanceSignal(stopped)).toMatchObject({ kind: 'attendance_stopped', scheduled: 9 });
  });
});

describe('gaps round holidays', () => {
  it('when a child misses the first session after the National Day holiday, then the 7 holiday days are not counted in the gap (it passes); without the holiday the same absences fail', () => {
    // Last before the holiday: Wed 30 Sep; absent Fri 9 and Mon 12 Oct; back Wed 14 Oct.
    const sessions = deliver(autumn, ['k1'], { until: END, mark: (_c, d) => (d === '2026-10-09' || d === '2026-10-12' ? 'absent' : 'present') });
    const r = checkDelivery(input(sessions, AFTER));
    expect(r.children[0]!.dose.longestGapDays).toBe(14 - 7);
    expect(check(r.children[0]!.checks, 'child-gap').status).toBe('pass');
    // Absent for two weeks in term time (Mon 2 → Wed 18 November): 16 days, none excluded → fails.
    const term = deliver(autumn, ['k1'], { until: END, mark: (_c, d) => (d > '2026-11-02' && d < '2026-11-18' ? 'absent' : 'present') });
    const c = check(checkDelivery(input(term, AFTER)).children[0]!.checks, 'child-gap');
    expect(c).toMatchObject({ status: 'fail', value: 16, params: { from: '2026-11-02', to: '2026-11-18', excludedDays: 0 } });
  });
});

describe('control arm', () => {
  it('when a control arm logs usual activity, then its group and child checks are "not applicable", with the measurements kept', () => {
    const plan: ProgrammePlan = { ...autumn, arm: 'control' };
    const sessions = deliver(plan, ['k1', 'k2'], { until: END, mark: (c) => (c === 'k2' ? 'absent' : 'present') });
    const r = checkDelivery(input(sessions, AFTER, plan));
    const g = r.groups[0]!;
    expect(g.summary.sessionsHeld).toBe(33);
    expect(g.checks.length).toBeGreaterThan(0);
    expect(g.checks.every((c) => c.status === 'not-applicable')).toBe(true);
    expect(g.checks[0]!.explanation).toBe('Not applicable — control arm (usual care): the dose rules apply to the intervention arm');
    for (const child of r.children) {
      expect(child.checks.every((c) => c.status === 'not-applicable')).toBe(true);
      expect(worstStatus(child.checks)).toBe('not-applicable');
    }
    expect(r.children.find((c) => c.childId === 'k1')!.dose.sessionsAttended).toBe(33);
  });
});
