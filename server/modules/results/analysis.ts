// The results page's numbers. They are computed from the very records the long CSV export
// writes (same column layout, same formatting, parsed back with the shared parser) and then by
// the shared `analyzeLongRows`, so `activegroups analyze` on the exported file prints the same
// numbers. Everything a researcher sees passes small-cell suppression (n < 5, DESIGN §3): a GROUP
// (an arm, a wave, the between-arm comparison) with n < 5 gets no statistics. Counts within a
// group that is large enough (RCI improved/unchanged/worsened, why children are not paired) are
// shown as they are (issue 9): "< 5 / < 5 / 0" beside n = 47 contradicted the row and told a
// researcher nothing the group's size had not already made safe.
import { analyzeLongRows, parseLongRecords, ARMS, WAVES, type Arm, type ArmOut, type InstrumentAnalysis, type LongRow, type Wave } from '../../../shared/domain/analysis.ts';
import { exportInstrumentOf, type CodebookInstrument } from '../../../shared/domain/codebook.ts';
import { longLayout, longRecord } from '../../../shared/domain/export-columns.ts';
import { mean, sd } from '../../../shared/domain/statistics/basic.ts';
import { spearman } from '../../../shared/domain/statistics/between.ts';
import { SMALL_CELL_MIN_N } from '../../../shared/domain/statistics/suppression.ts';
import type { InstrumentDefinition } from '../../../shared/schemas/instrument.ts';
import { BUILT_IN_INSTRUMENTS } from '../../../shared/domain/instruments.ts';
import { childGroups, longRowsOf, type ExportScope, type Skipped } from '../exports/source.ts';

export const SUPPRESSION_REASON = `fewer than ${SMALL_CELL_MIN_N} children in this cell`;

export interface WaveDescriptive {
  wave: Wave;
  n: number | null;
  mean: number | null;
  sd: number | null;
  suppressed: boolean;
}

export interface ArmPage {
  arm: Arm;
  suppressed: boolean;
  reason?: string;
  /** Shared analysis for the arm (paired, α, RCI); null when suppressed. */
  result: ArmOut | null;
  /** Scored questionnaires per wave (children with a total). */
  waves: WaveDescriptive[];
  /** Why children are not in the complete pairs. */
  excluded: { noPre: number | null; noPost: number | null; preNotScored: number | null; postNotScored: number | null } | null;
  rciCounts: { improved: number | null; unchanged: number | null; worsened: number | null } | null;
  doseResponse: { rho: number | null; p: number | null; n: number | null; reason?: string; suppressed: boolean } | null;
  chart: { pairs: [number, number][]; changes: number[]; dose: [number, number][] } | null;
}

export interface InstrumentPage {
  instrument: string;
  minCellSize: number;
  rows: number;
  skipped: Skipped;
  arms: ArmPage[];
  between: (InstrumentAnalysis['between_arms'] & { suppressed: boolean; reason?: string }) | null;
  /** The shared analysis with suppressed cells removed (same shape as `activegroups analyze`). */
  analysis: InstrumentAnalysis;
}

export function definitionsFor(instruments: readonly CodebookInstrument[]): InstrumentDefinition[] {
  // The newest stored version of each instrument first, then the built-ins for the rest.
  const own = instruments
    .map((i) => [...i.definitions].sort((a, b) => b.version - a.version)[0]?.definition)
    .filter((d): d is InstrumentDefinition => d !== undefined);
  return [...own, ...BUILT_IN_INSTRUMENTS.filter((b) => !own.some((d) => d.code.toUpperCase() === b.code.toUpperCase()))];
}

interface ChildData {
  arm: Arm;
  aerobic: number | null;
  pre: number | null;
  post: number | null;
  hasPre: boolean;
  hasPost: boolean;
}

function numberCell(s: string | undefined): number | null {
  return s === undefined || s.trim() === '' ? null : Number(s);
}

/** Reads the rows of one instrument of the scope and analyses them as `analyze` would. */
export async function analyseInstrumentPage(scope: ExportScope, code: string): Promise<InstrumentPage> {
  const instrument = scope.instruments.find((i) => i.code === code);
  if (!instrument) throw new Error(`instrument ${code} not in scope`);
  const one: ExportScope = { ...scope, instruments: [instrument], dates: 'omit' };
  const layout = longLayout([exportInstrumentOf(instrument)], 'omit');
  const records: string[][] = [];
  const skipped: Skipped = { orphanAssessments: 0 };
  for await (const g of childGroups(one, { assessedOnly: true })) for (const row of longRowsOf(g, one, skipped)) records.push(longRecord(layout, row));
  const rows = parseLongRecords(layout.columns, records);
  const analysis: InstrumentAnalysis =
    rows.length > 0 ? (analyzeLongRows(rows, { instrument: code, definitions: definitionsFor(scope.instruments) })[0] as InstrumentAnalysis) : { instrument: code, by_arm: {}, between_arms: { ancova: null, welch_change: null } };

  const col = (name: string) => layout.columns.indexOf(name);
  const perChild = new Map<string, ChildData>();
  records.forEach((rec, i) => {
    const row = rows[i] as LongRow;
    const key = `${row.arm}\u0000${row.childCode}`;
    const c = perChild.get(key) ?? { arm: row.arm, aerobic: numberCell(rec[col('qualifying_minutes')]), pre: null, post: null, hasPre: false, hasPost: false };
    if (row.wave === 'pre') {
      c.hasPre = true;
      c.pre = row.total;
    } else if (row.wave === 'post') {
      c.hasPost = true;
      c.post = row.total;
    }
    perChild.set(key, c);
  });
  // Same order as analyzeLongRows (children sorted by code) for anything order-sensitive.
  const sortedChildren = [...perChild.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, c]) => c);

  const arms: ArmPage[] = [];
  const publicAnalysis: InstrumentAnalysis = { instrument: code, by_arm: {}, between_arms: { ancova: null, welch_change: null } };
  const armN = new Map<Arm, number>();
  for (const arm of ARMS) {
    const out = analysis.by_arm[arm];
    if (!out) continue;
    const n = out.paired.n;
    armN.set(arm, n);
    const mine = sortedChildren.filter((c) => c.arm === arm);
    const armRows = rows.filter((r) => r.arm === arm);
    const waves: WaveDescriptive[] = WAVES.map((wave) => {
      const totals = armRows.filter((r) => r.wave === wave && r.total !== null).map((r) => r.total as number);
      if (totals.length < SMALL_CELL_MIN_N) return { wave, n: totals.length === 0 ? 0 : null, mean: null, sd: null, suppressed: totals.length > 0 };
      return { wave, n: totals.length, mean: mean(totals), sd: sd(totals), suppressed: false };
    });
    if (n < SMALL_CELL_MIN_N) {
      arms.push({ arm, suppressed: true, reason: SUPPRESSION_REASON, result: null, waves, excluded: null, rciCounts: null, doseResponse: null, chart: null });
      continue;
    }
    const pairs = mine.filter((c) => c.pre !== null && c.post !== null) as (ChildData & { pre: number; post: number })[];
    const excluded = {
      noPre: mine.filter((c) => !c.hasPre).length,
      noPost: mine.filter((c) => !c.hasPost).length,
      preNotScored: mine.filter((c) => c.hasPre && c.pre === null).length,
      postNotScored: mine.filter((c) => c.hasPost && c.post === null).length,
    };
    const rci = out.rci ? { improved: out.rci.improved, unchanged: out.rci.unchanged, worsened: out.rci.worsened } : null;
    const result: ArmOut = JSON.parse(JSON.stringify(out)) as ArmOut;
    const doseX = pairs.map((c) => c.aerobic);
    const doseY = pairs.map((c) => c.post - c.pre);
    const withDose = pairs.filter((c) => c.aerobic !== null);
    let doseResponse: ArmPage['doseResponse'] = null;
    if (withDose.length > 0) {
      const s = spearman(doseX, doseY);
      doseResponse = s.n < SMALL_CELL_MIN_N ? { rho: null, p: null, n: null, suppressed: true, reason: SUPPRESSION_REASON } : { rho: s.rho, p: s.p, n: s.n, suppressed: false, ...(s.reason ? { reason: s.reason } : {}) };
    }
    arms.push({
      arm,
      suppressed: false,
      result,
      waves,
      excluded,
      rciCounts: rci,
      doseResponse,
      chart: {
        pairs: pairs.map((c) => [c.pre, c.post]),
        changes: pairs.map((c) => c.post - c.pre),
        dose: withDose.map((c) => [c.aerobic as number, c.post - c.pre]),
      },
    });
    publicAnalysis.by_arm[arm] = result;
  }
  let between: InstrumentPage['between'] = null;
  if (armN.has('intervention') && armN.has('control')) {
    const small = (armN.get('intervention') ?? 0) < SMALL_CELL_MIN_N || (armN.get('control') ?? 0) < SMALL_CELL_MIN_N;
    between = small ? { ancova: null, welch_change: null, suppressed: true, reason: SUPPRESSION_REASON } : { ...analysis.between_arms, suppressed: false };
    if (!small) publicAnalysis.between_arms = analysis.between_arms;
  }
  return { instrument: code, minCellSize: SMALL_CELL_MIN_N, rows: rows.length, skipped, arms, between, analysis: publicAnalysis };
}
