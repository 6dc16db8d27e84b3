// Reading a roster CSV as teachers really produce it: Excel "CSV UTF-8" (with a BOM), a paste
// from a spreadsheet (tab-separated), Chinese or English headers, full-width digits, a title row
// above the headers, Chinese words for the values (男/女, 四年级, 双亲外出, 祖父母, 是/否) and
// dates such as 2024/9/1. Every problem names the line and the column as the teacher sees them
// in Excel (line 5, column C "出生年份"). Pure: no database access here.
import { parse } from 'csv-parse/sync';
import type { Caregiver, LeftBehindStatus, Sex } from '../../../shared/schemas/child.ts';
import {
  ROSTER_COLUMNS,
  childRuleIssues,
  normalizeHeader,
  rosterLimits,
  type ChildFields,
  type ImportIssueCode,
  type RosterColumnKey,
} from '../../../shared/schemas/roster.ts';
import { isValidIsoDate } from '../../../shared/domain/dates.ts';
import { badRequest } from '../../lib/errors.ts';

export interface RowIssue {
  line: number;
  /** Header as written in the file ("" for a rule that spans columns). */
  column: string;
  /** Spreadsheet column letter (A, B, …), as Excel shows it. */
  columnLetter: string;
  field: RosterColumnKey;
  code: ImportIssueCode;
  message: string;
  value: string;
}

export interface ParsedRow {
  line: number;
  /** Cell text by column key, as read (trimmed). */
  cells: Partial<Record<RosterColumnKey, string>>;
  child: ChildFields | null;
  errors: RowIssue[];
}

export interface ParsedCsv {
  delimiter: ',' | '\t' | ';';
  headerLine: number;
  columns: { key: RosterColumnKey; header: string; letter: string }[];
  /** Headers that are not roster columns: ignored, listed so the teacher knows. */
  ignoredHeaders: string[];
  rows: ParsedRow[];
}

const byHeader = new Map<string, RosterColumnKey>();
for (const col of ROSTER_COLUMNS) {
  for (const h of [col.en, col.zh, ...col.aliases]) byHeader.set(normalizeHeader(h), col.key);
}

export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** The delimiter of the first non-empty line: tab (spreadsheet paste), semicolon or comma. */
function detectDelimiter(text: string): ParsedCsv['delimiter'] {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const count = (ch: string) => first.split(ch).length - 1;
  const tabs = count('\t');
  const commas = count(',');
  const semis = count(';');
  if (tabs > 0 && tabs >= commas) return '\t';
  if (semis > commas) return ';';
  return ',';
}

const clean = (s: string) => s.normalize('NFKC').trim();
const token = (s: string) => clean(s).toLowerCase().replace(/[\s_\-()（）]/g, '');

const sexWords: Record<string, Sex> = {
  男: 'male', 男生: 'male', 男孩: 'male', male: 'male', m: 'male', boy: 'male',
  女: 'female', 女生: 'female', 女孩: 'female', female: 'female', f: 'female', girl: 'female',
};

const leftBehindWords: Record<string, LeftBehindStatus> = {
  无: 'none', 否: 'none', 非留守: 'none', 不是: 'none', 父母在家: 'none', none: 'none', no: 'none', '0': 'none',
  单亲外出: 'one_parent_away', 一方外出: 'one_parent_away', 父亲外出: 'one_parent_away', 母亲外出: 'one_parent_away',
  父亲外出务工: 'one_parent_away', 母亲外出务工: 'one_parent_away', 单留守: 'one_parent_away', 单亲留守: 'one_parent_away',
  oneparentaway: 'one_parent_away', one: 'one_parent_away', '1': 'one_parent_away',
  双亲外出: 'both_parents_away', 父母均外出: 'both_parents_away', 父母都外出: 'both_parents_away', 父母外出: 'both_parents_away',
  父母双方外出: 'both_parents_away', 双留守: 'both_parents_away', 双亲留守: 'both_parents_away',
  bothparentsaway: 'both_parents_away', both: 'both_parents_away', '2': 'both_parents_away',
};

const caregiverWords: Record<string, Caregiver> = {
  母亲: 'mother', 妈妈: 'mother', 母: 'mother', mother: 'mother', mum: 'mother', mom: 'mother',
  父亲: 'father', 爸爸: 'father', 父: 'father', father: 'father', dad: 'father',
  祖父母: 'grandparents', 外祖父母: 'grandparents', 祖辈: 'grandparents', 爷爷奶奶: 'grandparents', 外公外婆: 'grandparents',
  爷爷: 'grandparents', 奶奶: 'grandparents', 外公: 'grandparents', 外婆: 'grandparents', 姥姥: 'grandparents', 姥爷: 'grandparents',
  grandparents: 'grandparents', grandparent: 'grandparents',
  其他亲属: 'other_relatives', 亲戚: 'other_relatives', 亲属: 'other_relatives', 叔叔: 'other_relatives', 阿姨: 'other_relatives',
  姑姑: 'other_relatives', 舅舅: 'other_relatives', 伯伯: 'other_relatives', 哥哥: 'other_relatives', 姐姐: 'other_relatives',
  otherrelatives: 'other_relatives', relatives: 'other_relatives',
  其他: 'other', 其它: 'other', other: 'other',
};

const yesWords = new Set(['是', '有', 'yes', 'y', 'true', '1', '√', '✓', '同意', '已同意']);
const noWords = new Set(['否', '无', '没有', 'no', 'n', 'false', '0', '×', '不同意', '未同意']);

const chineseDigits: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 十一: 11, 十二: 12 };

/** 4, "4年级", "四年级", "初一" (= 7), "高三" (= 12), "grade 4". */
export function parseGrade(raw: string): number | null {
  const s = token(raw).replace(/^grade/, '').replace(/^g/, '');
  if (/^\d{1,2}$/.test(s)) return Number(s);
  const m = /^(\d{1,2}|[一二三四五六七八九十]{1,3})年级$/.exec(s);
  if (m) return /^\d/.test(m[1]!) ? Number(m[1]) : (chineseDigits[m[1]!] ?? null);
  const stage = /^(初|高)([一二三123])$/.exec(s);
  if (stage) {
    const n = /\d/.test(stage[2]!) ? Number(stage[2]) : chineseDigits[stage[2]!]!;
    // Junior secondary follows 6 primary grades; senior secondary follows 9 (China's 6-3-3 system).
    return (stage[1] === '初' ? 6 : 9) + n;
  }
  return null;
}

/** 2014-03, 2014/3, 2014.3, 2014年3月, 201403. */
export function parseBirth(raw: string): { year: number; month: number } | null {
  const s = clean(raw).replace(/\s/g, '');
  const m = /^(\d{4})(?:[-/.年](\d{1,2})月?|(\d{2}))(?:[-/.](\d{1,2})|(\d{1,2})日)?$/.exec(s);
  if (!m) return null;
  return { year: Number(m[1]), month: Number(m[2] ?? m[3]) };
}

/** 2024-09-01, 2024/9/1, 2024.9.1, 2024年9月1日 → yyyy-MM-dd. */
export function parseDate(raw: string): string | null {
  const s = clean(raw).replace(/\s/g, '');
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isValidIsoDate(iso) ? iso : null;
}

function parseInteger(raw: string): number | null {
  const s = clean(raw).replace(/个?月$/, '').replace(/\.0+$/, '');
  return /^\d{1,6}$/.test(s) ? Number(s) : null;
}

/** Names compared for duplicates: NFKC, no spaces, lower case (Latin names). */
export const nameKey = (name: string) => name.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
/** Class compared for duplicates: "3", "3班", "(3)班" and "３班" are the same class of a grade. */
export const classKey = (grade: number, className: string) =>
  `${grade}/${className.normalize('NFKC').toLowerCase().replace(/[\s()（）班]/g, '')}`;
/** Same name + birth year/month + class (grade and class) = the same child. */
export const duplicateKey = (c: Pick<ChildFields, 'displayName' | 'birthYear' | 'birthMonth' | 'grade' | 'className'>) =>
  `${nameKey(c.displayName)}|${c.birthYear}-${c.birthMonth}|${classKey(c.grade, c.className)}`;

interface Record_ {
  record: string[];
  info: { lines: number };
}

/**
 * Parses the CSV text. File-level problems (unreadable CSV, no header row, missing required
 * columns, too many rows) throw 400 invalid_csv; row-level problems are returned per row.
 */
export function parseRosterCsv(text: string, today: string): ParsedCsv {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw badRequest('invalid_csv', 'The file is empty.', [{ code: 'empty' }]);
  const delimiter = detectDelimiter(body);
  let records: Record_[];
  try {
    records = parse(body, {
      delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }) as unknown as Record_[];
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw badRequest('invalid_csv', `The file is not readable as CSV near line ${e.lines ?? '?'}: ${e.message ?? 'parse error'}.`, [
      { code: 'unreadable', line: e.lines ?? null },
    ]);
  }
  // First line of a record: its last line minus the line breaks inside quoted cells.
  const startLine = (r: Record_) => r.info.lines - r.record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
  const nonEmpty = records.filter((r) => r.record.some((c) => c.trim() !== ''));

  // The header row is the first of the first five rows that names at least three roster columns
  // (a title row such as "XX小学四年级留守儿童名单" may sit above it).
  const headerIndex = nonEmpty.slice(0, 5).findIndex((r) => r.record.filter((c) => byHeader.has(normalizeHeader(c))).length >= 3);
  if (headerIndex < 0) {
    throw badRequest(
      'invalid_csv',
      'No header row found: the first rows must name the columns (姓名, 性别, … or name, sex, …). Download the template to see them.',
      [{ code: 'no_header' }],
    );
  }
  const header = nonEmpty[headerIndex]!;
  const headerLine = startLine(header);
  const columns: ParsedCsv['columns'] = [];
  const ignoredHeaders: string[] = [];
  const seen = new Map<RosterColumnKey, string>();
  header.record.forEach((cell, index) => {
    const name = cell.trim();
    if (name === '') return;
    const key = byHeader.get(normalizeHeader(name));
    if (!key) {
      ignoredHeaders.push(name);
      return;
    }
    if (seen.has(key)) {
      throw badRequest('invalid_csv', `Line ${headerLine}: the columns "${seen.get(key)}" and "${name}" mean the same thing; keep one.`, [
        { code: 'duplicate_column', line: headerLine, column: name },
      ]);
    }
    seen.set(key, name);
    columns.push({ key, header: name, letter: columnLetter(index) });
  });
  const has = (key: RosterColumnKey) => seen.has(key);
  const missing = ROSTER_COLUMNS.filter((c) => c.required)
    .filter((c) => !has(c.key) && !((c.key === 'birthYear' || c.key === 'birthMonth') && has('birth')))
    .map((c) => `${c.zh} / ${c.en}`);
  if (missing.length > 0) {
    throw badRequest('invalid_csv', `Line ${headerLine}: required column(s) missing: ${missing.join(', ')}.`, [
      { code: 'missing_columns', line: headerLine, columns: missing },
    ]);
  }

  const dataRecords = nonEmpty.slice(headerIndex + 1);
  if (dataRecords.length > rosterLimits.importRows) {
    throw badRequest(
      'too_many_rows',
      `The file has ${dataRecords.length} rows; one import takes at most ${rosterLimits.importRows}. Split it (for example by grade).`,
      [{ code: 'too_many_rows', rows: dataRecords.length, max: rosterLimits.importRows }],
    );
  }
  if (dataRecords.length === 0) {
    throw badRequest('invalid_csv', 'The file has a header row but no children below it.', [{ code: 'no_rows' }]);
  }

  const indexOf = new Map(header.record.map((c, i) => [byHeader.get(normalizeHeader(c.trim())), i] as const));
  const rows = dataRecords.map((r) => parseRow(r, startLine(r), columns, indexOf, today));
  return { delimiter, headerLine, columns, ignoredHeaders, rows };
}

function parseRow(
  r: Record_,
  line: number,
  columns: ParsedCsv['columns'],
  indexOf: Map<RosterColumnKey | undefined, number>,
  today: string,
): ParsedRow {
  const cells: ParsedRow['cells'] = {};
  for (const col of columns) cells[col.key] = (r.record[indexOf.get(col.key)!] ?? '').trim();
  const errors: RowIssue[] = [];
  const colOf = (key: RosterColumnKey) => columns.find((c) => c.key === key);
  const issue = (key: RosterColumnKey, code: ImportIssueCode, message: string) => {
    const col = colOf(key) ?? (key === 'birthYear' || key === 'birthMonth' ? colOf('birth') : undefined);
    const value = cells[col?.key ?? key] ?? '';
    const where = col ? `column ${col.letter} "${col.header}"` : `column "${key}"`;
    errors.push({
      line,
      column: col?.header ?? '',
      columnLetter: col?.letter ?? '',
      field: key,
      code,
      message: `Line ${line}, ${where}: ${message}${value ? ` (found "${value}")` : ''}.`,
      value,
    });
  };
  const text = (key: RosterColumnKey) => cells[key] ?? '';

  const displayName = clean(text('displayName')).replace(/\s+/g, ' ');
  if (displayName === '') issue('displayName', 'required', 'a name is required');
  else if (displayName.length > rosterLimits.displayNameMax) issue('displayName', 'too_long', `at most ${rosterLimits.displayNameMax} characters`);

  const sex = sexWords[token(text('sex'))];
  if (text('sex') === '') issue('sex', 'required', 'required');
  else if (!sex) issue('sex', 'invalid_sex', 'use 男 / 女 or male / female');

  let birthYear: number | null = null;
  let birthMonth: number | null = null;
  if (colOf('birthYear') || colOf('birthMonth')) {
    if (text('birthYear') === '') issue('birthYear', 'required', 'required');
    else {
      birthYear = parseInteger(text('birthYear').replace(/年$/, ''));
      if (birthYear === null) issue('birthYear', 'invalid_number', 'use a year such as 2014');
      else if (birthYear < 1990 || birthYear > 2100) {
        issue('birthYear', 'out_of_range', 'use a four-digit year such as 2014');
        birthYear = null;
      }
    }
    if (text('birthMonth') === '') issue('birthMonth', 'required', 'required');
    else {
      birthMonth = parseInteger(text('birthMonth').replace(/月$/, ''));
      if (birthMonth === null) issue('birthMonth', 'invalid_number', 'use a month 1–12');
      else if (birthMonth < 1 || birthMonth > 12) {
        issue('birthMonth', 'out_of_range', 'use a month 1–12');
        birthMonth = null;
      }
    }
  } else {
    const birth = parseBirth(text('birth'));
    if (text('birth') === '') issue('birthYear', 'required', 'birth year and month are required');
    else if (!birth || birth.month < 1 || birth.month > 12 || birth.year < 1990 || birth.year > 2100) {
      issue('birthYear', 'invalid_birth', 'use year and month such as 2014-03 or 2014年3月');
    } else {
      birthYear = birth.year;
      birthMonth = birth.month;
    }
  }

  const grade = text('grade') === '' ? null : parseGrade(text('grade'));
  if (text('grade') === '') issue('grade', 'required', 'required');
  else if (grade === null || grade < rosterLimits.grade.min || grade > rosterLimits.grade.max) {
    issue('grade', 'invalid_grade', 'use a grade 1–12, 四年级 or 初一');
  }

  const className = clean(text('className'));
  if (className.length > rosterLimits.classNameMax) issue('className', 'too_long', `at most ${rosterLimits.classNameMax} characters`);

  const leftBehindStatus = leftBehindWords[token(text('leftBehindStatus'))];
  if (text('leftBehindStatus') === '') issue('leftBehindStatus', 'required', 'required');
  else if (!leftBehindStatus) issue('leftBehindStatus', 'invalid_left_behind', 'use 无 / 单亲外出 / 双亲外出 or none / one_parent_away / both_parents_away');

  let monthsSinceSeparation: number | null = null;
  let monthsValid = true;
  if (text('monthsSinceSeparation') !== '') {
    monthsSinceSeparation = parseInteger(text('monthsSinceSeparation'));
    if (monthsSinceSeparation === null) {
      issue('monthsSinceSeparation', 'invalid_number', 'use whole months such as 18');
      monthsValid = false;
    } else if (monthsSinceSeparation > rosterLimits.monthsSinceSeparationMax) {
      issue('monthsSinceSeparation', 'out_of_range', `at most ${rosterLimits.monthsSinceSeparationMax} months`);
      monthsValid = false;
    }
  }

  const caregiver = caregiverWords[token(text('caregiver'))];
  if (text('caregiver') === '') issue('caregiver', 'required', 'required');
  else if (!caregiver) issue('caregiver', 'invalid_caregiver', 'use 母亲 / 父亲 / 祖父母 / 其他亲属 / 其他');

  const yesNo = (key: RosterColumnKey): boolean => {
    const v = token(text(key));
    if (v === '') return false;
    if (yesWords.has(v)) return true;
    if (!noWords.has(v)) issue(key, 'invalid_yes_no', 'use 是 / 否 or yes / no');
    return false;
  };
  const boarding = yesNo('boarding');
  const childAssent = yesNo('childAssent');

  let guardianConsentDate: string | null = null;
  if (text('guardianConsentDate') !== '') {
    guardianConsentDate = parseDate(text('guardianConsentDate'));
    if (guardianConsentDate === null) issue('guardianConsentDate', 'invalid_date', 'use a date such as 2024-09-01 or 2024/9/1');
  }

  let child: ChildFields | null = null;
  if (errors.length === 0 && sex && leftBehindStatus && caregiver && grade !== null && birthYear !== null && birthMonth !== null && monthsValid) {
    const candidate: ChildFields = {
      displayName,
      sex,
      birthYear,
      birthMonth,
      grade,
      className,
      leftBehindStatus,
      monthsSinceSeparation,
      caregiver,
      boarding,
      guardianConsentDate,
      childAssent,
    };
    for (const rule of childRuleIssues(candidate, today)) issue(rule.path, rule.code, rule.message);
    if (errors.length === 0) child = candidate;
  }
  return { line, cells, child, errors };
}
