// API schemas of questionnaire waves, assessments (entry, edit, second entry) and the
// counsellor's worklist (issue 6), plus the pure wave-window helpers the server and the forms share.
import { z } from 'zod';
import { addDays, dayNumber } from '../domain/dates.ts';
import { LIMITS } from '../limits.ts';
import { waves, type Wave } from './child.ts';
import { isoDateSchema } from './common.ts';
import { instrumentCodeSchema } from './instruments-api.ts';

const objectId = z.string().regex(/^[a-f0-9]{24}$/, 'must be a 24-character id');
const versionSchema = z.number().int().min(0);

export const waveSchema = z.enum(waves);

// ---------------------------------------------------------------- waves

export const programmeIdParamsSchema = z.strictObject({ programmeId: objectId });

export const waveWindowSchema = z.strictObject({ wave: waveSchema, opensOn: isoDateSchema, closesOn: isoDateSchema });
export type WaveWindow = z.infer<typeof waveWindowSchema>;

export const programmeInstrumentSchema = z.strictObject({ code: instrumentCodeSchema, version: z.number().int().min(1) });

export const updateWavesSchema = z
  .strictObject({
    version: versionSchema,
    instruments: z.array(programmeInstrumentSchema).max(10),
    waves: z.array(waveWindowSchema).max(waves.length),
  })
  .superRefine((input, ctx) => {
    const codes = input.instruments.map((i) => i.code.toUpperCase());
    if (new Set(codes).size !== codes.length) ctx.addIssue({ code: 'custom', path: ['instruments'], message: 'each instrument only once' });
    const ws = input.waves.map((w) => w.wave);
    if (new Set(ws).size !== ws.length) ctx.addIssue({ code: 'custom', path: ['waves'], message: 'each wave only once' });
    input.waves.forEach((w, i) => {
      if (w.opensOn > w.closesOn) ctx.addIssue({ code: 'custom', path: ['waves', i, 'closesOn'], message: 'the window must close on or after the day it opens' });
    });
  });
export type UpdateWavesInput = z.infer<typeof updateWavesSchema>;

/**
 * Default windows relative to the programme dates (product defaults, labelled as such in the UI;
 * no source prescribes them): pre = the 2 weeks before the start (as the issue's example);
 * post = the last programme week to 2 weeks after the end; follow-up = 12 to 16 weeks after the
 * end (a common 3-month follow-up in school intervention trials).
 */
export const DEFAULT_WAVE_OFFSETS = {
  pre: { fromStart: -14, toStart: -1 },
  post: { fromEnd: -6, toEnd: 14 },
  followup: { fromEnd: 84, toEnd: 112 },
} as const;

/** Last day of a programme: start + planned weeks × 7 − 1. */
export function programmeEndDate(startDate: string, plannedWeeks: number): string {
  return addDays(startDate, plannedWeeks * 7 - 1);
}

export function suggestWaveWindows(startDate: string, plannedWeeks: number): WaveWindow[] {
  const end = programmeEndDate(startDate, plannedWeeks);
  const o = DEFAULT_WAVE_OFFSETS;
  return [
    { wave: 'pre', opensOn: addDays(startDate, o.pre.fromStart), closesOn: addDays(startDate, o.pre.toStart) },
    { wave: 'post', opensOn: addDays(end, o.post.fromEnd), closesOn: addDays(end, o.post.toEnd) },
    { wave: 'followup', opensOn: addDays(end, o.followup.fromEnd), closesOn: addDays(end, o.followup.toEnd) },
  ];
}

export function isInWindow(date: string, window: Pick<WaveWindow, 'opensOn' | 'closesOn'>): boolean {
  const d = dayNumber(date);
  return d >= dayNumber(window.opensOn) && d <= dayNumber(window.closesOn);
}

export function windowOf(windows: readonly WaveWindow[], wave: Wave): WaveWindow | undefined {
  return windows.find((w) => w.wave === wave);
}

// ---------------------------------------------------------------- assessments

/** Why an item has no answer; the codes are translated in the UI. */
export const missingReasons = ['skipped', 'refused', 'unclear', 'not_asked', 'other'] as const;
export type MissingReason = (typeof missingReasons)[number];

const answerSchema = z.number().int('answers are whole numbers').min(-1000).max(1000).nullable();
const answersSchema = z.array(answerSchema).min(1).max(LIMITS.instrumentItems.max);
const missingItemSchema = z.strictObject({
  item: z.number().int().min(1).max(LIMITS.instrumentItems.max),
  reason: z.enum(missingReasons),
});
const missingSchema = z.array(missingItemSchema).max(LIMITS.instrumentItems.max);

export const createAssessmentSchema = z.strictObject({
  childId: objectId,
  programmeId: objectId,
  instrumentCode: instrumentCodeSchema,
  wave: waveSchema,
  date: isoDateSchema,
  answers: answersSchema,
  missing: missingSchema.default([]),
  /** The counsellor confirmed a date outside the wave's window. */
  confirmOutsideWindow: z.boolean().optional(),
});
export type CreateAssessmentInput = z.infer<typeof createAssessmentSchema>;

export const updateAssessmentSchema = z.strictObject({
  version: versionSchema,
  date: isoDateSchema.optional(),
  answers: answersSchema.optional(),
  missing: missingSchema.optional(),
  confirmOutsideWindow: z.boolean().optional(),
});
export type UpdateAssessmentInput = z.infer<typeof updateAssessmentSchema>;

/** Double data entry: a second person types the same paper form again. */
export const secondEntrySchema = z.strictObject({ answers: answersSchema, missing: missingSchema.default([]) });
export type SecondEntryInput = z.infer<typeof secondEntrySchema>;

export const assessmentIdParamsSchema = z.strictObject({ id: objectId });

export const listAssessmentsQuerySchema = z
  .strictObject({
    childId: objectId.optional(),
    programmeId: objectId.optional(),
    wave: waveSchema.optional(),
    instrumentCode: instrumentCodeSchema.optional(),
  })
  .refine((q) => q.childId !== undefined || q.programmeId !== undefined, { message: 'give a childId or a programmeId', path: ['childId'] });
export type ListAssessmentsQuery = z.infer<typeof listAssessmentsQuerySchema>;

export const entrySheetQuerySchema = z.strictObject({ programmeId: objectId, wave: waveSchema, instrumentCode: instrumentCodeSchema });

/** Answers typed twice that differ (item numbers 1-based; null = marked missing). */
export interface EntryDifference {
  item: number;
  first: number | null;
  second: number | null;
}

export function entryDifferences(first: ReadonlyArray<number | null>, second: ReadonlyArray<number | null>): EntryDifference[] {
  const out: EntryDifference[] = [];
  const n = Math.max(first.length, second.length);
  for (let i = 0; i < n; i++) {
    const a = first[i] ?? null;
    const b = second[i] ?? null;
    if (a !== b) out.push({ item: i + 1, first: a, second: b });
  }
  return out;
}

// ---------------------------------------------------------------- worklist

export const worklistQuerySchema = z.strictObject({ schoolId: objectId.optional() });
export const childIdParamsSchema = z.strictObject({ childId: objectId });

export const worklistKinds = ['missing_wave', 'above_cutoff', 'reliable_worsening', 'attendance_falling', 'attendance_stopped'] as const;
export type WorklistKind = (typeof worklistKinds)[number];

/** Attendance below this share of scheduled sessions over the last weeks is flagged (issue 6: < 60 % over 3 weeks). */
export const ATTENDANCE_FALLING_BELOW = 0.6;
export const ATTENDANCE_WINDOW_WEEKS = 3;

/** One line of the counsellor's worklist (server response = client type). */
export interface WorklistItem {
  kind: WorklistKind;
  childId: string;
  childCode: string;
  childName: string;
  schoolId: string;
  programmeId: string;
  programmeName: string;
  /** Values for the translated reason in the UI. */
  params: Record<string, string | number | boolean | null>;
  /** English reason (logs, API users); the UI translates from kind + params. */
  reason: string;
  link: string;
  /** Higher first: overdue waves and reliable worsening before open waves. */
  priority: number;
}
