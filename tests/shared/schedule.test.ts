// Occurrence generation and pattern-change planning (shared/domain/schedule.ts).
import { describe, expect, it } from 'vitest';
import {
  generateOccurrences,
  monthGrid,
  occurrenceInstant,
  planScheduleSync,
  programmeEndDate,
  type Occurrence,
  type SchedulePattern,
  type StoredOccurrence,
} from '../../shared/domain/schedule.ts';

const monWedFri = [
  { weekday: 1, startTime: '16:00', minutes: 40 },
  { weekday: 3, startTime: '16:00', minutes: 40 },
  { weekday: 5, startTime: '16:00', minutes: 40 },
];
const pattern = (p: Partial<SchedulePattern> = {}): SchedulePattern => ({
  startDate: '2025-03-03',
  plannedWeeks: 12,
  weeklyPattern: monWedFri,
  exclusionDates: [],
  ...p,
});

/** Stored sessions exactly as generated (what the server writes on first generation). */
function stored(occ: readonly Occurrence[], overrides: Record<number, Partial<StoredOccurrence>> = {}): StoredOccurrence[] {
  return occ.map((o, i) => ({
    id: `s${String(i).padStart(3, '0')}`,
    date: o.date,
    startTime: o.startTime,
    plannedMinutes: o.minutes,
    status: 'scheduled',
    origin: 'pattern',
    rescheduledFrom: null,
    logged: false,
    ...overrides[i],
  }));
}

/** Applies a sync plan to stored sessions, as the server does. */
function apply(existing: StoredOccurrence[], plan: ReturnType<typeof planScheduleSync>): StoredOccurrence[] {
  const removed = new Set(plan.remove);
  const updates = new Map(plan.update.map((u) => [u.id, u]));
  const kept = existing
    .filter((s) => !removed.has(s.id))
    .map((s) => {
      const u = updates.get(s.id);
      return u ? { ...s, startTime: u.startTime, plannedMinutes: u.plannedMinutes } : s;
    });
  return [...kept, ...stored(plan.create).map((s, i) => ({ ...s, id: `n${i}-${s.date}-${s.startTime}` }))];
}

describe('occurrence generation', () => {
  it('when a 12-week Mon/Wed/Fri pattern starts on a Monday, then it gives 36 sessions on those weekdays in order', () => {
    const occ = generateOccurrences(pattern());
    expect(occ).toHaveLength(36);
    expect(new Set(occ.map((o) => o.weekday))).toEqual(new Set([1, 3, 5]));
    expect(occ[0]).toMatchObject({ date: '2025-03-03', startTime: '16:00', minutes: 40 });
    expect(occ.at(-1)!.date).toBe('2025-05-23');
    expect(occ.map((o) => o.date)).toEqual([...occ.map((o) => o.date)].sort());
    expect(programmeEndDate('2025-03-03', 12)).toBe('2025-05-25');
  });

  it('when the programme crosses month boundaries, then no day is skipped or doubled (Jan 31 → Feb 28 → Mar 1)', () => {
    const daily = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startTime: '07:00', minutes: 30 }));
    const occ = generateOccurrences(pattern({ startDate: '2025-01-27', plannedWeeks: 6, weeklyPattern: daily }));
    expect(occ).toHaveLength(42);
    const dates = occ.map((o) => o.date);
    expect(new Set(dates).size).toBe(42);
    expect(dates).toContain('2025-01-31');
    expect(dates).toContain('2025-02-28');
    expect(dates).not.toContain('2025-02-29');
    expect(dates[dates.indexOf('2025-02-28') + 1]).toBe('2025-03-01');
  });

  it('when the programme crosses a leap February, then 29 February is a session day', () => {
    const occ = generateOccurrences(pattern({ startDate: '2028-02-21', plannedWeeks: 2, weeklyPattern: [{ weekday: 2, startTime: '16:00', minutes: 30 }] }));
    expect(occ.map((o) => o.date)).toEqual(['2028-02-22', '2028-02-29']);
  });

  it('when the programme crosses the new year, then the weekdays stay right (2025-12-29 is a Monday, 2026-01-02 a Friday)', () => {
    const occ = generateOccurrences(pattern({ startDate: '2025-12-22', plannedWeeks: 3 }));
    expect(occ.map((o) => o.date)).toEqual([
      '2025-12-22', '2025-12-24', '2025-12-26', '2025-12-29', '2025-12-31', '2026-01-02', '2026-01-05', '2026-01-07', '2026-01-09',
    ]);
  });

  it('when holidays and an exam week are excluded, then no occurrence falls on them and the others stay', () => {
    // Qingming 2025-04-04 (Fri) and an exam week 2025-04-14…18.
    const exam = ['2025-04-14', '2025-04-15', '2025-04-16', '2025-04-17', '2025-04-18'];
    const occ = generateOccurrences(pattern({ exclusionDates: ['2025-04-04', ...exam] }));
    const dates = occ.map((o) => o.date);
    expect(dates).not.toContain('2025-04-04');
    for (const d of exam) expect(dates).not.toContain(d);
    expect(occ).toHaveLength(36 - 1 - 3);
    expect(dates).toContain('2025-04-02');
  });

  it('when a session starts at 07:30 in Asia/Shanghai, then its date is the Shanghai date although the UTC instant is the day before', () => {
    const occ = generateOccurrences(pattern({ startDate: '2025-03-03', plannedWeeks: 1, weeklyPattern: [{ weekday: 1, startTime: '07:30', minutes: 30 }] }), 'Asia/Shanghai');
    expect(occ).toEqual([{ date: '2025-03-03', startTime: '07:30', minutes: 30, weekday: 1, startsAt: '2025-03-02T23:30:00.000Z' }]);
    expect(occurrenceInstant('2025-03-03', '00:00', 'Asia/Shanghai').toISOString()).toBe('2025-03-02T16:00:00.000Z');
    expect(occurrenceInstant('2025-03-03', '23:59', 'Asia/Shanghai').toISOString()).toBe('2025-03-03T15:59:00.000Z');
  });

  it('when the school is in a zone with daylight saving, then the spring-forward week still has every day once', () => {
    const daily = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startTime: '09:00', minutes: 30 }));
    const occ = generateOccurrences(pattern({ startDate: '2025-03-03', plannedWeeks: 2, weeklyPattern: daily }), 'America/New_York');
    expect(occ.map((o) => o.date)).toHaveLength(14);
    expect(occ.find((o) => o.date === '2025-03-08')!.startsAt).toBe('2025-03-08T14:00:00.000Z');
    expect(occ.find((o) => o.date === '2025-03-10')!.startsAt).toBe('2025-03-10T13:00:00.000Z');
  });

  it('when two slots share a weekday, then that day has two occurrences in time order', () => {
    const occ = generateOccurrences(
      pattern({ plannedWeeks: 1, weeklyPattern: [{ weekday: 2, startTime: '16:00', minutes: 30 }, { weekday: 2, startTime: '07:00', minutes: 20 }] }),
    );
    expect(occ.map((o) => `${o.date} ${o.startTime}`)).toEqual(['2025-03-04 07:00', '2025-03-04 16:00']);
  });

  it('when there is no weekly pattern, then there are no occurrences', () => {
    expect(generateOccurrences(pattern({ weeklyPattern: [] }))).toEqual([]);
  });

  it('when a month grid is drawn, then weeks start on Monday and cover the month', () => {
    const grid = monthGrid(2025, 3); // 1 March 2025 was a Saturday
    expect(grid[0]).toEqual([null, null, null, null, null, '2025-03-01', '2025-03-02']);
    expect(grid.flat().filter(Boolean)).toHaveLength(31);
    expect(grid.every((w) => w.length === 7)).toBe(true);
  });
});

describe('regenerating after a pattern change', () => {
  // "Now" is Wednesday 2025-04-02 12:00 in Shanghai (04:00 UTC): the 16:00 session that day is still ahead.
  const now = new Date('2025-04-02T04:00:00.000Z');
  const original = generateOccurrences(pattern());

  it('when nothing changed, then the plan is empty (idempotent)', () => {
    const existing = stored(original);
    const plan = planScheduleSync({ desired: original, existing, now });
    expect(plan.create).toEqual([]);
    expect(plan.update).toEqual([]);
    expect(plan.remove).toEqual([]);
    expect(plan.keep).toHaveLength(36);
  });

  it('when a group has no sessions yet, then the first generation lays out the whole programme, past weeks included', () => {
    const plan = planScheduleSync({ desired: original, existing: [], now, firstGeneration: true });
    expect(plan.create).toHaveLength(36);
    const again = planScheduleSync({ desired: original, existing: apply([], plan), now });
    expect([again.create, again.update, again.remove]).toEqual([[], [], []]);
  });

  it('when Friday becomes Tuesday, then only future untouched sessions move; held, cancelled and past ones stay', () => {
    const existing = stored(original, {
      // 2025-03-07 (Fri, past, held)
      2: { status: 'held', logged: true },
      // 2025-04-04 (Fri, future) cancelled by hand
      14: { status: 'cancelled' },
      // 2025-04-11 (Fri, future) with a register saved but status not yet flipped
      17: { logged: true },
    });
    expect([existing[2]!.date, existing[14]!.date, existing[17]!.date]).toEqual(['2025-03-07', '2025-04-04', '2025-04-11']);
    const desired = generateOccurrences(pattern({ weeklyPattern: [monWedFri[0]!, monWedFri[1]!, { weekday: 2, startTime: '16:00', minutes: 40 }] }));
    const plan = planScheduleSync({ desired, existing, now });

    const removedDates = plan.remove.map((id) => existing.find((s) => s.id === id)!.date);
    expect(removedDates.every((d) => d > '2025-04-02')).toBe(true);
    expect(removedDates).not.toContain('2025-04-04');
    expect(removedDates).not.toContain('2025-04-11');
    // Future Fridays 04-18 … 05-23 = 6, minus the two kept (cancelled 04-04 is before; logged 04-11).
    expect(removedDates).toEqual(['2025-04-18', '2025-04-25', '2025-05-02', '2025-05-09', '2025-05-16', '2025-05-23']);
    expect(plan.create.map((o) => o.date)).toEqual([
      '2025-04-08', '2025-04-15', '2025-04-22', '2025-04-29', '2025-05-06', '2025-05-13', '2025-05-20',
    ]);
    for (const id of ['s002', 's014', 's017']) expect(plan.keep).toContain(id);
    // Past Fridays (not held) stay too: the past is never rewritten.
    expect(plan.keep).toContain('s005');

    const after = apply(existing, plan);
    const again = planScheduleSync({ desired, existing: after, now });
    expect([again.create, again.update, again.remove]).toEqual([[], [], []]);
  });

  it('when the time and minutes change, then future untouched sessions are re-timed in place and today\'s later session counts as future', () => {
    const existing = stored(original);
    const desired = generateOccurrences(pattern({ weeklyPattern: monWedFri.map((s) => ({ ...s, startTime: '16:30', minutes: 45 })) }));
    const plan = planScheduleSync({ desired, existing, now });
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([]);
    const updatedDates = plan.update.map((u) => existing.find((s) => s.id === u.id)!.date);
    expect(updatedDates[0]).toBe('2025-04-02');
    expect(updatedDates.every((d) => d >= '2025-04-02')).toBe(true);
    expect(plan.update.every((u) => u.startTime === '16:30' && u.plannedMinutes === 45)).toBe(true);
    expect(plan.update).toHaveLength(36 - 13);
  });

  it('when a session was rescheduled to another day, then its original day is not generated again', () => {
    // 2025-04-07 (Mon) moved to 2025-04-08 (Tue).
    const existing = stored(original, { 15: { date: '2025-04-08', rescheduledFrom: '2025-04-07' } });
    expect(existing[15]!.rescheduledFrom).toBe('2025-04-07');
    const plan = planScheduleSync({ desired: original, existing, now });
    expect([plan.create, plan.update, plan.remove]).toEqual([[], [], []]);
  });

  it('when a holiday is added later, then the future session that day is removed but an extra session there stays', () => {
    const existing = [
      ...stored(original),
      { id: 'x1', date: '2025-04-30', startTime: '09:00', plannedMinutes: 30, status: 'scheduled' as const, origin: 'extra' as const, rescheduledFrom: null, logged: false },
    ];
    const desired = generateOccurrences(pattern({ exclusionDates: ['2025-04-30', '2025-03-05'] }));
    const plan = planScheduleSync({ desired, existing, now });
    expect(plan.remove.map((id) => existing.find((s) => s.id === id)!.date)).toEqual(['2025-04-30']);
    expect(plan.keep).toContain('x1');
    // 2025-03-05 is past: excluded after the fact, the session stays.
    expect(plan.remove.map((id) => existing.find((s) => s.id === id)!.date)).not.toContain('2025-03-05');
  });

  it('when the programme is shortened or lengthened, then only sessions after today are dropped or added', () => {
    const existing = stored(original);
    const shorter = planScheduleSync({ desired: generateOccurrences(pattern({ plannedWeeks: 10 })), existing, now });
    expect(shorter.remove).toHaveLength(6);
    expect(shorter.create).toEqual([]);
    const longer = planScheduleSync({ desired: generateOccurrences(pattern({ plannedWeeks: 14 })), existing, now });
    expect(longer.create.map((o) => o.date)).toEqual(['2025-05-26', '2025-05-28', '2025-05-30', '2025-06-02', '2025-06-04', '2025-06-06']);
  });

  it('when a weekday is added that also fell in past weeks, then only its future dates are created', () => {
    const existing = stored(original);
    const desired = generateOccurrences(pattern({ weeklyPattern: [...monWedFri, { weekday: 4, startTime: '16:00', minutes: 40 }] }));
    const plan = planScheduleSync({ desired, existing, now });
    expect(plan.create[0]!.date).toBe('2025-04-03');
    expect(plan.create.every((o) => o.date > '2025-04-02')).toBe(true);
  });
});
