// API input of the researchers' results page and exports (issue 4). Query strings only: exports
// are downloads started by a plain link, so the browser streams them to disk.
import { z } from 'zod';
import { objectIdSchema } from './accounts.ts';
import { waves } from './child.ts';

const instrumentCode = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'an instrument code (letters, digits, _ and -)');

/** `a,b,c` → ['a','b','c'], each a 24-hex id, 1–20 of them, no repeats. */
const idList = z
  .string()
  .max(20 * 25, 'at most 20 programmes')
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''))
  .pipe(
    z
      .array(objectIdSchema)
      .min(1, 'at least one programme id')
      .max(20, 'at most 20 programmes')
      .refine((ids) => new Set(ids).size === ids.length, 'a programme id appears twice'),
  );

const waveList = z
  .string()
  .max(40)
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''))
  .pipe(
    z
      .array(z.enum(waves))
      .min(1, 'at least one wave')
      .refine((w) => new Set(w).size === w.length, 'a wave appears twice'),
  );

export const exportFormats = ['long.csv', 'wide.csv', 'xlsx', 'codebook.csv', 'codebook.md', 'analysis.R', 'analysis.sps'] as const;
export type ExportFormat = (typeof exportFormats)[number];
export const exportParamsSchema = z.strictObject({ format: z.enum(exportFormats) });

export const dateModes = ['omit', 'exact', 'shifted'] as const;

export const exportQuerySchema = z.strictObject({
  programmeIds: idList,
  /** One instrument code; default: every instrument of the programmes. */
  instrument: instrumentCode.optional(),
  /** Waves to include; default: all. */
  waves: waveList.optional(),
  /** Assessment dates: left out (default), exact, or shifted per child. */
  dates: z.enum(dateModes).default('omit'),
});
export type ExportQuery = z.infer<typeof exportQuerySchema>;

export const resultsParamsSchema = z.strictObject({ id: objectIdSchema });
export const resultsQuerySchema = z.strictObject({
  instrument: instrumentCode,
  /** A programme of the other arm to compare with (intervention vs control). */
  comparison: objectIdSchema.optional(),
});
export type ResultsQuery = z.infer<typeof resultsQuerySchema>;
