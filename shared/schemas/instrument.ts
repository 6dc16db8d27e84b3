// Instrument definitions are data (DESIGN §3): admins add scales without code changes, and
// copyrighted item text is simply left out (items keep their numbers).
import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { localizedTextSchema, optionalLocalizedTextSchema, polaritySchema } from './common.ts';
import { nameText, notesText, withVisibleText } from './text.ts';

export const instrumentDomainSchema = z.enum([
  'anxiety',
  'social-adaptation',
  'self-perception',
  'interpersonal',
  'emotion-management',
]);

const itemNumber = z.number().int().min(1).max(LIMITS.instrumentItems.max);

export const instrumentDefinitionSchema = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and - only'),
    version: nameText(40),
    name: localizedTextSchema,
    languages: z.array(z.enum(['en', 'zh-CN'])).min(1),
    items: z
      .array(z.object({ number: itemNumber, text: optionalLocalizedTextSchema.optional() }))
      .min(1)
      .max(LIMITS.instrumentItems.max),
    response: z.object({
      min: z.number().int(),
      max: z.number().int(),
      labels: z
        .array(z.object({ value: z.number().int(), en: nameText(LIMITS.text.short).optional(), zh: nameText(LIMITS.text.short).optional() }))
        .optional(),
    }),
    reverseItems: z.array(itemNumber).default([]),
    subscales: z
      .array(
        z.object({
          code: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
          name: localizedTextSchema,
          items: z.array(itemNumber).min(1),
          /** Flag when the subscale score is at/above (higher-is-worse) or at/below (higher-is-better). */
          cutoff: z.number().optional(),
          /** Missing items allowed before the subscale is not scored; default scales the instrument's limit. */
          maxMissingItems: z.number().int().min(0).optional(),
        }),
      )
      .default([]),
    scoring: z.enum(['sum', 'mean']),
    polarity: polaritySchema,
    cutoffs: z
      .array(z.object({ value: z.number(), label: localizedTextSchema, sourceText: notesText(LIMITS.text.long).optional() }))
      .default([]),
    reliability: z
      .object({
        /** A single published coefficient (used as r_xx for the reliable change index). */
        alpha: z.number().min(0).max(1).optional(),
        /** A published range (shown, not used for RCI — a range gives no single r_xx). */
        alphaRange: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).optional(),
        sourceText: notesText(LIMITS.text.long).pipe(z.string().min(1)),
      })
      .optional(),
    maxMissingItems: z.number().int().min(0),
    licenceNote: notesText(LIMITS.text.long).pipe(z.string().min(1)),
    domain: instrumentDomainSchema,
  })
  .superRefine((def, ctx) => {
    const numbers = def.items.map((i) => i.number);
    const set = new Set(numbers);
    if (set.size !== numbers.length) ctx.addIssue({ code: 'custom', path: ['items'], message: 'item numbers must be unique' });
    const sorted = [...numbers].sort((a, b) => a - b);
    if (sorted.some((n, i) => n !== i + 1)) {
      ctx.addIssue({ code: 'custom', path: ['items'], message: 'items must be numbered 1…k without gaps' });
    }
    if (def.response.min >= def.response.max) {
      ctx.addIssue({ code: 'custom', path: ['response'], message: 'response min must be below max' });
    }
    def.reverseItems.forEach((n, i) => {
      if (!set.has(n)) ctx.addIssue({ code: 'custom', path: ['reverseItems', i], message: `item ${n} does not exist` });
    });
    def.subscales.forEach((s, si) => {
      s.items.forEach((n, i) => {
        if (!set.has(n)) ctx.addIssue({ code: 'custom', path: ['subscales', si, 'items', i], message: `item ${n} does not exist` });
      });
      if (new Set(s.items).size !== s.items.length) {
        ctx.addIssue({ code: 'custom', path: ['subscales', si, 'items'], message: 'subscale items must be unique' });
      }
    });
    if (new Set(def.subscales.map((s) => s.code)).size !== def.subscales.length) {
      ctx.addIssue({ code: 'custom', path: ['subscales'], message: 'subscale codes must be unique' });
    }
    if (def.maxMissingItems >= def.items.length) {
      ctx.addIssue({ code: 'custom', path: ['maxMissingItems'], message: 'must be fewer than the number of items' });
    }
  });

export type InstrumentDefinition = z.infer<typeof instrumentDefinitionSchema>;
export type InstrumentDefinitionInput = z.input<typeof instrumentDefinitionSchema>;

/**
 * A definition read back from the database. Stored data is re-validated; a definition stored
 * before the free-text rule (shared/schemas/text.ts) is read with its unsafe characters made
 * visible instead of being refused.
 */
export function parseStoredDefinition(value: unknown) {
  const strict = instrumentDefinitionSchema.safeParse(value);
  return strict.success ? strict : instrumentDefinitionSchema.safeParse(withVisibleText(value));
}
