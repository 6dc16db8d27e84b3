// Writing stored text into code and markup: R and SPSS scripts, Markdown, CSV/spreadsheet cells.
// The API refuses control and bidi characters in names (shared/schemas/text.ts); these writers
// escape again, so text stored before that rule — or reaching an export another way — can never
// end a string literal or a comment, start a new line of code, or reorder what a reader sees.

/**
 * Characters that must never reach a script or a Markdown line as they are: C0/C1 controls
 * (newline, NUL, NEL …), format characters (bidi overrides and isolates, zero-width …), line and
 * paragraph separators, private-use, surrogate halves and unassigned code points.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/gu;

const hex4 = (ch: string) => ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');

/** Visible stand-in for an unsafe character in comments and labels: "<U+202E>". */
const visible = (ch: string) => `<U+${hex4(ch)}>`;

// R refuses NUL ("nul character not allowed") and lone surrogates even as escapes: show those instead.
const rEscape = (ch: string) => {
  const cp = ch.codePointAt(0)!;
  if (cp === 0 || (cp >= 0xd800 && cp <= 0xdfff)) return visible(ch);
  return cp > 0xffff ? `\\U{${cp.toString(16).toUpperCase()}}` : `\\u{${hex4(ch)}}`;
};

/**
 * An R string literal (double-quoted). Backslash and quote are escaped; every unsafe character
 * becomes a \u{…} escape, so R reads back the stored text exactly while the script stays one
 * literal on one line.
 */
export function rString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(UNSAFE, rEscape)}"`;
}

/** Text for an R comment line (after "# "): unsafe characters shown as <U+…>, never a line break. */
export function rComment(s: string): string {
  return s.replace(UNSAFE, visible);
}

/**
 * An SPSS string literal (single-quoted, quote doubled). SPSS has no escape sequences, so unsafe
 * characters are shown as <U+…>; a literal stays on one line.
 */
export function spssString(s: string): string {
  return `'${spssText(s).replace(/'/g, "''")}'`;
}

/**
 * Text for an SPSS comment ("* … ."). A comment ends at a line that ends with a period, so the
 * text is kept on one line and its own trailing periods are dropped (the writer adds one).
 */
export function spssComment(s: string): string {
  return spssText(s).replace(/[.\s]+$/u, '');
}

function spssText(s: string): string {
  return s.replace(UNSAFE, visible);
}

/** ASCII punctuation with a meaning in CommonMark/GFM inline text and tables. */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|~&#!]/g;

/**
 * Inline Markdown text (a heading, a list item or a table cell): one line, every character with a
 * Markdown meaning backslash-escaped (so no link, image, code span, HTML tag, entity or extra table
 * column), unsafe characters shown as <U+…>.
 */
export function markdownText(s: string): string {
  return s
    .replace(UNSAFE, (ch) => (ch === '\n' || ch === '\r' || ch === '\t' ? ' ' : visible(ch)))
    .replace(MARKDOWN_SPECIAL, (ch) => `\\${ch}`);
}

/**
 * A text cell of a CSV file or spreadsheet: one line (line breaks and tabs become spaces, other
 * unsafe characters <U+…>; XLSX cannot hold most controls anyway), and text a spreadsheet would
 * run as a formula (starting with = + - @, also after spaces or in full-width form — OWASP "CSV
 * Injection") is prefixed with an apostrophe so it stays text. Only for text columns: numbers such
 * as -1.5 are written as numbers.
 */
export function spreadsheetText(s: string): string {
  const text = s.replace(/[\r\n\t]+/g, ' ').replace(UNSAFE, visible);
  return /^\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/u.test(text) ? `'${text}` : text;
}
