import { describe, expect, it } from 'vitest';
import { blockIntensity, classifyHeartRate, classifyMets, classifyRpe, youthHrMax } from '../../shared/domain/intensity.ts';
import { ACTIVITY_CATALOG, findActivity } from '../../shared/domain/activities.ts';
import { ageOn, isoWeekday, schoolToday, addDays, isValidIsoDate } from '../../shared/domain/dates.ts';

describe('intensity bands', () => {
  it('when RPE is 4, 5, 6.5, 7, then it is light, moderate, moderate, vigorous (product default bands)', () => {
    expect([4, 5, 6.5, 7, 10].map(classifyRpe)).toEqual(['light', 'moderate', 'moderate', 'vigorous', 'vigorous']);
  });
  it('when a 10-year-old has HR 130, then HRmax = 208 − 7 = 201 and 64.7 % is moderate (ACSM)', () => {
    expect(youthHrMax(10)).toBe(201);
    const r = classifyHeartRate(130, 10);
    expect(r.level).toBe('moderate');
    expect(r.percentHrMax).toBeCloseTo(64.676616915, 8);
    expect(classifyHeartRate(128, 10).level).toBe('light'); // 63.7 %
    expect(classifyHeartRate(155, 10).level).toBe('vigorous'); // 77.1 %
    expect(classifyHeartRate(100, 10).note).toMatch(/very light/);
    expect(classifyHeartRate(200, 10).note).toMatch(/above 95/);
  });
  it('when METs are 3.9, 4, 5.9, 6, then light, moderate, moderate, vigorous (AHA 2020 youth)', () => {
    expect([3.9, 4, 5.9, 6].map(classifyMets)).toEqual(['light', 'moderate', 'moderate', 'vigorous']);
  });
});

describe('blockIntensity', () => {
  it('when RPE and heart rate agree, then the level is measured and agreement is "agree"', () => {
    const r = blockIntensity({ rpe: 6, avgHeartRate: 140, ageYears: 10 });
    expect(r).toMatchObject({ level: 'moderate', source: 'measured', agreement: 'agree' });
  });
  it('when measures disagree, then it says so and counts the lower level', () => {
    const r = blockIntensity({ rpe: 8, avgHeartRate: 130, mets: 7, ageYears: 10 });
    expect(r.agreement).toBe('disagree');
    expect(r.level).toBe('moderate');
    expect(r.explanation).toMatch(/disagree.*RPE 8.*vigorous.*heart rate 130.*moderate/);
    expect(r.messageKey).toBe('intensity.disagree');
  });
  it('when nothing is recorded, then the catalog gives an estimate labelled as such, or null for unknown activities', () => {
    expect(blockIntensity({ activityCode: 'running' })).toMatchObject({ level: 'vigorous', source: 'catalog' });
    expect(blockIntensity({ activityCode: 'brisk-walking' }).level).toBe('light');
    expect(blockIntensity({ activityCode: 'kite-flying' })).toMatchObject({ level: null, source: 'none' });
  });
  it('when heart rate is given without an age, then it is not used and the explanation says why', () => {
    const r = blockIntensity({ avgHeartRate: 150, rpe: 5 });
    expect(r.readings.map((x) => x.measure)).toEqual(['rpe']);
    expect(r.explanation).toMatch(/age unknown/);
  });
  it('the catalog classes the DESIGN examples as aerobic / anaerobic', () => {
    for (const c of ['running', 'rope-skipping', 'football', 'basketball', 'aerobic-dance']) expect(findActivity(c)?.type).toBe('aerobic');
    for (const c of ['sprints', 'strength-circuit']) expect(findActivity(c)?.type).toBe('anaerobic');
    expect(new Set(ACTIVITY_CATALOG.map((a) => a.code)).size).toBe(ACTIVITY_CATALOG.length);
  });
});

describe('school dates (Asia/Shanghai, no daylight saving)', () => {
  it('when it is Sunday 23:59 UTC+8 vs Monday 00:00 UTC+8, then the school date changes week day at the right instant', () => {
    expect(schoolToday(new Date('2025-03-09T15:59:59Z'))).toBe('2025-03-09');
    expect(isoWeekday('2025-03-09')).toBe(7);
    expect(schoolToday(new Date('2025-03-09T16:00:00Z'))).toBe('2025-03-10');
    expect(isoWeekday('2025-03-10')).toBe(1);
    // Around the dates Europe/US shift clocks nothing moves in Shanghai
    expect(schoolToday(new Date('2025-03-30T01:30:00Z'))).toBe('2025-03-30');
    expect(schoolToday(new Date('2025-11-02T16:30:00Z'))).toBe('2025-11-03');
  });
  it('date arithmetic is calendar-exact across month and year ends', () => {
    expect(addDays('2024-12-30', 7)).toBe('2025-01-06');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(isValidIsoDate('2025-02-29')).toBe(false);
    expect(ageOn(2015, 6, '2025-05-31')).toBe(9);
    expect(ageOn(2015, 6, '2025-06-01')).toBe(10);
  });
});
