// Delivery check (DESIGN §3): per group from its held sessions, and per child from their dose,
// with a projection while the programme is still running.
import type { EvidenceProfile } from '../schemas/evidence.ts';
import type { ProgrammePlan } from '../schemas/programme.ts';
import type { DoseChild, Membership, Session } from '../schemas/session.ts';
import { ACTIVITY_CATALOG, type Activity } from './activities.ts';
import { asControlArm, fmt, makeCheck, plural, type Check } from './check.ts';
import { addDays, ageOn, daysBetween } from './dates.ts';
import { childChecks, computeChildDose, membershipOverlaps, gapCheck, gaps, programmeCalendar, programmeWeek, qualifyingRule, sessionMinutes, type ChildDose, type SessionMinutes } from './dose.ts';
import { plannedSchedule, weeksLeftOut, type ProgrammeSchedulePlan } from './planned-weeks.ts';
import { mean } from './statistics/basic.ts';

export interface DeliveryInput {
  /**
   * The plan: weekly pattern and exclusion dates say which sessions were planned (fidelity, weeks
   * left out of the frequency); a control arm's checks are "not applicable".
   */
  programme: ProgrammeSchedulePlan & Pick<ProgrammePlan, 'arm'> & { id?: string };
  profile: EvidenceProfile;
  sessions: readonly Session[];
  memberships: readonly Membership[];
  children: readonly DoseChild[];
  /** School-local date the check is made on (see schoolToday). */
  asOf: string;
  catalog?: readonly Activity[];
}

export interface GroupSummary {
  sessionsHeld: number;
  sessionsCancelled: number;
  sessionsUnrecorded: number;
  sessionsUpcoming: number;
  /** Planned occurrences (weekly pattern after exclusion dates) due so far — see the delivered-share check. */
  sessionsPlannedDue: number;
  qualifyingSessions: number;
  sessionsQualifyingUnknown: number;
  totalMinutes: number;
  aerobicMinutes: number;
  qualifyingMinutes: number;
  mvpaMinutes: number;
  vigorousMinutes: number;
  intensityConflicts: number;
  firstHeld: string | null;
  lastHeld: string | null;
  weeksSpanned: number;
  completedWeeks: number;
}

export interface GroupDelivery {
  groupId: string;
  summary: GroupSummary;
  checks: Check[];
}

export interface ChildDelivery {
  childId: string;
  dose: ChildDose;
  checks: Check[];
}

export interface DeliveryResult {
  asOf: string;
  running: boolean;
  endDate: string;
  groups: GroupDelivery[];
  children: ChildDelivery[];
}

interface HeldSession {
  session: Session;
  minutes: SessionMinutes;
  week: number;
}

/** Mean age of the children present, for %HRmax of a group heart-rate reading. */
function presentMeanAge(session: Session, children: ReadonlyMap<string, DoseChild>): number | null {
  const ages = session.register
    .filter((r) => r.status === 'present' || r.status === 'late')
    .map((r) => children.get(r.childId))
    .filter((c): c is DoseChild => c !== undefined)
    .map((c) => ageOn(c.birthYear, c.birthMonth, session.date));
  return ages.length > 0 ? mean(ages) : null;
}

/**
 * A group's delivery against the profile. A control arm's group gets the same measurements (its
 * sessions are usual activity, or contamination) with every check "not applicable" (issue 9).
 */
export function checkGroupDelivery(input: DeliveryInput, groupId: string): GroupDelivery {
  const result = groupDeliveryRules(input, groupId);
  return input.programme.arm === 'control' ? { ...result, checks: result.checks.map(asControlArm) } : result;
}

function groupDeliveryRules(input: DeliveryInput, groupId: string): GroupDelivery {
  const { programme, profile, asOf } = input;
  const schedule = plannedSchedule(programme);
  const t = profile.thresholds;
  const catalog = input.catalog ?? ACTIVITY_CATALOG;
  const rule = qualifyingRule(profile);
  const cal = programmeCalendar(programme, asOf);
  const childMap = new Map(input.children.map((c) => [c.id, c]));
  const mine = input.sessions.filter((s) => s.groupId === groupId && s.date >= programme.startDate);
  const held: HeldSession[] = mine
    .filter((s) => s.status === 'held' && s.date <= asOf)
    .sort((a, b) => a.date.localeCompare(b.date))
    .map((session) => ({
      session,
      week: programmeWeek(programme.startDate, session.date),
      minutes: sessionMinutes(session.activityBlocks, { rule, ageYears: presentMeanAge(session, childMap), catalog }),
    }));
  const sum = (f: (h: HeldSession) => number) => held.reduce((a, h) => a + f(h), 0);
  const firstHeld = held[0]?.session.date ?? null;
  const lastHeld = held[held.length - 1]?.session.date ?? null;
  const weeksSpanned = held.length > 0 ? (held[held.length - 1] as HeldSession).week - (held[0] as HeldSession).week + 1 : 0;
  // Sessions due so far: up to yesterday while running (today's may still be logged), else the end.
  const dueUntil = cal.running ? addDays(asOf, -1) : cal.endDate;
  const summary: GroupSummary = {
    sessionsHeld: held.length,
    sessionsCancelled: mine.filter((s) => s.status === 'cancelled' && s.date <= asOf).length,
    sessionsUnrecorded: mine.filter((s) => s.status === 'scheduled' && s.date < asOf).length,
    sessionsUpcoming: mine.filter((s) => s.status === 'scheduled' && s.date >= asOf).length,
    sessionsPlannedDue: schedule.dates.filter((d) => d <= dueUntil).length,
    qualifyingSessions: held.filter((h) => h.minutes.qualifies === true).length,
    sessionsQualifyingUnknown: held.filter((h) => h.minutes.qualifies === null).length,
    totalMinutes: sum((h) => h.minutes.total),
    aerobicMinutes: sum((h) => h.minutes.aerobic),
    qualifyingMinutes: sum((h) => h.minutes.qualifying),
    mvpaMinutes: sum((h) => h.minutes.mvpa),
    vigorousMinutes: sum((h) => h.minutes.vigorous),
    intensityConflicts: sum((h) => h.minutes.conflicts),
    firstHeld,
    lastHeld,
    weeksSpanned,
    completedWeeks: cal.completedWeeks,
  };
  const checks: Check[] = [];
  const none = held.length === 0;
  const noneText = cal.started ? 'No sessions held yet' : `The programme starts on ${programme.startDate}`;
  const shortfall = cal.running ? 'at-risk' : 'fail';

  if (t.minWeeks) {
    const min = t.minWeeks.value;
    if (none) {
      checks.push(makeCheck('weeks-spanned', t.minWeeks, cal.running ? 'insufficient-data' : 'fail', 0, cal.running ? noneText : 'No sessions were held', 'check.weeks-spanned.none', { min }, 'delivered'));
    } else if (weeksSpanned >= min) {
      checks.push(makeCheck('weeks-spanned', t.minWeeks, 'pass', weeksSpanned, `Sessions span ${plural(weeksSpanned, 'week')} ≥ ${min} ✓`, 'check.weeks-spanned.pass', { weeks: weeksSpanned, min }, 'delivered'));
    } else if (!cal.running) {
      checks.push(makeCheck('weeks-spanned', t.minWeeks, 'fail', weeksSpanned, `Sessions spanned ${plural(weeksSpanned, 'week')} — below ${min}`, 'check.weeks-spanned.fail', { weeks: weeksSpanned, min }, 'delivered'));
    } else {
      const firstWeek = (held[0] as HeldSession).week;
      const reachable = cal.plannedWeeks - firstWeek;
      const targetDate = addDays(programme.startDate, 7 * (firstWeek + min - 1));
      const open = daysBetween(lastHeld as string, asOf);
      let c: Check;
      if (reachable < min) {
        c = makeCheck('weeks-spanned', t.minWeeks, 'fail', weeksSpanned, `${plural(weeksSpanned, 'week')} so far; even with sessions until the planned end (${cal.endDate}) only ${reachable} weeks are possible — below ${min}`, 'check.weeks-spanned.unreachable', { weeks: weeksSpanned, reachable, min, end: cal.endDate }, 'delivered');
      } else if (open >= 14) {
        c = makeCheck('weeks-spanned', t.minWeeks, 'at-risk', weeksSpanned, `${plural(Math.floor(open / 7), 'week')} without a session; ${min} weeks still reachable if sessions resume and continue until the week of ${targetDate}`, 'check.weeks-spanned.atRisk', { weeks: weeksSpanned, idleWeeks: Math.floor(open / 7), min, date: targetDate }, 'delivered');
      } else {
        c = makeCheck('weeks-spanned', t.minWeeks, 'pass', weeksSpanned, `On track: ${plural(weeksSpanned, 'week')} so far; ${min} reached if sessions continue until the week of ${targetDate}`, 'check.weeks-spanned.onTrack', { weeks: weeksSpanned, min, date: targetDate }, 'delivered');
      }
      c.projected = true;
      checks.push(c);
    }
  }

  if (t.minSessionsPerWeek) {
    const min = t.minSessionsPerWeek.value;
    const weeks = cal.completedWeeks;
    // Weeks the exclusion dates leave unable to reach the minimum are not judged (issue 9).
    const left = new Set(weeksLeftOut(schedule, min).filter((w) => w < weeks));
    const judged = Array.from({ length: weeks }, (_, w) => w).filter((w) => !left.has(w));
    const leftNote = left.size > 0 ? `; ${plural(left.size, 'week')} left out: holidays or exam dates leave fewer than ${min} sessions there` : '';
    if (weeks === 0) {
      checks.push(makeCheck('frequency', t.minSessionsPerWeek, 'insufficient-data', null, cal.started ? 'The first programme week is not over yet' : noneText, 'check.frequency.noWeeks', { min }, 'delivered'));
    } else if (judged.length === 0) {
      checks.push(makeCheck('frequency', t.minSessionsPerWeek, 'insufficient-data', null, `Every week so far is shortened by exclusion dates (holidays, exams)`, 'check.frequency.allLeftOut', { min, leftOut: left.size }, 'delivered'));
    } else {
      const perWeek = judged.map((w) => held.filter((h) => h.week === w).length);
      const avg = perWeek.reduce((a, b) => a + b, 0) / judged.length;
      const short = perWeek.filter((n) => n < min).length;
      const ok = avg >= min;
      const status = ok ? 'pass' : shortfall;
      checks.push(makeCheck('frequency', t.minSessionsPerWeek, status, avg,
        (ok
          ? `${fmt(avg)} sessions a week on average ≥ ${min} ✓${short > 0 ? ` (${short} of ${judged.length} weeks had fewer)` : ''}`
          : `${fmt(avg)} sessions a week on average — below ${min} (${short} of ${judged.length} weeks had fewer than ${min})`) + leftNote,
        `check.frequency.${status}`, { perWeek: fmt(avg), short, weeks: judged.length, min, leftOut: left.size }, 'delivered'));
    }
  }

  if (t.minDeliveredPercent) {
    // Fidelity, "dose delivered" (Carroll et al. 2007): held ÷ planned after exclusion dates. A
    // session not logged yet is neither held nor missed: it leaves the count until it is logged.
    // Cancelled sessions count against it; a made-up session (rescheduled, or an extra one) is held.
    const min = t.minDeliveredPercent.value;
    const due = summary.sessionsPlannedDue;
    const heldDue = held.filter((h) => h.session.date <= dueUntil).length;
    const notLogged = mine.filter((s) => s.status === 'scheduled' && s.date <= dueUntil).length;
    const cancelled = mine.filter((s) => s.status === 'cancelled' && s.date <= dueUntil).length;
    const expected = due - notLogged;
    const notLoggedNote = notLogged > 0 ? `; ${notLogged} not logged yet (not counted)` : '';
    if (!schedule.hasPattern) {
      checks.push(makeCheck('delivered-share', t.minDeliveredPercent, 'insufficient-data', null, 'No weekly pattern is planned, so there is nothing to compare the held sessions with', 'check.delivered-share.noPattern', { min }, 'delivered'));
    } else if (due === 0) {
      checks.push(makeCheck('delivered-share', t.minDeliveredPercent, 'insufficient-data', null, cal.started ? 'No planned session is due yet' : noneText, 'check.delivered-share.noneDue', { min }, 'delivered'));
    } else if (expected <= 0) {
      checks.push(makeCheck('delivered-share', t.minDeliveredPercent, 'insufficient-data', null, `None of the ${due} planned sessions so far is logged yet`, 'check.delivered-share.noneLogged', { min, due }, 'delivered'));
    } else {
      const share = (100 * heldDue) / expected;
      const ok = share >= min;
      const status = ok ? 'pass' : shortfall;
      checks.push(makeCheck('delivered-share', t.minDeliveredPercent, status, share,
        `${heldDue} of ${plural(expected, 'planned session')} held: ${fmt(share)} %${ok ? ` ≥ ${min} % ✓` : ` — below ${min} %`}${cancelled > 0 ? `; ${cancelled} cancelled${ok ? '' : ' and not made up'}` : ''}${notLoggedNote}`,
        `check.delivered-share.${status}`, { held: heldDue, planned: expected, share: fmt(share), min, cancelled, notLogged }, 'delivered'));
    }
  }

  if (t.minQualifyingSharePercent) {
    const min = t.minQualifyingSharePercent.value;
    const known = held.filter((h) => h.minutes.qualifies !== null);
    if (known.length === 0) {
      checks.push(makeCheck('qualifying-share', t.minQualifyingSharePercent, 'insufficient-data', null, none ? noneText : 'Intensity was not recorded for the aerobic activities, so it is unknown which sessions qualify', 'check.qualifying-share.noData', { min }, 'delivered'));
    } else {
      const q = known.filter((h) => h.minutes.qualifies === true).length;
      const share = (100 * q) / known.length;
      const ok = share >= min;
      const status = ok ? 'pass' : shortfall;
      const unknown = held.length - known.length;
      checks.push(makeCheck('qualifying-share', t.minQualifyingSharePercent, status, share,
        `${q} of ${known.length} sessions qualified (≥ ${rule.minutes} aerobic minutes at ${rule.intensity} or higher): ${fmt(share)} %${ok ? ` ≥ ${min} % ✓` : ` — below ${min} %`}${unknown > 0 ? `; ${unknown} more without recorded intensity` : ''}`,
        `check.qualifying-share.${status}`, { qualifying: q, held: known.length, share: fmt(share), min, unknown }, 'delivered'));
    }
  }

  if (t.maxGapDays) {
    checks.push(gapCheck('longest-gap', t.maxGapDays, gaps(held.map((h) => h.session.date), asOf, new Set(programme.exclusionDates ?? [])), cal.running, 'session',
      { status: 'insufficient-data', text: noneText, key: 'check.longest-gap.none' }));
  }

  if (t.minAerobicSharePercent) {
    const min = t.minAerobicSharePercent.value;
    if (summary.totalMinutes === 0) {
      checks.push(makeCheck('aerobic-share', t.minAerobicSharePercent, 'insufficient-data', null, noneText, 'check.aerobic-share.none', { min }, 'delivered'));
    } else {
      const share = (100 * summary.aerobicMinutes) / summary.totalMinutes;
      const ok = share >= min;
      const status = ok ? 'pass' : shortfall;
      checks.push(makeCheck('aerobic-share', t.minAerobicSharePercent, status, share,
        `${fmt(share)} % of ${fmt(summary.totalMinutes)} exercise minutes were aerobic${ok ? ` ≥ ${min} % ✓` : ` — below ${min} %`}`,
        `check.aerobic-share.${status}`, { share: fmt(share), minutes: fmt(summary.totalMinutes), min }, 'delivered'));
    }
  }

  if (t.minDailyMvpaMinutes) {
    const min = t.minDailyMvpaMinutes.value;
    const lastDay = cal.running ? asOf : cal.endDate;
    const days = cal.started ? daysBetween(programme.startDate, lastDay) + 1 : 0;
    if (days <= 0 || none) {
      checks.push(makeCheck('daily-mvpa', t.minDailyMvpaMinutes, 'insufficient-data', null, noneText, 'check.daily-mvpa.none', { min }, 'delivered'));
    } else {
      const perDay = summary.mvpaMinutes / days;
      const ok = perDay >= min;
      const status = ok ? 'pass' : shortfall;
      checks.push(makeCheck('daily-mvpa', t.minDailyMvpaMinutes, status, perDay,
        ok ? `About ${fmt(perDay)} moderate-to-vigorous minutes a day ≥ ${min} ✓` : `About ${fmt(perDay)} moderate-to-vigorous minutes a day from the programme; ${min} are recommended — the rest must come from elsewhere`,
        `check.daily-mvpa.${status}`, { perDay: fmt(perDay), min }, 'delivered'));
    }
  }

  if (t.minVigorousDaysPerWeek) {
    const min = t.minVigorousDaysPerWeek.value;
    const weeks = cal.completedWeeks;
    if (weeks === 0) {
      checks.push(makeCheck('vigorous-days', t.minVigorousDaysPerWeek, 'insufficient-data', null, 'The first programme week is not over yet', 'check.vigorous-days.noWeeks', { min }, 'delivered'));
    } else {
      const days = new Set(held.filter((h) => h.week < weeks && h.minutes.vigorous > 0).map((h) => h.session.date)).size;
      const avg = days / weeks;
      const ok = avg >= min;
      const status = ok ? 'pass' : shortfall;
      checks.push(makeCheck('vigorous-days', t.minVigorousDaysPerWeek, status, avg,
        `${fmt(avg)} days a week with vigorous activity${ok ? ` ≥ ${min} ✓` : ` — below ${min}`}`, `check.vigorous-days.${status}`, { perWeek: fmt(avg), min }, 'delivered'));
    }
  }
  return { groupId, summary, checks };
}

export function checkDelivery(input: DeliveryInput): DeliveryResult {
  const cal = programmeCalendar(input.programme, input.asOf);
  const groupIds = [...new Set([...input.sessions.map((s) => s.groupId), ...input.memberships.map((m) => m.groupId)])].sort();
  const groups = groupIds.map((g) => checkGroupDelivery(input, g));
  const children = input.children
    .filter((c) => input.memberships.some((m) => m.childId === c.id && membershipOverlaps(m, input.programme)))
    .map((child) => {
      const doseInput = {
        programme: input.programme,
        profile: input.profile,
        child,
        memberships: input.memberships.filter((m) => m.childId === child.id),
        sessions: input.sessions,
        asOf: input.asOf,
        ...(input.catalog ? { catalog: input.catalog } : {}),
      };
      const dose = computeChildDose(doseInput);
      return { childId: child.id, dose, checks: childChecks(doseInput, dose) };
    });
  return { asOf: input.asOf, running: cal.running, endDate: cal.endDate, groups, children };
}
