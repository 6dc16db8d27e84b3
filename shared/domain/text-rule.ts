// The free-text rule of names (see shared/schemas/text.ts), zod-free so the client's first page
// can translate its messages without loading zod.
/** C0 and C1 control characters (newline, tab, NUL, ESC, NEL …). */
export const CONTROL = /[\u0000-\u001F\u007F-\u009F]/u;
/** Controls except line feed and tab (allowed in multi-line notes; CR is normalised away). */
export const CONTROL_EXCEPT_NEWLINE_TAB = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;
/** Bidirectional embeddings, overrides and isolates; LRM/RLM/ALM; line and paragraph separators. */
export const BIDI_OR_SEPARATOR = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u2028\u2029]/u;
/** Text with nothing a reader can see: only whitespace, format characters (zero-width …) or marks. */
export const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cf}\p{Mn}\p{Me}\u115F\u1160\u3164\uFFA0\u2800]*$/u;

export const TEXT_MESSAGES = {
  control: 'must be one line without control characters (no line breaks, tabs or NUL)',
  controlMultiline: 'must not contain control characters (NUL, escape …)',
  bidi: 'must not contain text-direction control characters (U+202A–202E, U+2066–2069) or line separators',
  invisible: 'must contain visible characters',
} as const;

/** The first problem of a one-line name, as a message, or null. Pure; used by the client forms too. */
export function nameTextProblem(s: string): string | null {
  if (CONTROL.test(s)) return TEXT_MESSAGES.control;
  if (BIDI_OR_SEPARATOR.test(s)) return TEXT_MESSAGES.bidi;
  if (INVISIBLE_ONLY.test(s)) return TEXT_MESSAGES.invisible;
  return null;
}

/** Same for notes that may span lines (line feeds and tabs allowed). */
export function notesTextProblem(s: string): string | null {
  if (CONTROL_EXCEPT_NEWLINE_TAB.test(s.replace(/\r\n/g, '\n'))) return TEXT_MESSAGES.controlMultiline;
  if (BIDI_OR_SEPARATOR.test(s)) return TEXT_MESSAGES.bidi;
  return null;
}

/**
 * Text stored before this rule, made to pass it: line breaks and tabs become spaces, other control,
 * bidi and separator characters their visible "<U+…>" form. Applied (deeply) only when stored data
 * read back fails the rule, so old instrument definitions keep working.
 */
export function withVisibleText<T>(value: T): T {
  if (typeof value === 'string') {
    return value
      .replace(/[\r\n\t]/g, ' ')
      .replace(new RegExp(`${CONTROL.source}|${BIDI_OR_SEPARATOR.source}`, 'gu'), (ch) => `<U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`)
      .replace(INVISIBLE_ONLY, (s) => (s === '' ? s : [...s].map((ch) => `<U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`).join(''))) as T;
  }
  if (Array.isArray(value)) return value.map((v) => withVisibleText(v)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withVisibleText(v)])) as T;
  return value;
}
