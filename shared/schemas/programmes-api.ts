// API schemas for programmes and their recurring schedule (issue 3 items 3–4), shared by the
// server routes and the client forms. The plan fields reuse shared/schemas/programme.ts so the
// live plan check in the form and the server check read the same shape.
import { z } from 'zod';
import { BUILT_IN_PROFILES } from '../domain/evidence.ts';
import { LIMITS } from '../limits.ts';
import { objectIdSchema } from './accounts.ts';
import { arms } from './child.ts';
import { isoDateSchema, timeSchema } from './common.ts';
import { plannedActivityBlockSchema, weeklySlotSchema } from './programme.ts';
import { nameText } from './text.ts';

export const programmeLimits = {
  nameMax: LIMITS.text.short,
  schoolsMax: 20,
  groupsMax: 50,
  /** A year of single days covers every holiday and exam week of a two-year programme. */
  exclusionDatesMax: 400,
  slotsMax: 14,
  blocksMax: 20,
  reasonMax: 300,
} as const;

export const builtInProfileIds = BUILT_IN_PROFILES.map((p) => p.id);

const uniqueIds = (max: number) =>
  z
    .array(objectIdSchema)
    .max(max)
    .refine((ids) => new Set(ids).size === ids.length, 'the same id is listed twice');

const profileIdSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((id) => builtInProfileIds.includes(id), `use one of the evidence profiles: ${builtInProfileIds.join(', ')}`);

const weeklyPatternSchema = z
  .array(weeklySlotSchema.strict())
  .max(programmeLimits.slotsMax)
  .refine((slots) => new Set(slots.map((s) => `${s.weekday} ${s.startTime}`)).size === slots.length, 'two sessions at the same weekday and time');

const programmeFields = {
  name: nameText(programmeLimits.nameMax),
  schoolIds: uniqueIds(programmeLimits.schoolsMax).min(1, 'a programme belongs to at least one school'),
  groupIds: uniqueIds(programmeLimits.groupsMax),
  arm: z.enum(arms),
  startDate: isoDateSchema,
  plannedWeeks: z.number().int().min(LIMITS.plannedWeeks.min).max(LIMITS.plannedWeeks.max),
  weeklyPattern: weeklyPatternSchema,
  activityBlocks: z.array(plannedActivityBlockSchema.strict()).max(programmeLimits.blocksMax),
  evidenceProfileId: profileIdSchema,
  exclusionDates: z.array(isoDateSchema).max(programmeLimits.exclusionDatesMax),
};

export const createProgrammeSchema = z.strictObject({
  ...programmeFields,
  groupIds: programmeFields.groupIds.default([]),
  weeklyPattern: programmeFields.weeklyPattern.default([]),
  activityBlocks: programmeFields.activityBlocks.default([]),
  evidenceProfileId: programmeFields.evidenceProfileId.default('seed-review'),
  exclusionDates: programmeFields.exclusionDates.default([]),
});

export const updateProgrammeSchema = z.strictObject({
  version: z.number().int().min(0),
  name: programmeFields.name.optional(),
  schoolIds: programmeFields.schoolIds.optional(),
  groupIds: programmeFields.groupIds.optional(),
  arm: programmeFields.arm.optional(),
  startDate: programmeFields.startDate.optional(),
  plannedWeeks: programmeFields.plannedWeeks.optional(),
  weeklyPattern: programmeFields.weeklyPattern.optional(),
  activityBlocks: programmeFields.activityBlocks.optional(),
  evidenceProfileId: programmeFields.evidenceProfileId.optional(),
  exclusionDates: programmeFields.exclusionDates.optional(),
});

export const listProgrammesQuerySchema = z.strictObject({
  schoolId: objectIdSchema.optional(),
  groupId: objectIdSchema.optional(),
});

export type CreateProgrammeInput = z.infer<typeof createProgrammeSchema>;
export type UpdateProgrammeInput = z.infer<typeof updateProgrammeSchema>;

// ---- schedule ----

export const scheduleQuerySchema = z.strictObject({
  programmeId: objectIdSchema,
  groupId: objectIdSchema.optional(),
  from: isoDateSchema.optional(),
  to: isoDateSchema.optional(),
});

export const generateScheduleSchema = z.strictObject({ programmeId: objectIdSchema });

export const cancelSessionSchema = z.strictObject({
  version: z.number().int().min(0),
  reason: nameText(programmeLimits.reasonMax, { requiredMessage: 'say why the session is cancelled' }),
});

export const rescheduleSessionSchema = z.strictObject({
  version: z.number().int().min(0),
  date: isoDateSchema,
  startTime: timeSchema,
  plannedMinutes: z.number().int().min(LIMITS.sessionMinutes.min).max(LIMITS.sessionMinutes.max).optional(),
});

export const restoreSessionSchema = z.strictObject({ version: z.number().int().min(0) });

export const extraSessionSchema = z.strictObject({
  programmeId: objectIdSchema,
  groupId: objectIdSchema,
  date: isoDateSchema,
  startTime: timeSchema,
  plannedMinutes: z.number().int().min(LIMITS.sessionMinutes.min).max(LIMITS.sessionMinutes.max),
});

export type ScheduleQuery = z.infer<typeof scheduleQuerySchema>;
export type CancelSessionInput = z.infer<typeof cancelSessionSchema>;
export type RescheduleSessionInput = z.infer<typeof rescheduleSessionSchema>;
export type ExtraSessionInput = z.infer<typeof extraSessionSchema>;
