// De-identified exports for researchers and admins (issue 4). Every file is streamed: rows come
// from the merge-joined cursors (source.ts) through csv-stringify or exceljs' streaming writer
// into the response, with backpressure, so memory stays flat however many children there are.
// Every export is audited with who, what, the filters and the row count.
import { once } from 'node:events';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';
import { buildCodebook, codebookCsvRecord, codebookMarkdown, CODEBOOK_CSV_COLUMNS } from '../../../shared/domain/codebook.ts';
import { longLayout, longRecord, wideLayout, wideRecord, CHILD_COLUMNS, DATE_COLUMN, LONG_LEAD_COLUMNS } from '../../../shared/domain/export-columns.ts';
import type { ExportFormat, ExportQuery } from '../../../shared/schemas/results-api.ts';
import { LongFileError } from '../../../shared/domain/analysis.ts';
import { spreadsheetText } from '../../../shared/domain/escape.ts';
import type { Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { analyseInstrumentPage } from '../results/analysis.ts';
import { childGroups, ensureDateShifts, exportInstruments, longRowsOf, resolveScope, wideRowOf, type ExportScope, type Skipped } from './source.ts';
import { exportFileNames, type ExportFileNames } from './file-names.ts';
import { rScript, spssSyntax } from './scripts.ts';

// CSV files start with a BOM so Excel reads them as UTF-8; R (4.2 refuses it: "unexpected input")
// and SPSS/PSPP scripts do not; the Markdown codebook keeps it (editors and viewers accept it).
const BOM = '\uFEFF';
const bomOf: Partial<Record<ExportFormat, string>> = { 'codebook.md': BOM };

function setDownloadHeaders(res: Response, fileName: string, contentType: string, displayName: string): void {
  res.status(200);
  res.setHeader('Content-Type', contentType);
  // ASCII name for old clients, UTF-8 name (programme in Chinese) per RFC 6266 / 5987.
  res.setHeader('Content-Disposition', `attachment; filename="${fileName}"; filename*=UTF-8''${encodeURIComponent(displayName)}`);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

export const contentTypeOf: Record<ExportFormat, string> = {
  'long.csv': 'text/csv; charset=utf-8',
  'wide.csv': 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'codebook.csv': 'text/csv; charset=utf-8',
  'codebook.md': 'text/markdown; charset=utf-8',
  'analysis.R': 'text/plain; charset=utf-8',
  'analysis.sps': 'text/plain; charset=utf-8',
};

/** Counts records on their way to the CSV writer. */
function counter(state: { rows: number }): Transform {
  return new Transform({
    objectMode: true,
    transform(chunk, _enc, cb) {
      state.rows++;
      cb(null, chunk);
    },
  });
}

export async function* longRecords(scope: ExportScope, skipped: Skipped): AsyncGenerator<string[]> {
  const layout = longLayout(exportInstruments(scope), scope.dates);
  for await (const g of childGroups(scope, { assessedOnly: true })) for (const row of longRowsOf(g, scope, skipped)) yield longRecord(layout, row);
}

export async function* wideRecords(scope: ExportScope, skipped: Skipped): AsyncGenerator<string[]> {
  const layout = wideLayout(exportInstruments(scope), scope.dates);
  for await (const g of childGroups(scope, { assessedOnly: false })) {
    const row = wideRowOf(g, scope, skipped);
    if (row) yield wideRecord(layout, row);
  }
}

/** Streams the long CSV (header + rows) into `out`; returns the number of data rows. */
export async function writeLongCsv(scope: ExportScope, out: NodeJS.WritableStream, skipped: Skipped = { orphanAssessments: 0 }): Promise<number> {
  const state = { rows: 0 };
  const columns = longLayout(exportInstruments(scope), scope.dates).columns;
  await pipeline(Readable.from(longRecords(scope, skipped)), counter(state), stringify({ bom: true, header: true, columns }), out);
  return state.rows;
}

const TEXT_COLUMNS = new Set<string>([...LONG_LEAD_COLUMNS.filter((c) => c !== 'instrument_version'), DATE_COLUMN, ...CHILD_COLUMNS.filter((c) => c !== 'age_years')]);

function typedCells(columns: readonly string[], record: readonly string[]): (string | number | null)[] {
  return record.map((s, i) => (s === '' ? null : TEXT_COLUMNS.has(columns[i] as string) ? s : Number(s)));
}

/** Cells a spreadsheet would run as a formula are written as text (CSV/formula injection). */
function safeText(v: string | number | null): string | number | null {
  return typeof v === 'string' ? spreadsheetText(v) : v;
}

async function writeXlsx(scope: ExportScope, res: Response, meta: { generatedAt: string; title: string }, skipped: Skipped): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: false, useSharedStrings: false });
  wb.creator = 'ActiveGroups';
  const layout = longLayout(exportInstruments(scope), scope.dates);
  const data = wb.addWorksheet('data');
  data.addRow(layout.columns).commit();
  let rows = 0;
  for await (const record of longRecords(scope, skipped)) {
    data.addRow(typedCells(layout.columns, record).map(safeText)).commit();
    rows++;
    // exceljs does not wait for the socket; wait here when the response buffer is full.
    if (res.writableNeedDrain) await once(res, 'drain');
  }
  await data.commit();

  const codebook = wb.addWorksheet('codebook');
  codebook.addRow([...CODEBOOK_CSV_COLUMNS]).commit();
  for (const e of buildCodebook(scope.instruments, scope.dates)) codebook.addRow(codebookCsvRecord(e).map(safeText)).commit();
  await codebook.commit();

  const summary = wb.addWorksheet('summary');
  const add = (cells: (string | number | null)[]) => summary.addRow(cells.map(safeText)).commit();
  add([meta.title]);
  add([`Generated ${meta.generatedAt}. Groups (an arm, a wave, the between-arm comparison) with fewer than 5 children are suppressed (shown as "suppressed"); counts inside a larger group are shown. Same numbers as the results page and \`activegroups analyze\` on the long CSV.`]);
  add([]);
  add(['programme', 'name', 'arm']);
  for (const p of scope.programmes) add([p.id, p.name, p.arm]);
  for (const instrument of scope.instruments) {
    add([]);
    add([`instrument ${instrument.code}`]);
    let page: Awaited<ReturnType<typeof analyseInstrumentPage>>;
    try {
      page = await analyseInstrumentPage(scope, instrument.code);
    } catch (e) {
      // Same refusal as the results page and `activegroups analyze` (a child in both arms, …).
      if (!(e instanceof LongFileError)) throw e;
      add([`not analysable: ${e.message.replace(/^line \d+: /, '')}`]);
      continue;
    }
    add(['arm', 'wave', 'n', 'mean', 'sd']);
    for (const arm of page.arms) for (const w of arm.waves) add([arm.arm, w.wave, w.suppressed ? 'suppressed' : w.n, w.mean, w.sd]);
    add(['arm', 'pairs n', 'mean pre', 'sd pre', 'mean post', 'sd post', 'mean change', 'ci low', 'ci high', 't', 'df', 'p', 'wilcoxon V', 'wilcoxon p', 'cohen dz', 'hedges g_av', 'alpha pre', 'alpha post', 'reliably improved', 'unchanged', 'reliably worsened', 'spearman rho (aerobic minutes vs change)', 'spearman p']);
    for (const arm of page.arms) {
      const r = arm.result;
      if (!r) {
        add([arm.arm, 'suppressed']);
        continue;
      }
      const pr = r.paired;
      add([
        arm.arm, pr.n, pr.mean_pre, pr.sd_pre, pr.mean_post, pr.sd_post, pr.mean_diff, pr.ci95?.[0] ?? null, pr.ci95?.[1] ?? null, pr.t, pr.df, pr.p,
        pr.wilcoxon.V, pr.wilcoxon.p, pr.cohen_dz, pr.hedges_g_av, r.alpha?.pre ?? null, r.alpha?.post ?? null,
        arm.rciCounts?.improved ?? null, arm.rciCounts?.unchanged ?? null, arm.rciCounts?.worsened ?? null,
        arm.doseResponse?.suppressed ? 'suppressed' : (arm.doseResponse?.rho ?? null), arm.doseResponse?.p ?? null,
      ]);
    }
    if (page.between) {
      add(['between arms', 'estimate', 'se', 't', 'df', 'p', 'ci low', 'ci high']);
      if (page.between.suppressed) add(['ANCOVA post ~ arm + pre', 'suppressed']);
      else {
        const a = page.between.ancova;
        const w = page.between.welch_change;
        add(['ANCOVA post ~ arm + pre', a?.estimate ?? null, a?.se ?? null, a?.t ?? null, a?.df ?? null, a?.p ?? null, a?.ci95?.[0] ?? null, a?.ci95?.[1] ?? null]);
        add(['Welch t on change', w?.diff ?? null, null, w?.t ?? null, w?.df ?? null, w?.p ?? null, w?.ci95?.[0] ?? null, w?.ci95?.[1] ?? null]);
      }
    }
  }
  await summary.commit();
  await wb.commit();
  return rows;
}

function textBody(format: ExportFormat, scope: ExportScope, names: ExportFileNames, meta: { generatedAt: string; title: string }): { body: string; rows: number } {
  const entries = buildCodebook(scope.instruments, scope.dates);
  switch (format) {
    case 'codebook.md':
      return { body: codebookMarkdown(entries, { ...meta, instruments: scope.instruments }), rows: entries.length };
    case 'analysis.R':
      // The default data file is the name the browser saves the long CSV under (same export time).
      return { body: rScript({ instruments: scope.instruments, dates: scope.dates, longFileName: names.saved('long.csv'), longFilePattern: names.savedPattern('long.csv'), ...meta }), rows: 0 };
    case 'analysis.sps':
      return { body: spssSyntax({ instruments: scope.instruments, dates: scope.dates, wideFileName: names.saved('wide.csv'), ...meta }), rows: 0 };
    default:
      throw new Error(`not a text format: ${format}`);
  }
}

export async function runExport(actor: Actor, format: ExportFormat, query: ExportQuery, res: Response): Promise<void> {
  const scope = await resolveScope(actor, 'export:create', { programmeIds: query.programmeIds, instrument: query.instrument, waves: query.waves, dates: query.dates });
  const now = new Date();
  const names = exportFileNames(scope.programmes, now);
  const fileName = names.ascii(format);
  const meta = { generatedAt: now.toISOString(), title: `ActiveGroups export — ${scope.programmes.map((p) => `${p.name} (${p.arm})`).join(', ')}` };
  const filters = { programmeIds: query.programmeIds, instrument: query.instrument ?? null, waves: scope.waves, dates: query.dates };
  // Shifts are drawn and stored before anything is streamed, so every file of this and later
  // exports shifts a child's dates by the same number of days.
  if (query.dates === 'shifted' && (format === 'long.csv' || format === 'wide.csv' || format === 'xlsx')) {
    await ensureDateShifts([...new Set(scope.programmes.flatMap((p) => p.schoolIds))]);
  }
  const skipped: Skipped = { orphanAssessments: 0 };
  let rows = 0;
  let completed = false;
  try {
    setDownloadHeaders(res, fileName, contentTypeOf[format], names.saved(format));
    if (format === 'long.csv') {
      rows = await writeLongCsv(scope, res, skipped);
    } else if (format === 'wide.csv') {
      const state = { rows: 0 };
      const columns = wideLayout(exportInstruments(scope), scope.dates).columns;
      await pipeline(Readable.from(wideRecords(scope, skipped)), counter(state), stringify({ bom: true, header: true, columns }), res);
      rows = state.rows;
    } else if (format === 'xlsx') {
      rows = await writeXlsx(scope, res, meta, skipped);
    } else if (format === 'codebook.csv') {
      const entries = buildCodebook(scope.instruments, scope.dates);
      // Every codebook cell is text (labels, licence notes): none may run as a spreadsheet formula.
      await pipeline(Readable.from(entries.map((e) => codebookCsvRecord(e).map(spreadsheetText))), stringify({ bom: true, header: true, columns: [...CODEBOOK_CSV_COLUMNS] }), res);
      rows = entries.length;
    } else {
      const { body, rows: n } = textBody(format, scope, names, meta);
      rows = n;
      res.end((bomOf[format] ?? '') + body);
    }
    completed = true;
  } finally {
    await recordAudit({
      actor,
      action: 'export',
      entity: 'export',
      entityId: scope.programmes[0]!.id,
      schoolId: scope.programmes.length === 1 && scope.programmes[0]!.schoolIds.length === 1 ? scope.programmes[0]!.schoolIds[0]! : null,
      meta: { format, fileName, filters, rows, completed, orphanAssessmentsSkipped: skipped.orphanAssessments },
    });
  }
}

