// Live check of a programme plan against an evidence profile (DESIGN §3). One check per threshold
// the profile defines; a threshold the profile lacks gives no check.
import type { EvidenceProfile } from '../schemas/evidence.ts';
import type { ProgrammePlan } from '../schemas/programme.ts';
import { ACTIVITY_CATALOG, findActivity, type Activity } from './activities.ts';
import { asControlArm, makeCheck, fmt, plural, type Check } from './check.ts';
import { gaps } from './dose.ts';
import { atLeast, type IntensityLevel } from './intensity.ts';
import { plannedSchedule, weeksLeftOut, weeksWithPlannedSessions } from './planned-weeks.ts';

/** Minutes of one planned session by kind (template activity blocks). */
export function plannedSessionMinutes(plan: ProgrammePlan, minIntensity: IntensityLevel = 'moderate', catalog: readonly Activity[] = ACTIVITY_CATALOG) {
  let total = 0;
  let aerobic = 0;
  let aerobicAtIntensity = 0;
  let mvpa = 0;
  let vigorous = 0;
  const unknown: string[] = [];
  for (const b of plan.activityBlocks) {
    total += b.minutes;
    const a = findActivity(b.activityCode, catalog);
    if (!a) unknown.push(b.activityCode);
    if (atLeast(b.targetIntensity, 'moderate')) mvpa += b.minutes;
    if (b.targetIntensity === 'vigorous') vigorous += b.minutes;
    if (a?.type === 'aerobic') {
      aerobic += b.minutes;
      if (atLeast(b.targetIntensity, minIntensity)) aerobicAtIntensity += b.minutes;
    }
  }
  return { total, aerobic, aerobicAtIntensity, mvpa, vigorous, unknown };
}

/** Longest gap in days between consecutive planned weekdays, wrapping round the week. */
export function longestPlannedGap(weekdays: readonly number[]): number | null {
  const days = [...new Set(weekdays)].sort((a, b) => a - b);
  if (days.length === 0) return null;
  let longest = 7 - (days[days.length - 1] as number) + (days[0] as number);
  for (let i = 1; i < days.length; i++) longest = Math.max(longest, (days[i] as number) - (days[i - 1] as number));
  return longest;
}

/**
 * The plan against the profile. The schedule's exclusion dates count (issue 9): duration counts the
 * weeks that have planned sessions, gaps are measured between the real planned dates, and weeks the
 * exclusions leave unable to reach the weekly frequency are left out of it. A control arm's plan is
 * "not applicable".
 */
export function checkPlan(plan: ProgrammePlan, profile: EvidenceProfile, catalog: readonly Activity[] = ACTIVITY_CATALOG): Check[] {
  const checks = checkPlanRules(plan, profile, catalog);
  return plan.arm === 'control' ? checks.map(asControlArm) : checks;
}

function checkPlanRules(plan: ProgrammePlan, profile: EvidenceProfile, catalog: readonly Activity[]): Check[] {
  const t = profile.thresholds;
  const schedule = plannedSchedule(plan);
  const checks: Check[] = [];
  const minIntensity = t.minIntensity?.value ?? 'moderate';
  const mins = plannedSessionMinutes(plan, minIntensity, catalog);
  const slots = plan.weeklyPattern;
  const noBlocks = plan.activityBlocks.length === 0;
  const unknownNote = mins.unknown.length > 0 ? ` (not in the activity list, counted as not aerobic: ${mins.unknown.join(', ')})` : '';

  if (t.minWeeks) {
    const min = t.minWeeks.value;
    // With a weekly pattern, weeks wholly taken by exclusion dates are not programme weeks.
    const weeks = slots.length > 0 ? weeksWithPlannedSessions(schedule) : plan.plannedWeeks;
    const excluded = plan.plannedWeeks - weeks;
    const ok = weeks >= min;
    const note = excluded > 0 ? ` (${plural(plan.plannedWeeks, 'week')} in the calendar, ${plural(excluded, 'week')} wholly excluded)` : '';
    checks.push(
      makeCheck('duration', t.minWeeks, ok ? 'pass' : 'fail', weeks,
        ok ? `${plural(weeks, 'week')}${excluded > 0 ? ' with sessions' : ''} planned ≥ ${min} ✓${note}` : `${plural(weeks, 'week')}${excluded > 0 ? ' with sessions' : ''} planned${note} — below ${min}; plan at least ${min} weeks`,
        ok ? 'check.duration.plan.pass' : 'check.duration.plan.fail',
        { planned: weeks, min, calendarWeeks: plan.plannedWeeks, excluded }, 'planned'),
    );
  }

  if (t.minSessionMinutes) {
    const min = t.minSessionMinutes.value;
    if (slots.length === 0) {
      checks.push(makeCheck('session-length', t.minSessionMinutes, 'insufficient-data', null, 'No weekly sessions planned yet', 'check.session-length.plan.noSlots', { min }, 'planned'));
    } else {
      const short = slots.filter((s) => s.minutes < min);
      const shortest = Math.min(...slots.map((s) => s.minutes));
      const shortMinutes = [...new Set(short.map((s) => s.minutes))].sort((a, b) => a - b).join('/');
      checks.push(
        makeCheck('session-length', t.minSessionMinutes, short.length === 0 ? 'pass' : 'fail', shortest,
          short.length === 0
            ? `All ${slots.length} weekly sessions are ${min} minutes or longer ✓`
            : `${short.length} of ${slots.length} weekly sessions ${short.length === 1 ? 'is' : 'are'} ${shortMinutes} minutes — below ${min}`,
          short.length === 0 ? 'check.session-length.plan.pass' : 'check.session-length.plan.fail',
          { short: short.length, total: slots.length, minutes: shortMinutes, min }, 'planned'),
      );
    }
    // Aerobic minutes at the profile's intensity per session: what makes a session qualify.
    if (noBlocks) {
      checks.push(makeCheck('aerobic-minutes', t.minSessionMinutes, 'insufficient-data', null, 'No activities planned yet — add what the children will do', 'check.aerobic-minutes.plan.noBlocks', { min }, 'planned'));
    } else {
      const q = mins.aerobicAtIntensity;
      const shortest = slots.length > 0 ? Math.min(...slots.map((s) => s.minutes)) : null;
      const overrun = shortest !== null && mins.total > shortest;
      let status: Check['status'] = q >= min ? 'pass' : 'fail';
      let explanation =
        q >= min
          ? `Each session plans ${q} aerobic minutes at ${minIntensity} or higher ≥ ${min} ✓`
          : `Only ${q} of the ${mins.total} planned minutes are aerobic at ${minIntensity} or higher — below ${min}${unknownNote}`;
      if (q >= min && overrun) {
        status = shortest !== null && shortest >= min ? 'at-risk' : 'fail';
        explanation = `The activities add up to ${mins.total} minutes but the shortest session is ${shortest} minutes — the aerobic part may be cut below ${min}`;
      }
      checks.push(makeCheck('aerobic-minutes', t.minSessionMinutes, status, q, explanation, `check.aerobic-minutes.plan.${status}`,
        { minutes: q, total: mins.total, min, intensity: minIntensity }, 'planned'));
    }
  }

  if (t.minAerobicSharePercent) {
    const min = t.minAerobicSharePercent.value;
    if (noBlocks || mins.total === 0) {
      checks.push(makeCheck('aerobic-share', t.minAerobicSharePercent, 'insufficient-data', null, 'No activities planned yet', 'check.aerobic-share.plan.noBlocks', { min }, 'planned'));
    } else {
      const share = (100 * mins.aerobic) / mins.total;
      const ok = share >= min;
      checks.push(makeCheck('aerobic-share', t.minAerobicSharePercent, ok ? 'pass' : 'fail', share,
        ok ? `${fmt(share)} % of planned minutes are aerobic ≥ ${min} % ✓` : `Only ${fmt(share)} % of planned minutes are aerobic — below ${min} %; swap in running, rope skipping, football or similar${unknownNote}`,
        ok ? 'check.aerobic-share.plan.pass' : 'check.aerobic-share.plan.fail', { share: fmt(share), min }, 'planned'));
    }
  }

  if (t.minSessionsPerWeek) {
    const min = t.minSessionsPerWeek.value;
    const n = slots.length;
    const left = new Set(weeksLeftOut(schedule, min));
    const judged = schedule.weeks.filter((w) => !left.has(w.week));
    const leftNote = left.size > 0 ? `; ${plural(left.size, 'week')} left out: holidays or exam dates leave fewer than ${min} sessions there` : '';
    const productNote = t.minSessionsPerWeek.isProductDefault ? ' (product default)' : '';
    if (n === 0) {
      checks.push(makeCheck('frequency', t.minSessionsPerWeek, 'insufficient-data', null, 'No weekly sessions planned yet', 'check.frequency.plan.noSlots', { min }, 'planned'));
    } else if (judged.length === 0 && left.size > 0) {
      checks.push(makeCheck('frequency', t.minSessionsPerWeek, 'insufficient-data', null, `Exclusion dates leave fewer than ${min} sessions in every week`, 'check.frequency.plan.allExcluded', { min, leftOut: left.size }, 'planned'));
    } else {
      // No calendar weeks to walk yet (weeks not entered): judge the weekly pattern itself.
      const avg = judged.length > 0 ? judged.reduce((a, w) => a + w.planned, 0) / judged.length : n;
      const ok = avg >= min;
      checks.push(makeCheck('frequency', t.minSessionsPerWeek, ok ? 'pass' : 'fail', avg,
        ok ? `${plural(avg, 'session')} a week ≥ ${min} ✓${leftNote}` : `${plural(avg, 'session')} a week — below ${min}${productNote}${leftNote}`,
        ok ? 'check.frequency.plan.pass' : 'check.frequency.plan.fail',
        { planned: fmt(avg), min, leftOut: left.size, weeks: judged.length }, 'planned'));
    }
  }

  if (t.maxGapDays) {
    const max = t.maxGapDays.value;
    // Real gaps between planned dates (exclusions included): an exam break shows as the long gap it is.
    const g = gaps(schedule.dates, plan.startDate);
    const gap = g.longestClosed ?? longestPlannedGap(slots.map((s) => s.weekday));
    if (gap === null) {
      checks.push(makeCheck('longest-gap', t.maxGapDays, 'insufficient-data', null, 'No weekly sessions planned yet', 'check.longest-gap.plan.noSlots', { max }, 'planned'));
    } else {
      const ok = gap <= max;
      const between = g.longestClosed !== null ? ` (${g.longestFrom} → ${g.longestTo})` : '';
      checks.push(makeCheck('longest-gap', t.maxGapDays, ok ? 'pass' : 'fail', gap,
        ok ? `Longest planned gap ${plural(gap, 'day')} ≤ ${max} ✓` : `Longest planned gap ${plural(gap, 'day')}${between} — more than ${max}; plan a session inside the break`,
        ok ? 'check.longest-gap.plan.pass' : 'check.longest-gap.plan.fail', { gap, max, from: g.longestFrom ?? '', to: g.longestTo ?? '' }, 'planned'));
    }
  }

  if (t.minDailyMvpaMinutes) {
    const min = t.minDailyMvpaMinutes.value;
    if (slots.length === 0 || noBlocks) {
      checks.push(makeCheck('daily-mvpa', t.minDailyMvpaMinutes, 'insufficient-data', null, 'Add weekly sessions and activities to see the daily average', 'check.daily-mvpa.plan.noData', { min }, 'planned'));
    } else {
      // Each slot delivers at most its own length of the template's moderate-or-harder minutes.
      const weekly = slots.reduce((acc, s) => acc + Math.min(s.minutes, mins.mvpa), 0);
      const perDay = weekly / 7;
      const ok = perDay >= min;
      checks.push(makeCheck('daily-mvpa', t.minDailyMvpaMinutes, ok ? 'pass' : 'fail', perDay,
        ok
          ? `The programme gives about ${fmt(perDay)} moderate-to-vigorous minutes a day ≥ ${min} ✓`
          : `The programme gives about ${fmt(perDay)} moderate-to-vigorous minutes a day; ${min} are recommended — the rest must come from PE lessons, play and getting to school`,
        ok ? 'check.daily-mvpa.plan.pass' : 'check.daily-mvpa.plan.fail', { perDay: fmt(perDay), min }, 'planned'));
    }
  }

  if (t.minVigorousDaysPerWeek) {
    const min = t.minVigorousDaysPerWeek.value;
    const days = mins.vigorous > 0 ? new Set(slots.map((s) => s.weekday)).size : 0;
    const ok = days >= min;
    checks.push(makeCheck('vigorous-days', t.minVigorousDaysPerWeek, slots.length === 0 ? 'insufficient-data' : ok ? 'pass' : 'fail', days,
      slots.length === 0
        ? 'No weekly sessions planned yet'
        : ok
          ? `Vigorous activity on ${plural(days, 'day')} a week ≥ ${min} ✓`
          : mins.vigorous === 0
            ? `No vigorous activity planned; ${min} days a week are recommended`
            : `Vigorous activity on ${plural(days, 'day')} a week — below ${min}`,
      slots.length === 0 ? 'check.vigorous-days.plan.noSlots' : ok ? 'check.vigorous-days.plan.pass' : 'check.vigorous-days.plan.fail', { days, min }, 'planned'));
  }
  return checks;
}
