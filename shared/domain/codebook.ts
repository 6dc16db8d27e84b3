// Codebook of the researchers' exports (issue 4): every variable with its type, label in English
// and Chinese, value labels, unit, and — for questionnaire variables — the instrument's source and
// licence note. Pure; rendered as CSV, Markdown, an XLSX sheet, R labels and SPSS syntax.
import type { InstrumentDefinition } from '../schemas/instrument.ts';
import { markdownText } from './escape.ts';
import { SCORE_DECIMALS } from './scoring.ts';
import { arms, caregivers, leftBehindStatuses, sexes, waves } from '../schemas/child.ts';
import {
  CHILD_COLUMNS, DATE_COLUMN, DOSE_COLUMNS, itemColumn, longLayout, subscaleColumn, wideChangeColumn, wideLayout, wideWaveColumn,
  type DateMode, type ExportInstrument,
} from './export-columns.ts';

export type VariableType = 'string' | 'integer' | 'number' | 'date' | 'category';

export interface ValueLabel {
  value: string;
  en: string;
  zh: string;
}

export interface CodebookEntry {
  variable: string;
  /** Which files carry it. */
  files: ('long' | 'wide')[];
  type: VariableType;
  label: { en: string; zh: string };
  values?: ValueLabel[];
  unit?: string;
  /** Instrument source (name, version) for questionnaire variables. */
  source?: string;
  licence?: string;
  notes?: string;
}

const vl = (value: string, en: string, zh: string): ValueLabel => ({ value, en, zh });
/** How scores are rounded (shared/domain/scoring.ts roundScore), stated wherever scores are described. */
const SCORE_PRECISION_NOTE = `Scores (totals, subscales, change scores) are rounded to ${SCORE_DECIMALS} decimals.`;

export const ARM_LABELS: ValueLabel[] = [vl(arms[0], 'Intervention', '干预组'), vl(arms[1], 'Control', '对照组')];
export const WAVE_LABELS: ValueLabel[] = [vl(waves[0], 'Pre-test (baseline)', '前测'), vl(waves[1], 'Post-test', '后测'), vl(waves[2], 'Follow-up', '追踪测')];
export const SEX_LABELS: ValueLabel[] = [vl(sexes[0], 'Female', '女'), vl(sexes[1], 'Male', '男')];
export const LEFT_BEHIND_LABELS: ValueLabel[] = [
  vl(leftBehindStatuses[0], 'Not left behind', '非留守'),
  vl(leftBehindStatuses[1], 'One parent away (migrant work)', '单亲外出务工'),
  vl(leftBehindStatuses[2], 'Both parents away (migrant work)', '双亲外出务工'),
];
export const CAREGIVER_LABELS: ValueLabel[] = [
  vl(caregivers[0], 'Mother', '母亲'),
  vl(caregivers[1], 'Father', '父亲'),
  vl(caregivers[2], 'Grandparents', '祖辈'),
  vl(caregivers[3], 'Other relatives', '其他亲属'),
  vl(caregivers[4], 'Other', '其他'),
];

/** The definitions behind one instrument of the export (all versions present). */
export interface CodebookInstrument {
  code: string;
  definitions: readonly { version: number; definition: InstrumentDefinition }[];
}

export function exportInstrumentOf(i: CodebookInstrument): ExportInstrument {
  const subscales: string[] = [];
  for (const d of i.definitions) for (const s of d.definition.subscales) if (!subscales.includes(s.code)) subscales.push(s.code);
  return { code: i.code, subscales, items: Math.max(0, ...i.definitions.map((d) => d.definition.items.length)) };
}

function latest(i: CodebookInstrument): InstrumentDefinition | undefined {
  return [...i.definitions].sort((a, b) => b.version - a.version)[0]?.definition;
}

function sourceOf(i: CodebookInstrument): string {
  return i.definitions.map((d) => `${d.definition.name.en} — version ${d.version} (${d.definition.version})`).join('; ');
}

function licenceOf(i: CodebookInstrument): string {
  return [...new Set(i.definitions.map((d) => d.definition.licenceNote))].join(' ');
}

function scoringNote(def: InstrumentDefinition | undefined): string {
  if (!def) return '';
  const polarity = def.polarity === 'higher-is-worse' ? 'higher = worse' : 'higher = better';
  const rel = def.reliability ? ` Reliability: ${def.reliability.sourceText}` : '';
  return `${def.scoring === 'sum' ? 'Sum' : 'Mean'} of items ${def.response.min}–${def.response.max}; ${polarity}; up to ${def.maxMissingItems} missing item(s) prorated (mean of answered × items). ${SCORE_PRECISION_NOTE}${rel}`;
}

function responseLabels(def: InstrumentDefinition | undefined): ValueLabel[] | undefined {
  const labels = def?.response.labels;
  if (!labels || labels.length === 0) return undefined;
  return labels.map((l) => vl(String(l.value), l.en ?? String(l.value), l.zh ?? l.en ?? String(l.value)));
}

/** Every variable of the long and the wide file for these instruments, long-file order first. */
export function buildCodebook(instruments: readonly CodebookInstrument[], dates: DateMode): CodebookEntry[] {
  const ex = instruments.map(exportInstrumentOf);
  const long = new Set(longLayout(ex, dates).columns);
  const wide = new Set(wideLayout(ex, dates).columns);
  const filesOf = (v: string): CodebookEntry['files'] => [...(long.has(v) ? ['long' as const] : []), ...(wide.has(v) ? ['wide' as const] : [])];
  const entries: CodebookEntry[] = [];
  const add = (e: Omit<CodebookEntry, 'files'>) => entries.push({ ...e, files: filesOf(e.variable) });
  const dateNote =
    dates === 'shifted'
      ? 'Shifted: every date of a child is moved back by the same random number of days (0–364, stored per child so it is the same in every export); intervals between a child\'s dates are exact.'
      : 'Exact calendar date (school-local).';

  add({ variable: 'child_code', type: 'string', label: { en: 'Pseudonymous child code', zh: '儿童匿名编码' }, notes: 'Stable per child; never a name.' });
  add({ variable: 'school_code', type: 'string', label: { en: 'Pseudonymous school code', zh: '学校编码' } });
  add({ variable: 'arm', type: 'category', label: { en: 'Study arm of the programme', zh: '组别' }, values: ARM_LABELS });
  add({ variable: 'programme', type: 'string', label: { en: 'Programme id', zh: '项目编号' }, notes: 'Programme names are listed on the summary sheet.' });
  add({ variable: 'instrument', type: 'category', label: { en: 'Questionnaire (instrument code)', zh: '量表代码' }, values: instruments.map((i) => vl(i.code, latest(i)?.name.en ?? i.code, latest(i)?.name.zh ?? i.code)) });
  add({ variable: 'instrument_version', type: 'integer', label: { en: 'Instrument definition version used for scoring', zh: '计分所用量表版本' } });
  add({ variable: 'wave', type: 'category', label: { en: 'Measurement wave', zh: '测量波次' }, values: WAVE_LABELS });
  if (dates !== 'omit') add({ variable: DATE_COLUMN, type: 'date', label: { en: 'Date the questionnaire was filled in', zh: '填答日期' }, unit: 'yyyy-MM-dd', notes: dateNote });
  const [age, sex, lb, cg] = CHILD_COLUMNS;
  add({ variable: age, type: 'integer', label: { en: 'Age in completed years (at the assessment; wide file: at programme start)', zh: '周岁年龄（测评时；宽表为项目开始时）' }, unit: 'years', notes: 'From birth year and month; birth dates are never exported.' });
  add({ variable: sex, type: 'category', label: { en: 'Sex', zh: '性别' }, values: SEX_LABELS });
  add({ variable: lb, type: 'category', label: { en: 'Left-behind status', zh: '留守状况' }, values: LEFT_BEHIND_LABELS });
  add({ variable: cg, type: 'category', label: { en: 'Main caregiver', zh: '主要照料人' }, values: CAREGIVER_LABELS });
  const [sa, ar, qs, am, qm] = DOSE_COLUMNS;
  const doseNote = 'From the per-child dose summary of the programme; empty when no session was recorded for the child (e.g. control arm).';
  add({ variable: sa, type: 'integer', label: { en: 'Sessions attended', zh: '出勤次数' }, unit: 'sessions', notes: doseNote });
  add({
    variable: ar,
    type: 'number',
    label: { en: 'Attendance rate (attended / sessions held while a member with a register mark for the child)', zh: '出勤率（出勤次数/在组期间已开展且已点名的次数）' },
    unit: 'proportion 0–1',
    // Issue 9: sessions not logged yet are not absences, so they are not in the denominator.
    notes: `${doseNote} Sessions not logged yet (no register, or no mark for the child) are left out, not counted as absences. The per-child adherence check compares this with the evidence profile's minimum attendance (product default 75 %).`,
  });
  add({
    variable: qs,
    type: 'integer',
    label: { en: 'Qualifying sessions (attended, ≥ 20 aerobic minutes at ≥ moderate intensity)', zh: '达标课次（出勤且中等及以上强度有氧 ≥ 20 分钟）' },
    unit: 'sessions',
    notes: `Qualifying rule from the programme's evidence profile (default: seed review, ≥ 20 min aerobic at ≥ moderate). ${doseNote}`,
  });
  add({ variable: am, type: 'number', label: { en: 'Aerobic minutes attended', zh: '有氧运动分钟数' }, unit: 'minutes', notes: doseNote });
  add({
    variable: qm,
    type: 'number',
    label: { en: 'Qualifying aerobic minutes (aerobic, at ≥ moderate intensity)', zh: '达标有氧分钟数（中等及以上强度的有氧运动）' },
    unit: 'minutes',
    notes: `Dose–response uses this variable (DESIGN §3: qualifying aerobic minutes vs change). ${doseNote}`,
  });
  add({ variable: 'total', type: 'number', label: { en: 'Total score of the instrument', zh: '量表总分' }, notes: `See the instrument rows below for scoring, polarity and source. Empty = not scored (too many missing items). ${SCORE_PRECISION_NOTE}` });

  for (const i of instruments) {
    const def = latest(i);
    const e = exportInstrumentOf(i);
    const source = sourceOf(i);
    const licence = licenceOf(i);
    const note = scoringNote(def);
    for (const s of e.subscales) {
      const sd = def?.subscales.find((x) => x.code === s);
      const name = sd?.name ?? { en: s, zh: s };
      add({
        variable: subscaleColumn(i.code, s),
        type: 'number',
        label: { en: `${i.code} subscale: ${name.en}`, zh: `${i.code} 分量表：${name.zh}` },
        source,
        licence,
        notes: `Items ${sd?.items.join(', ') ?? '?'}${sd?.cutoff !== undefined ? `; cut-off ${sd.cutoff}` : ''}. ${note}`,
      });
    }
    for (const w of waves) {
      if (dates !== 'omit') add({ variable: wideWaveColumn(i.code, w, 'date'), type: 'date', label: { en: `${i.code} ${w}: date`, zh: `${i.code} ${w}：填答日期` }, unit: 'yyyy-MM-dd', notes: dateNote });
      add({ variable: wideWaveColumn(i.code, w, 'total'), type: 'number', label: { en: `${i.code} ${w}: total score`, zh: `${i.code} ${w}：总分` }, source, licence, notes: note });
      for (const s of e.subscales) {
        const name = def?.subscales.find((x) => x.code === s)?.name ?? { en: s, zh: s };
        add({ variable: wideWaveColumn(i.code, w, s.toLowerCase()), type: 'number', label: { en: `${i.code} ${w}: ${name.en}`, zh: `${i.code} ${w}：${name.zh}` }, source, licence });
      }
    }
    add({ variable: wideChangeColumn(i.code, 'post'), type: 'number', label: { en: `${i.code} change: post − pre (total)`, zh: `${i.code} 变化：后测 − 前测（总分）` }, notes: def ? `Polarity: ${def.polarity}.` : '' });
    add({ variable: wideChangeColumn(i.code, 'followup'), type: 'number', label: { en: `${i.code} change: follow-up − pre (total)`, zh: `${i.code} 变化：追踪测 − 前测（总分）` }, notes: def ? `Polarity: ${def.polarity}.` : '' });
  }
  const maxItems = Math.max(0, ...ex.map((x) => x.items));
  for (let n = 1; n <= maxItems; n++) {
    const which = instruments.filter((i) => exportInstrumentOf(i).items >= n);
    const reverse = which.filter((i) => latest(i)?.reverseItems.includes(n)).map((i) => i.code);
    const labels = which.length === 1 ? responseLabels(latest(which[0] as CodebookInstrument)) : undefined;
    const entry: Omit<CodebookEntry, 'files'> = {
      variable: itemColumn(n),
      type: 'integer',
      label: { en: `Item ${n} answer as entered (instrument of the row)`, zh: `第 ${n} 题作答（该行量表）` },
      source: which.map((i) => i.code).join(', '),
      licence: which.map((i) => licenceOf(i)).join(' '),
      notes: `Raw answer, not reverse-keyed${reverse.length > 0 ? ` (reverse-keyed in scoring for ${reverse.join(', ')})` : ''}; empty = missing or not part of the row's instrument. Response ranges: ${which.map((i) => `${i.code} ${latest(i)?.response.min}–${latest(i)?.response.max}`).join(', ')}.`,
    };
    if (labels) entry.values = labels;
    add(entry);
  }
  return entries;
}

export const CODEBOOK_CSV_COLUMNS = ['variable', 'files', 'type', 'label_en', 'label_zh', 'values', 'unit', 'source', 'licence', 'notes'] as const;

export function valueLabelsText(values: readonly ValueLabel[] | undefined): string {
  return (values ?? []).map((v) => `${v.value}=${v.en} / ${v.zh}`).join('; ');
}

export function codebookCsvRecord(e: CodebookEntry): string[] {
  return [e.variable, e.files.join('+'), e.type, e.label.en, e.label.zh, valueLabelsText(e.values), e.unit ?? '', e.source ?? '', e.licence ?? '', e.notes ?? ''];
}

// Stored text (instrument names, labels, licence notes, programme names in the title) is escaped
// by markdownText: one line, no link/HTML/code span, no extra table column (shared/domain/escape.ts).
const mdCell = markdownText;

export function codebookMarkdown(entries: readonly CodebookEntry[], meta: { title: string; generatedAt: string; instruments: readonly CodebookInstrument[] }): string {
  const lines = [
    `# ${markdownText(meta.title)}`,
    '',
    `Generated ${meta.generatedAt}. Files: UTF-8 with BOM, comma-separated, header row, empty cell = missing.`,
    'De-identified by construction: pseudonymous codes only, no names, ages instead of birth dates.',
    'Cells of summary statistics with fewer than 5 children are suppressed (product default).',
    '',
    '## Instruments',
    '',
    ...meta.instruments.flatMap((i) => {
      const d = latest(i);
      return [`- **${markdownText(i.code)}** — ${markdownText(`${sourceOf(i)}. ${d ? `${d.name.zh}.` : ''} Licence: ${licenceOf(i)}${d ? ` ${scoringNote(d)}` : ''}`)}`];
    }),
    '',
    '## Variables',
    '',
    '| variable | files | type | label (en) | label (zh) | values | unit | notes |',
    '|---|---|---|---|---|---|---|---|',
    ...entries.map((e) =>
      `| \`${e.variable.replace(/`/g, '')}\` | ${e.files.join(', ')} | ${e.type} | ${mdCell(e.label.en)} | ${mdCell(e.label.zh)} | ${mdCell(valueLabelsText(e.values))} | ${mdCell(e.unit ?? '')} | ${mdCell([e.notes ?? '', e.source ? `Source: ${e.source}.` : ''].filter(Boolean).join(' '))} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
