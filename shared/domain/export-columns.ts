// Column layout of the researchers' exports (issue 4). Pure: the server's exporters, the results
// page (which analyses the very records it would export) and the codebook all take their column
// names from here, so the long CSV is by construction the file `activegroups analyze` reads
// (shared/domain/analysis.ts: child_code, arm, instrument, wave, total, item_1 … item_k).
import { WAVES, type Arm, type Wave } from './analysis.ts';
import { roundScore } from './scoring.ts';

/** The fixed columns of the tidy long file, in order (issue 4, "tidy long CSV"). */
export const LONG_LEAD_COLUMNS = ['child_code', 'school_code', 'arm', 'programme', 'instrument', 'instrument_version', 'wave'] as const;
/** Inserted after `wave` only when the export asks for dates (exact or shifted). */
export const DATE_COLUMN = 'assessment_date';
export const CHILD_COLUMNS = ['age_years', 'sex', 'left_behind_status', 'caregiver'] as const;
export const DOSE_COLUMNS = ['sessions_attended', 'attendance_rate', 'qualifying_sessions', 'aerobic_minutes', 'qualifying_minutes'] as const;

/** What the layout needs to know about one instrument in the export. */
export interface ExportInstrument {
  code: string;
  /** Subscale codes, in definition order (union over the versions in the export). */
  subscales: readonly string[];
  /** Number of items (max over the versions in the export). */
  items: number;
}

export type DateMode = 'omit' | 'exact' | 'shifted';

/** `SCARED` + `PANIC` → `scared_panic`: one column per instrument's subscale, never shared. */
export function subscaleColumn(instrument: string, subscale: string): string {
  return `${instrument}_${subscale}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

export function itemColumn(n: number): string {
  return `item_${n}`;
}

export interface LongLayout {
  columns: string[];
  dates: boolean;
  subscaleColumns: { instrument: string; subscale: string; column: string }[];
  maxItems: number;
}

export function longLayout(instruments: readonly ExportInstrument[], dates: DateMode): LongLayout {
  const subscaleColumns = instruments.flatMap((i) => i.subscales.map((s) => ({ instrument: i.code, subscale: s, column: subscaleColumn(i.code, s) })));
  const maxItems = Math.max(0, ...instruments.map((i) => i.items));
  const withDates = dates !== 'omit';
  const columns = [
    ...LONG_LEAD_COLUMNS,
    ...(withDates ? [DATE_COLUMN] : []),
    ...CHILD_COLUMNS,
    ...DOSE_COLUMNS,
    'total',
    ...subscaleColumns.map((s) => s.column),
    ...Array.from({ length: maxItems }, (_, i) => itemColumn(i + 1)),
  ];
  return { columns, dates: withDates, subscaleColumns, maxItems };
}

/** Everything one long row holds, before formatting. */
export interface LongRowValues {
  childCode: string;
  schoolCode: string;
  arm: Arm;
  programme: string;
  instrument: string;
  instrumentVersion: number;
  wave: Wave;
  date: string | null;
  ageYears: number | null;
  sex: string | null;
  leftBehindStatus: string | null;
  caregiver: string | null;
  sessionsAttended: number | null;
  attendanceRate: number | null;
  qualifyingSessions: number | null;
  aerobicMinutes: number | null;
  qualifyingMinutes: number | null;
  total: number | null;
  /** Subscale code → score. */
  subscales: ReadonlyMap<string, number | null> | Readonly<Record<string, number | null>>;
  /** Answers as entered (not reverse-keyed), item order; null = missing. */
  answers: readonly (number | null | undefined)[];
}

/**
 * Numbers are written with JavaScript's shortest round-trip representation, so parsing the cell
 * gives back exactly the same double: the page and `analyze` on the file then compute identical
 * results. Missing = empty cell (what analyze and R's read.csv(na.strings = "") read as NA).
 */
export function formatNumber(x: number | null | undefined): string {
  return typeof x === 'number' && Number.isFinite(x) ? String(x) : '';
}

function subscaleValue(values: LongRowValues['subscales'], code: string): number | null | undefined {
  return values instanceof Map ? values.get(code) : (values as Readonly<Record<string, number | null>>)[code];
}

export function longRecord(layout: LongLayout, v: LongRowValues): string[] {
  const out: string[] = [v.childCode, v.schoolCode, v.arm, v.programme, v.instrument, String(v.instrumentVersion), v.wave];
  if (layout.dates) out.push(v.date ?? '');
  out.push(formatNumber(v.ageYears), v.sex ?? '', v.leftBehindStatus ?? '', v.caregiver ?? '');
  out.push(formatNumber(v.sessionsAttended), formatNumber(v.attendanceRate), formatNumber(v.qualifyingSessions), formatNumber(v.aerobicMinutes), formatNumber(v.qualifyingMinutes));
  out.push(formatNumber(v.total));
  for (const s of layout.subscaleColumns) out.push(s.instrument === v.instrument ? formatNumber(subscaleValue(v.subscales, s.subscale)) : '');
  for (let i = 0; i < layout.maxItems; i++) out.push(formatNumber(v.answers[i] ?? null));
  return out;
}

// ---------- wide: one row per child and programme ----------

export const WIDE_LEAD_COLUMNS = ['child_code', 'school_code', 'arm', 'programme', 'age_years', 'sex', 'left_behind_status', 'caregiver'] as const;

export function wideWaveColumn(instrument: string, wave: Wave, what: string): string {
  return `${instrument.toLowerCase()}_${wave}_${what}`;
}
export function wideChangeColumn(instrument: string, wave: Exclude<Wave, 'pre'>): string {
  return `${instrument.toLowerCase()}_change_${wave}`;
}

export interface WideLayout {
  columns: string[];
  dates: boolean;
  instruments: readonly ExportInstrument[];
}

/**
 * Per instrument and wave: total and subscales (and the date when asked), then the change scores
 * post − pre and followup − pre (totals). Items stay in the long file.
 */
export function wideLayout(instruments: readonly ExportInstrument[], dates: DateMode): WideLayout {
  const withDates = dates !== 'omit';
  const columns: string[] = [...WIDE_LEAD_COLUMNS, ...DOSE_COLUMNS];
  for (const i of instruments) {
    for (const w of WAVES) {
      if (withDates) columns.push(wideWaveColumn(i.code, w, 'date'));
      columns.push(wideWaveColumn(i.code, w, 'total'));
      for (const s of i.subscales) columns.push(wideWaveColumn(i.code, w, s.toLowerCase()));
    }
    columns.push(wideChangeColumn(i.code, 'post'), wideChangeColumn(i.code, 'followup'));
  }
  return { columns, dates: withDates, instruments };
}

export interface WideWaveValues {
  date: string | null;
  total: number | null;
  subscales: ReadonlyMap<string, number | null> | Readonly<Record<string, number | null>>;
}

export interface WideRowValues {
  childCode: string;
  schoolCode: string;
  arm: Arm;
  programme: string;
  ageYears: number | null;
  sex: string | null;
  leftBehindStatus: string | null;
  caregiver: string | null;
  sessionsAttended: number | null;
  attendanceRate: number | null;
  qualifyingSessions: number | null;
  aerobicMinutes: number | null;
  qualifyingMinutes: number | null;
  /** instrument code → wave → values */
  waves: ReadonlyMap<string, Partial<Record<Wave, WideWaveValues>>>;
}

export function changeScore(pre: number | null | undefined, later: number | null | undefined): number | null {
  return typeof pre === 'number' && typeof later === 'number' ? roundScore(later - pre) : null;
}

export function wideRecord(layout: WideLayout, v: WideRowValues): string[] {
  const out: string[] = [v.childCode, v.schoolCode, v.arm, v.programme, formatNumber(v.ageYears), v.sex ?? '', v.leftBehindStatus ?? '', v.caregiver ?? ''];
  out.push(formatNumber(v.sessionsAttended), formatNumber(v.attendanceRate), formatNumber(v.qualifyingSessions), formatNumber(v.aerobicMinutes), formatNumber(v.qualifyingMinutes));
  for (const i of layout.instruments) {
    const byWave = v.waves.get(i.code) ?? {};
    for (const w of WAVES) {
      const wv = byWave[w];
      if (layout.dates) out.push(wv?.date ?? '');
      out.push(formatNumber(wv?.total ?? null));
      for (const s of i.subscales) out.push(formatNumber(wv ? subscaleValue(wv.subscales, s) : null));
    }
    out.push(formatNumber(changeScore(byWave.pre?.total, byWave.post?.total)), formatNumber(changeScore(byWave.pre?.total, byWave.followup?.total)));
  }
  return out;
}
