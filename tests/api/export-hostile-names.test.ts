// Hostile names in every export format (issue 10 item 2). A programme or instrument name stored
// before the free-text rule — or any quote, backslash, period, pipe, backtick or HTML that the rule
// allows — must never become code in analysis.R / analysis.sps, markup in codebook.md, a formula in
// a CSV/XLSX cell, or a broken Content-Disposition. The scripts are checked at parser level on
// every run (their "skeleton" — the script with string literals and comments blanked — is the same
// as with a harmless name), and, where Rscript / pspp are installed, run for real.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spreadsheetText } from '../../shared/domain/escape.ts';
import { SCARED } from '../../shared/domain/instruments.ts';
import { Instrument } from '../../server/modules/instruments/model.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';
import { seedStudyWorld } from './results-world.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let researcher: TestClient;
let world: Awaited<ReturnType<typeof seedStudyWorld>>;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-hostile-'));
const MARKER = path.join(work, 'PWNED');

beforeAll(async () => {
  harness = await startTestApp();
  world = await seedStudyWorld();
  researcher = await signedInClient(harness.app, 'researcher');
});
afterAll(async () => {
  await harness.stop();
  if (!process.env.KEEP_HOSTILE) fs.rmSync(work, { recursive: true, force: true });
});

/** Names an attacker (a PE teacher, or an admin defining an instrument) could have stored. */
const HOSTILE: Record<string, string> = {
  'newline + R system()': 'Football\nsystem("rm -rf /")\n# ',
  'CRLF + quote breakout': 'Club"\r\nsystem(\'rm -rf /\')\r\n"',
  'quotes and backslashes': `He said "hi" and 'bye' \\ C:\\temp\\ \\"; system("id"); "`,
  'comment closers': '*/ /* --> #> */ end',
  'SPSS period line terminators': "Club.\nHOST COMMAND=['touch /tmp/x'].\nERASE FILE='data.sav'.",
  'Markdown pipes, backticks, HTML, links': '| a | b | `code` <script>alert(1)</script> [x](http://e.vil) ![i](x) &#x202E; **bold**',
  'bidi overrides and isolates': 'abc\u202Edcba\u2066evil\u2069\u202C',
  'NUL and C1 controls': 'a\u0000b\u0085c\u001Bd',
  'zero-width only': '\u200B\u200C\u200D\uFEFF',
  'spreadsheet formulas': "=cmd|' /C calc'!A0",
  'formula after a tab': '\t=1+2',
  'line separator U+2028': 'one\u2028two\u2029three',
};
const HARMLESS = 'Football club';

async function download(url: string) {
  const res = await researcher.get(url).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  expect(res.status, url).toBe(200);
  return { headers: res.headers, body: res.body as Buffer };
}

/** Stores the name as the programme name and in every free-text field of a stored SCARED definition. */
async function storeNames(name: string) {
  const programmeId = world.studies.intervention.programmeId;
  // Straight into the database: data stored before the API refused such names.
  await Programme.collection.updateOne({ _id: new mongoose.Types.ObjectId(programmeId) }, { $set: { name } });
  const definition = {
    ...SCARED,
    name: { en: `SCARED ${name}`, zh: `焦虑 ${name}` },
    subscales: SCARED.subscales.map((s) => ({ ...s, name: { en: `${s.name.en} ${name}`, zh: name } })),
    response: { ...SCARED.response, labels: [{ value: 0, en: name, zh: name }, { value: 1, en: 'Sometimes', zh: '有时' }, { value: 2, en: `"${name}"`, zh: '经常' }] },
    licenceNote: `Free to use. ${name}`,
  };
  await Instrument.collection.deleteMany({ code: 'SCARED' });
  await Instrument.collection.insertOne({ code: 'SCARED', version: 1, definition, builtIn: false, retired: false, revision: 0 });
}

const query = () => `programmeIds=${world.studies.intervention.programmeId},${world.studies.control.programmeId}&instrument=SCARED&dates=shifted`;

async function exportAll(name: string) {
  await storeNames(name);
  const q = query();
  const [r, sps, md, cb, long, wide, xlsx] = await Promise.all(
    ['analysis.R', 'analysis.sps', 'codebook.md', 'codebook.csv', 'long.csv', 'wide.csv', 'xlsx'].map((f) => download(`/api/v1/exports/${f}?${q}`)),
  );
  return { r: r!, sps: sps!, md: md!, cb: cb!, long: long!, wide: wide!, xlsx: xlsx! };
}

/** R code with every string literal replaced by S and every comment by #: the structure of the script. */
export function rSkeleton(script: string): string[] {
  return script.split('\n').map((line) => {
    let out = '';
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (ch === '"' || ch === "'") {
        let j = i + 1;
        while (j < line.length && line[j] !== ch) j += line[j] === '\\' ? 2 : 1;
        if (j >= line.length) return `${out}<UNTERMINATED STRING>`;
        out += 'S';
        i = j;
      } else if (ch === '#') {
        return `${out}#`;
      } else out += ch;
    }
    return out;
  });
}

/** SPSS syntax with string literals ('…', quote doubled) replaced by S and comment lines by *. */
export function spssSkeleton(syntax: string): string[] {
  return syntax.split('\n').map((line) => {
    if (/^\s*\*/.test(line)) return /\.\s*$/.test(line) ? '*.' : '<COMMENT WITHOUT PERIOD>';
    return line.replace(/'(?:[^']|'')*'/g, 'S').replace(/"(?:[^"]|"")*"/g, 'S');
  });
}

/** Table rows of the Markdown codebook: the number of cells (unescaped pipes) of each line. */
function markdownCells(line: string): number {
  return line.replace(/\\./g, '').split('|').length - 2;
}

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const has = (bin: string) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;

let baseline: Awaited<ReturnType<typeof exportAll>>;
const checked: string[] = [];

describe('hostile names in every export format', () => {
  beforeAll(async () => {
    baseline = await exportAll(HARMLESS);
  });
  afterAll(() => {
    // The figure for the report: hostile names × formats checked.
    console.info(`hostile-name checks: ${Object.keys(HOSTILE).length} names × 7 formats (+ Content-Disposition); ${checked.join(', ')}`);
  });

  for (const [label, name] of Object.entries(HOSTILE)) {
    it(`when a stored name has ${label}, then R, SPSS, Markdown, CSV and XLSX keep it inert`, async () => {
      const files = await exportAll(name);

      // Scripts: no BOM, and the same structure as with a harmless name (the name stays in literals/comments).
      const r = files.r.body.toString('utf8');
      const sps = files.sps.body.toString('utf8');
      expect(files.r.body[0]).not.toBe(0xef);
      expect(files.sps.body[0]).not.toBe(0xef);
      expect(rSkeleton(r)).toEqual(rSkeleton(baseline.r.body.toString('utf8')));
      expect(spssSkeleton(sps)).toEqual(spssSkeleton(baseline.sps.body.toString('utf8')));
      for (const text of [r, sps]) expect(text.replace(/\n/g, '')).not.toMatch(UNSAFE);

      // Markdown: the same lines, each table row with its 8 cells, no raw HTML, controls or bidi.
      const md = files.md.body.toString('utf8').replace(/^\uFEFF/, '');
      const baseMd = baseline.md.body.toString('utf8').replace(/^\uFEFF/, '');
      expect(md.split('\n')).toHaveLength(baseMd.split('\n').length);
      for (const line of md.split('\n').filter((l) => l.startsWith('|'))) expect(markdownCells(line), line).toBe(8);
      const raw = (text: string) => text.replace(/\\./g, '');
      expect(raw(md)).not.toMatch(/<|\]\(|!\[|&#/);
      expect(raw(md).split('`').length).toBe(raw(baseMd).split('`').length);
      expect(md.replace(/\n/g, '')).not.toMatch(UNSAFE);

      // CSV files: the same shape; no text cell a spreadsheet would run as a formula.
      const rows = (buf: Buffer) => parse(buf.toString('utf8'), { bom: true, relax_column_count: false }) as string[][];
      for (const [file, base] of [[files.cb, baseline.cb], [files.long, baseline.long], [files.wide, baseline.wide]] as const) {
        const got = rows(file.body);
        expect(got).toHaveLength(rows(base.body).length);
        for (const row of got) for (const cell of row) expect(cell, cell).not.toMatch(/^[=+@\t\r]|^-[^\d]/);
      }

      // XLSX: every cell a value, never a formula; text that looks like one is prefixed.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(files.xlsx.body as unknown as ArrayBuffer);
      let programmeCell: unknown = null;
      wb.eachSheet((sheet) =>
        sheet.eachRow((row) =>
          row.eachCell((cell) => {
            expect(cell.formula, `${sheet.name}!${cell.address}`).toBeFalsy();
            if (typeof cell.value === 'string') expect(cell.value).not.toMatch(/^[=+@\t\r]/);
            if (sheet.name === 'summary' && row.getCell(1).value === world.studies.intervention.programmeId && Number(cell.col) === 2) programmeCell = cell.value;
          }),
        ),
      );
      // The programme's name is on the summary sheet, as one line of text.
      expect(programmeCell).toBe(spreadsheetText(name));

      // Content-Disposition: one header, a saved name without controls, bidi or path characters.
      for (const f of Object.values(files)) {
        const cd = f.headers['content-disposition'] as string;
        const saved = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(cd)![1]!);
        expect(saved).toMatch(/^activegroups_[^\\/:*?"<>|\p{Cc}\p{Cf}\p{Z}]+$/u);
      }
      checked.push(label);
    });
  }
});

describe('the scripts run for real against hostile names', () => {
  const rAvailable = has('Rscript');
  const psppAvailable = has('pspp');
  // A payload that leaves a trace instead of doing harm: if it ever runs, the marker file appears.
  const payload = `Club"\n'\nsystem("touch ${MARKER}")\nHOST COMMAND=['touch ${MARKER}'].\n* x.\n`;

  it.runIf(rAvailable)('when Rscript runs the exported script on the exported long CSV, then it completes and runs no injected code', async () => {
    const files = await exportAll(payload);
    const saved = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(files.long.headers['content-disposition'] as string)![1]!);
    fs.writeFileSync(path.join(work, saved), files.long.body);
    fs.writeFileSync(path.join(work, 'analysis.R'), files.r.body);
    // No argument: the script finds the long CSV under the name the browser saved it.
    const out = execFileSync('Rscript', ['analysis.R'], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain('==== SCARED ====');
    expect(out).toMatch(/mean_diff =/);
    expect(fs.existsSync(MARKER)).toBe(false);
  });

  it.runIf(psppAvailable)('when PSPP runs the exported syntax on the exported wide CSV, then it runs without an error and runs no injected command', async () => {
    const files = await exportAll(payload);
    const saved = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(files.wide.headers['content-disposition'] as string)![1]!);
    fs.writeFileSync(path.join(work, saved), files.wide.body);
    fs.writeFileSync(path.join(work, 'analysis.sps'), files.sps.body);
    const run = spawnSync('pspp', ['analysis.sps', '-o', 'out.txt'], { cwd: work, encoding: 'utf8' });
    const output = fs.readFileSync(path.join(work, 'out.txt'), 'utf8');
    expect(`${run.stderr}\n${output}`).not.toMatch(/(error|warning):/i);
    expect(run.status).toBe(0);
    expect(output).toMatch(/Paired Samples/i);
    expect(fs.existsSync(MARKER)).toBe(false);
  });
});
