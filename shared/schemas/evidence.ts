// Evidence profiles are data (DESIGN §3): every threshold carries its source text and says whether
// it is a product default (a number the sources do not give).
import { z } from 'zod';
import { intensityLevelSchema, localizedTextSchema } from './common.ts';
import { nameText, notesText } from './text.ts';

export const numericThresholdSchema = z.object({
  value: z.number().nonnegative(),
  unit: nameText(40),
  sourceText: notesText(2000).pipe(z.string().min(1)),
  /** The source text in Chinese, shown in the zh-CN interface (optional for admin-made profiles). */
  sourceTextZh: notesText(2000).pipe(z.string().min(1)).optional(),
  isProductDefault: z.boolean(),
});
export const intensityThresholdSchema = numericThresholdSchema.extend({ value: intensityLevelSchema });
export const exerciseTypeThresholdSchema = numericThresholdSchema.extend({ value: z.literal('aerobic') });

export const evidenceProfileSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,60}$/, 'lower-case letters, digits and - only'),
  name: localizedTextSchema,
  source: notesText(2000).pipe(z.string().min(1)),
  builtIn: z.boolean().default(false),
  thresholds: z
    .object({
      /** Programme spans at least this many weeks. */
      minWeeks: numericThresholdSchema.optional(),
      /** Minutes of exercise per session (aerobic at ≥ minIntensity for a qualifying session). */
      minSessionMinutes: numericThresholdSchema.optional(),
      exerciseType: exerciseTypeThresholdSchema.optional(),
      minIntensity: intensityThresholdSchema.optional(),
      minSessionsPerWeek: numericThresholdSchema.optional(),
      maxGapDays: numericThresholdSchema.optional(),
      /** Share (%) of held sessions that qualify. */
      minQualifyingSharePercent: numericThresholdSchema.optional(),
      /** Share (%) of the planned sessions (after exclusion dates) that were held — "dose delivered". */
      minDeliveredPercent: numericThresholdSchema.optional(),
      /** A child's attendance (%) of the sessions held while a member — per-protocol adherence. */
      minAttendancePercent: numericThresholdSchema.optional(),
      /** Share (%) of exercise minutes that are aerobic. */
      minAerobicSharePercent: numericThresholdSchema.optional(),
      /** Average minutes per day of moderate-to-vigorous activity. */
      minDailyMvpaMinutes: numericThresholdSchema.optional(),
      /** Days per week with vigorous activity. */
      minVigorousDaysPerWeek: numericThresholdSchema.optional(),
    })
    .strict(),
});

export type NumericThreshold = z.infer<typeof numericThresholdSchema>;
export type IntensityThreshold = z.infer<typeof intensityThresholdSchema>;
export type EvidenceProfile = z.infer<typeof evidenceProfileSchema>;
export type EvidenceProfileInput = z.input<typeof evidenceProfileSchema>;
export type Threshold = NumericThreshold | IntensityThreshold | z.infer<typeof exerciseTypeThresholdSchema>;
