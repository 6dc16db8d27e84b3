// Free text typed by users (names of programmes, groups, schools, children, instruments, labels …)
// ends up in places that are code or markup: R and SPSS scripts, Markdown codebooks, CSV and
// spreadsheet cells, file names. One rule here, used by every API schema and the client forms:
// a name is one line of visible text. Control characters (C0/C1, including newline and NUL),
// bidirectional overrides/isolates (U+202A–202E, U+2066–2069, the "Trojan Source" trick,
// CVE-2021-42574), line/paragraph separators and names made only of invisible characters are
// refused with a clear message instead of being stored. Longer notes may keep line breaks and tabs.
// The export writers escape again on output (defence in depth for data stored before this rule).
import { z } from 'zod';
import { BIDI_OR_SEPARATOR, CONTROL, INVISIBLE_ONLY, notesTextProblem, TEXT_MESSAGES } from '../domain/text-rule.ts';

export { nameTextProblem, notesTextProblem, TEXT_MESSAGES, withVisibleText } from '../domain/text-rule.ts';

function refineWith(problem: (s: string) => string | null) {
  return (s: string, ctx: z.RefinementCtx) => {
    const message = problem(s);
    if (message) ctx.addIssue({ code: 'custom', message });
  };
}

/**
 * A required one-line name: trimmed, 1…max characters, visible, no control or bidi characters.
 * The checks run on the raw input first, so a newline is refused rather than trimmed away.
 */
export function nameText(max: number, options: { requiredMessage?: string; normalize?: (s: string) => string } = {}) {
  const normalize = options.normalize ?? ((s: string) => s.trim());
  return z
    .string()
    .superRefine(refineWith((s) => (CONTROL.test(s) ? TEXT_MESSAGES.control : BIDI_OR_SEPARATOR.test(s) ? TEXT_MESSAGES.bidi : null)))
    .transform(normalize)
    .pipe(
      z
        .string()
        .min(1, options.requiredMessage ?? 'must not be empty')
        .max(max)
        .superRefine(refineWith((s) => (INVISIBLE_ONLY.test(s) ? TEXT_MESSAGES.invisible : null))),
    );
}

/** An optional one-line text that may be empty (e.g. a class name): same characters rule. */
export function lineText(max: number) {
  return z
    .string()
    .superRefine(refineWith((s) => (CONTROL.test(s) ? TEXT_MESSAGES.control : BIDI_OR_SEPARATOR.test(s) ? TEXT_MESSAGES.bidi : null)))
    .transform((s) => s.trim())
    .pipe(z.string().max(max).superRefine(refineWith((s) => (s !== '' && INVISIBLE_ONLY.test(s) ? TEXT_MESSAGES.invisible : null))));
}

/** Notes and source texts that may span lines: no other control or bidi characters. */
export function notesText(max: number) {
  return z.string().max(max).superRefine(refineWith(notesTextProblem));
}

