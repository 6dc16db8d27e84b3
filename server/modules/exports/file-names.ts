// File names of one export: an ASCII name for old clients (Content-Disposition filename=) and the
// UTF-8 name browsers actually save under (filename*=, RFC 6266 / 5987), with the programme's own
// name (often Chinese). The analysis scripts name their data file by the saved name, so
// `Rscript activegroups_足球社团_…_analysis.R` finds `activegroups_足球社团_…_long.csv` beside it.
import type { ExportFormat } from '../../../shared/schemas/results-api.ts';

const suffixOf: Record<ExportFormat, string> = {
  'long.csv': '_long.csv',
  'wide.csv': '_wide.csv',
  xlsx: '.xlsx',
  'codebook.csv': '_codebook.csv',
  'codebook.md': '_codebook.md',
  'analysis.R': '_analysis.R',
  'analysis.sps': '_analysis.sps',
};

/**
 * A programme name as a file-name part. Characters that file systems or browsers refuse or replace
 * (Windows-reserved \ / : * ? " < > |, controls, bidi and other format characters, separators,
 * "~" and "%" which browsers rewrite, "_" which separates the name's parts, glob brackets and
 * braces) become "-", so the name the browser saves is exactly this one and a glob can find it.
 */
export function fileNamePart(name: string): string {
  return name
    .normalize('NFC')
    .replace(/[\\/:*?"<>|~%_[\]{}\p{Cc}\p{Cf}\p{Z}\p{Co}\p{Cs}\p{Cn}]+/gu, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
}

export interface ExportFileNames {
  /** ASCII file name (slug of the programme name). */
  ascii(format: ExportFormat): string;
  /** The name a browser saves the file under. */
  saved(format: ExportFormat): string;
  /** A glob matching the saved name of this export's `format` on any day. */
  savedPattern(format: ExportFormat): string;
}

export function exportFileNames(programmes: readonly { id: string; name: string }[], now: Date): ExportFileNames {
  const first = programmes[0]!;
  const more = programmes.length > 1 ? `-and-${programmes.length - 1}-more` : '';
  let slug = first.name.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).toLowerCase();
  if (slug === '') slug = `programme-${first.id.slice(-6)}`;
  const part = fileNamePart(first.name) || `programme-${first.id.slice(-6)}`;
  // The day (UTC), not the second: the files of one export sitting (CSV, scripts, codebook) share a
  // name, so a script's default data file is the CSV the browser saved that day. The exact time
  // is inside the files (generated at …) and in the audit trail.
  const stamp = now.toISOString().slice(0, 10).replace(/-/g, '');
  return {
    ascii: (format) => `activegroups_${slug}${more}_${stamp}${suffixOf[format]}`,
    saved: (format) => `activegroups_${part}${more}_${stamp}${suffixOf[format]}`,
    savedPattern: (format) => `activegroups_${part}${more}_*${suffixOf[format]}`,
  };
}
