// Re-analysis of the tidy long export (one row per child × instrument × wave), shared by the
// `activegroups analyze` command and the server's results page. The CSV reading stays outside
// (no I/O here): callers hand over the header and the records as strings with their line numbers.
import type { InstrumentDefinition } from '../schemas/instrument.ts';
import { BUILT_IN_INSTRUMENTS } from './instruments.ts';
import { ancova, type AncovaResult, welchChange, type WelchResult } from './statistics/between.ts';
import { pairedAnalysis, type PairedResult } from './statistics/paired.ts';
import { cronbachAlpha, reliableChangeSdiff, classifyRci, type Polarity } from './statistics/reliability.ts';

export const LONG_REQUIRED_COLUMNS = ['child_code', 'arm', 'instrument', 'wave', 'total'] as const;
export const WAVES = ['pre', 'post', 'followup'] as const;
export const ARMS = ['intervention', 'control'] as const;
export type Wave = (typeof WAVES)[number];
export type Arm = (typeof ARMS)[number];

export interface LongRow {
  /** 1-based line in the file (header = line 1). */
  line: number;
  childCode: string;
  arm: Arm;
  instrument: string;
  wave: Wave;
  total: number | null;
  /** item_1 … item_k (null = missing); empty when the file has no item columns. */
  items: (number | null)[];
}

export class LongFileError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'LongFileError';
    this.line = line;
  }
}

function parseNumber(raw: string | undefined, line: number, column: string): number | null {
  const s = (raw ?? '').trim();
  if (s === '' || s.toUpperCase() === 'NA') return null;
  // Plain decimal numbers only (no hex, no "1e3abc", no thousands separators).
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new LongFileError(line, `${column} "${s}" is not a number`);
  const x = Number(s);
  if (!Number.isFinite(x)) throw new LongFileError(line, `${column} "${s}" is not a finite number`);
  return x;
}

/**
 * Validates the header and records of a long file. `records[i]` is the i-th data row (cells in
 * header order) and `lines[i]` its line number in the file. Throws LongFileError naming the line.
 */
export function parseLongRecords(header: readonly string[], records: readonly (readonly string[])[], lines?: readonly number[]): LongRow[] {
  const cols = header.map((h) => h.trim().replace(/^\uFEFF/, '').toLowerCase());
  const missing = LONG_REQUIRED_COLUMNS.filter((c) => !cols.includes(c));
  if (missing.length > 0) {
    throw new LongFileError(1, `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (need ${LONG_REQUIRED_COLUMNS.join(', ')}, optional item_1 … item_k)`);
  }
  const dup = cols.find((c, i) => c !== '' && cols.indexOf(c) !== i);
  if (dup) throw new LongFileError(1, `column "${dup}" appears twice`);
  const idx = (c: string) => cols.indexOf(c);
  const itemCols = cols
    .map((c, i) => ({ m: /^item_(\d+)$/.exec(c), i }))
    .filter((x): x is { m: RegExpExecArray; i: number } => x.m !== null)
    .map((x) => ({ n: Number(x.m[1]), i: x.i }))
    .sort((a, b) => a.n - b.n);
  itemCols.forEach((c, k) => {
    if (c.n !== k + 1) throw new LongFileError(1, `item columns must be item_1 … item_${itemCols.length} without gaps (item_${k + 1} is missing)`);
  });
  const rows: LongRow[] = [];
  const seen = new Map<string, number>();
  const armOf = new Map<string, { arm: Arm; line: number }>();
  records.forEach((rec, r) => {
    const line = lines?.[r] ?? r + 2;
    if (rec.length !== cols.length) throw new LongFileError(line, `expected ${cols.length} cells, found ${rec.length}`);
    const cell = (c: string) => (rec[idx(c)] ?? '').trim();
    const childCode = cell('child_code');
    if (childCode === '') throw new LongFileError(line, 'child_code is empty');
    const instrument = cell('instrument');
    if (instrument === '') throw new LongFileError(line, 'instrument is empty');
    const wave = cell('wave').toLowerCase();
    if (!(WAVES as readonly string[]).includes(wave)) throw new LongFileError(line, `unknown wave "${cell('wave')}" (expected pre, post or followup)`);
    const arm = cell('arm').toLowerCase();
    if (!(ARMS as readonly string[]).includes(arm)) throw new LongFileError(line, `unknown arm "${cell('arm')}" (expected intervention or control)`);
    const total = parseNumber(rec[idx('total')], line, 'total');
    const items = itemCols.map((c) => parseNumber(rec[c.i], line, `item_${c.n}`));
    const key = `${instrument}\u0000${childCode}\u0000${wave}`;
    const before = seen.get(key);
    if (before !== undefined) throw new LongFileError(line, `duplicate child × wave: child ${childCode}, ${instrument}, ${wave} already on line ${before}`);
    seen.set(key, line);
    const armKey = `${instrument}\u0000${childCode}`;
    const prev = armOf.get(armKey);
    if (prev && prev.arm !== arm) throw new LongFileError(line, `child ${childCode} is in arm ${arm} here but ${prev.arm} on line ${prev.line}`);
    armOf.set(armKey, { arm: arm as Arm, line });
    rows.push({ line, childCode, arm: arm as Arm, instrument, wave: wave as Wave, total, items });
  });
  return rows;
}

// ---------- output (snake_case, as documented in issue 2) ----------

export interface PairedOut {
  n: number;
  n_excluded: number;
  mean_pre: number | null;
  mean_post: number | null;
  sd_pre: number | null;
  sd_post: number | null;
  mean_diff: number | null;
  sd_diff: number | null;
  ci95: [number, number] | null;
  t: number | null;
  df: number | null;
  p: number | null;
  cohen_dz: number | null;
  hedges_g_av: number | null;
  wilcoxon: { V: number | null; p: number | null; method: string | null; reason?: string };
  rank_biserial: number | null;
  reason?: string;
}

export interface ArmOut {
  paired: PairedOut;
  alpha: { pre: number | null; post: number | null; reason?: string } | null;
  rci: { improved: number; unchanged: number; worsened: number; r_xx: number; r_xx_source: 'published' | 'alpha-pre'; s_diff: number } | null;
  /** Why a part is null. */
  reasons?: Record<string, string>;
}

export interface InstrumentAnalysis {
  instrument: string;
  by_arm: Partial<Record<Arm, ArmOut>>;
  between_arms: {
    ancova: { estimate: number | null; se: number | null; t: number | null; df: number | null; p: number | null; ci95: [number, number] | null; reason?: string } | null;
    welch_change: { diff: number | null; t: number | null; df: number | null; p: number | null; ci95: [number, number] | null; reason?: string } | null;
    reasons?: Record<string, string>;
  };
}

export interface AnalyzeOptions {
  /** Only this instrument (case-insensitive). */
  instrument?: string;
  /** Definitions to take polarity and published reliability from (default: the built-ins). */
  definitions?: readonly InstrumentDefinition[];
  /** Polarity for instruments without a definition, by code. */
  polarity?: Readonly<Record<string, Polarity>>;
}

function pairedOut(r: PairedResult): PairedOut {
  const w: PairedOut['wilcoxon'] = { V: r.wilcoxon.V, p: r.wilcoxon.p, method: r.wilcoxon.method };
  if (r.wilcoxon.reason) w.reason = r.wilcoxon.reason;
  const out: PairedOut = {
    n: r.n, n_excluded: r.nExcluded, mean_pre: r.meanPre, mean_post: r.meanPost, sd_pre: r.sdPre, sd_post: r.sdPost,
    mean_diff: r.meanDiff, sd_diff: r.sdDiff, ci95: r.ci95, t: r.t, df: r.df, p: r.p, cohen_dz: r.cohenDz,
    hedges_g_av: r.hedgesGav, wilcoxon: w, rank_biserial: r.rankBiserial,
  };
  if (r.reason) out.reason = r.reason;
  return out;
}

function byChild(rows: readonly LongRow[], wave: Wave): Map<string, LongRow> {
  return new Map(rows.filter((r) => r.wave === wave).map((r) => [r.childCode, r]));
}

/**
 * α of one wave. Item columns hold the answers as entered; with a known definition the
 * reverse-keyed items are keyed (min + max − x) first, as scoring does.
 */
function alphaOf(rows: readonly LongRow[], def: InstrumentDefinition | undefined): { alpha: number | null; reason?: string } {
  const reverse = new Set(def?.reverseItems ?? []);
  const key = (v: number | null, i: number) => (v !== null && def && reverse.has(i + 1) ? def.response.min + def.response.max - v : v);
  const matrix = rows.map((r) => r.items.map(key)).filter((items) => items.some((v) => v !== null));
  // Trailing item columns that belong to longer instruments in the same file are empty for all.
  const k = Math.max(0, ...matrix.map((items) => items.reduce<number>((last, v, i) => (v !== null ? i + 1 : last), 0)));
  const res = cronbachAlpha(matrix.map((items) => items.slice(0, k)));
  return res.reason ? { alpha: res.alpha, reason: res.reason } : { alpha: res.alpha };
}

function analyzeArm(rows: readonly LongRow[], def: InstrumentDefinition | undefined, polarity: Polarity | undefined, hasItems: boolean): ArmOut {
  const pre = byChild(rows, 'pre');
  const post = byChild(rows, 'post');
  const children = [...new Set([...pre.keys(), ...post.keys()])].sort();
  const paired = pairedAnalysis(children.map((c) => pre.get(c)?.total ?? null), children.map((c) => post.get(c)?.total ?? null));
  const reasons: Record<string, string> = {};
  let alpha: ArmOut['alpha'] = null;
  let alphaPre: number | null = null;
  if (!hasItems) {
    reasons.alpha = 'no item columns (item_1 … item_k) for this instrument';
  } else {
    const a = alphaOf([...pre.values()], def);
    const b = alphaOf([...post.values()], def);
    alphaPre = a.alpha;
    alpha = { pre: a.alpha, post: b.alpha };
    const why = [a.reason ? `pre: ${a.reason}` : '', b.reason ? `post: ${b.reason}` : ''].filter(Boolean).join('; ');
    if (why) alpha.reason = why;
  }
  let rci: ArmOut['rci'] = null;
  const published = def?.reliability?.alpha;
  const rxx = published ?? alphaPre;
  if (!polarity) {
    reasons.rci = 'polarity unknown for this instrument (is a higher score better or worse?)';
  } else if (rxx === null || rxx === undefined) {
    reasons.rci = 'no reliability: no single published coefficient and α of the pre wave is not available';
  } else if (paired.n < 2 || paired.sdPre === null) {
    reasons.rci = `needs at least 2 complete pre/post pairs (found ${paired.n})`;
  } else {
    const s = reliableChangeSdiff(paired.sdPre, rxx);
    if (s.sDiff === null) {
      reasons.rci = s.reason ?? 'not computable';
    } else {
      const counts = { improved: 0, unchanged: 0, worsened: 0 };
      for (const c of children) {
        const x = pre.get(c)?.total;
        const y = post.get(c)?.total;
        if (typeof x === 'number' && typeof y === 'number') counts[classifyRci((y - x) / s.sDiff, polarity)]++;
      }
      rci = { ...counts, r_xx: rxx, r_xx_source: published !== undefined ? 'published' : 'alpha-pre', s_diff: s.sDiff };
    }
  }
  const out: ArmOut = { paired: pairedOut(paired), alpha, rci };
  if (Object.keys(reasons).length > 0) out.reasons = reasons;
  return out;
}

function betweenArms(rows: readonly LongRow[]): InstrumentAnalysis['between_arms'] {
  const obs: { arm: Arm; pre: number; post: number }[] = [];
  for (const arm of ARMS) {
    const armRows = rows.filter((r) => r.arm === arm);
    const pre = byChild(armRows, 'pre');
    const post = byChild(armRows, 'post');
    for (const [c, p] of pre) {
      const q = post.get(c);
      if (p.total !== null && q && q.total !== null) obs.push({ arm, pre: p.total, post: q.total });
    }
  }
  const reasons: Record<string, string> = {};
  const a: AncovaResult = ancova(obs);
  const w: WelchResult = welchChange(
    obs.filter((o) => o.arm === 'intervention').map((o) => o.post - o.pre),
    obs.filter((o) => o.arm === 'control').map((o) => o.post - o.pre),
  );
  let ancovaOut: InstrumentAnalysis['between_arms']['ancova'] = null;
  if (a.estimate === null) reasons.ancova = a.reason ?? 'not computable';
  else {
    ancovaOut = { estimate: a.estimate, se: a.se, t: a.t, df: a.df, p: a.p, ci95: a.ci95 };
    if (a.reason) ancovaOut.reason = a.reason;
  }
  let welchOut: InstrumentAnalysis['between_arms']['welch_change'] = null;
  if (w.diff === null) reasons.welch_change = w.reason ?? 'not computable';
  else {
    welchOut = { diff: w.diff, t: w.t, df: w.df, p: w.p, ci95: w.ci95 };
    if (w.reason) welchOut.reason = w.reason;
  }
  const out: InstrumentAnalysis['between_arms'] = { ancova: ancovaOut, welch_change: welchOut };
  if (Object.keys(reasons).length > 0) out.reasons = reasons;
  return out;
}

/** Replaces any non-finite number with null (JSON never carries NaN/Infinity). */
export function jsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) as T;
}

/** One result per instrument, in order of first appearance in the file. */
export function analyzeLongRows(rows: readonly LongRow[], options: AnalyzeOptions = {}): InstrumentAnalysis[] {
  const defs = options.definitions ?? BUILT_IN_INSTRUMENTS;
  let codes = [...new Set(rows.map((r) => r.instrument))];
  if (options.instrument !== undefined) {
    const want = options.instrument.toLowerCase();
    codes = codes.filter((c) => c.toLowerCase() === want);
    if (codes.length === 0) throw new LongFileError(1, `instrument "${options.instrument}" does not occur in the file`);
  }
  return jsonSafe(
    codes.map((code) => {
      const mine = rows.filter((r) => r.instrument === code);
      const def = defs.find((d) => d.code.toLowerCase() === code.toLowerCase());
      const polarity = def?.polarity ?? options.polarity?.[code] ?? options.polarity?.[code.toUpperCase()];
      const hasItems = mine.some((r) => r.items.some((v) => v !== null));
      const by_arm: InstrumentAnalysis['by_arm'] = {};
      for (const arm of ARMS) {
        const armRows = mine.filter((r) => r.arm === arm);
        if (armRows.length > 0) by_arm[arm] = analyzeArm(armRows, def, polarity, hasItems);
      }
      return { instrument: code, by_arm, between_arms: betweenArms(mine) };
    }),
  );
}
