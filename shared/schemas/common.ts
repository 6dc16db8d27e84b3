import { z } from 'zod';
import { DATE_PATTERN, LIMITS, TIME_PATTERN } from '../limits.ts';
import { isValidIsoDate } from '../domain/dates.ts';
import { nameText } from './text.ts';

export const isoDateSchema = z
  .string()
  .regex(DATE_PATTERN, 'use a date like 2025-03-03')
  .refine(isValidIsoDate, 'not a real calendar date');
export const timeSchema = z.string().regex(TIME_PATTERN, 'use a time like 16:30');
/** Names and labels in both languages (instrument, subscale, cut-off, evidence profile): one line each. */
export const localizedTextSchema = z.object({
  en: nameText(LIMITS.text.long),
  zh: nameText(LIMITS.text.long),
});
export const optionalLocalizedTextSchema = z.object({
  en: nameText(LIMITS.text.long).optional(),
  zh: nameText(LIMITS.text.long).optional(),
});
export type LocalizedText = z.infer<typeof localizedTextSchema>;
export const intensityLevelSchema = z.enum(['light', 'moderate', 'vigorous']);
export const polaritySchema = z.enum(['higher-is-worse', 'higher-is-better']);
