// API schemas of the instrument library (issue 6). The definition itself is validated by the
// shared `instrumentDefinitionSchema`; these wrap it for create / edit and carry the rules the
// API adds (portable keys, version bookkeeping).
import { z } from 'zod';
import { instrumentDefinitionSchema } from './instrument.ts';

export const instrumentCodeSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and - only (at most 40)');

export const instrumentCodeParamsSchema = z.strictObject({ code: instrumentCodeSchema });
export const instrumentVersionParamsSchema = z.strictObject({
  code: instrumentCodeSchema,
  version: z.coerce.number().int().min(1).max(100_000),
});

export const listInstrumentsQuerySchema = z.strictObject({
  /** 'true' lists every stored version (admins reviewing history); default: the latest of each code. */
  allVersions: z.enum(['true', 'false']).optional(),
});

/** Create (form or JSON import): the definition as the shared schema defines it. */
export const createInstrumentSchema = z.strictObject({ definition: instrumentDefinitionSchema });

/**
 * Edit: `basedOnVersion` is the version the admin edited and `revision` its edit counter. When the
 * version already has answers the edit becomes a new version; otherwise it replaces it in place.
 */
export const updateInstrumentSchema = z.strictObject({
  basedOnVersion: z.number().int().min(1),
  revision: z.number().int().min(0),
  definition: instrumentDefinitionSchema,
});

/**
 * The first key anywhere in `value` that cannot be stored portably (contains "." or "$";
 * shared/DESIGN.md §2 rule 6), as a path, or null. Free-form JSON (imports, answers) is checked
 * with this before zod strips unknown keys, so nothing is dropped silently.
 */
export function findUnportableKey(value: unknown, path: string[] = []): string | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnportableKey(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('.') || k.includes('$') || k.includes('\u0000')) return [...path, k].join(' › ');
      const found = findUnportableKey(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

export type CreateInstrumentInput = z.infer<typeof createInstrumentSchema>;
export type UpdateInstrumentInput = z.infer<typeof updateInstrumentSchema>;
