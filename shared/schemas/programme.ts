import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { arms } from './child.ts';
import { intensityLevelSchema, isoDateSchema, timeSchema } from './common.ts';

const minutes = z.number().int().min(LIMITS.sessionMinutes.min).max(LIMITS.sessionMinutes.max);

export const weeklySlotSchema = z.object({
  /** ISO weekday: Monday = 1 … Sunday = 7. */
  weekday: z.number().int().min(1).max(7),
  startTime: timeSchema,
  minutes,
});

export const plannedActivityBlockSchema = z.object({
  activityCode: z.string().min(1).max(60),
  minutes,
  targetIntensity: intensityLevelSchema,
});

export const programmePlanSchema = z.object({
  startDate: isoDateSchema,
  plannedWeeks: z.number().int().min(LIMITS.plannedWeeks.min).max(LIMITS.plannedWeeks.max),
  weeklyPattern: z.array(weeklySlotSchema).max(14),
  /** The activities of one session (the same template for every slot). */
  activityBlocks: z.array(plannedActivityBlockSchema).max(20),
  evidenceProfileId: z.string().min(1).max(64),
  /** Holidays, exam days: no session planned (the schedule's exclusion dates). */
  exclusionDates: z.array(isoDateSchema).max(400).optional(),
  /** A control arm is compared with the intervention; its checks are "not applicable". */
  arm: z.enum(arms).optional(),
});

export type WeeklySlot = z.infer<typeof weeklySlotSchema>;
export type PlannedActivityBlock = z.infer<typeof plannedActivityBlockSchema>;
export type ProgrammePlan = z.infer<typeof programmePlanSchema>;
