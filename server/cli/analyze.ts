// `activegroups analyze --input FILE.csv [--instrument CODE] [--polarity CODE=higher-is-worse|higher-is-better]`
// Reruns the pre/post analysis on an exported long CSV and prints JSON (one object per
// instrument). The analysis itself lives in shared/ (analyzeLongRows) so the server's results page
// computes the same numbers; this file only reads and validates the file.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { analyzeLongRows, LongFileError, parseLongRecords } from '../../shared/domain/analysis.ts';
import type { Polarity } from '../../shared/domain/statistics/reliability.ts';

const usage = `Usage: activegroups analyze --input FILE.csv [--instrument CODE] [--polarity CODE=higher-is-worse|higher-is-better]

Reads the tidy long CSV (UTF-8, header row; columns child_code, arm, instrument, wave, total and
optional item_1 … item_k; empty cell = missing) and prints the analysis as JSON on stdout.
`;

interface Args {
  input?: string;
  instrument?: string;
  polarity: Record<string, Polarity>;
  help: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { polarity: {}, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--input':
      case '-i':
        args.input = value();
        break;
      case '--instrument':
        args.instrument = value();
        break;
      case '--polarity': {
        const v = value();
        const m = /^([^=]+)=(higher-is-worse|higher-is-better)$/.exec(v);
        if (!m) throw new UsageError(`--polarity expects CODE=higher-is-worse or CODE=higher-is-better, got "${v}"`);
        args.polarity[m[1] as string] = m[2] as Polarity;
        break;
      }
      case '-h':
      case '--help':
        args.help = true;
        break;
      default:
        throw new UsageError(`unknown option "${a}"`);
    }
  }
  return args;
}

class UsageError extends Error {}

export async function runAnalyze(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`analyze: ${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (!args.input) {
    process.stderr.write(`analyze: --input FILE.csv is required\n\n${usage}`);
    return 2;
  }
  let text: string;
  try {
    text = await readFile(args.input, 'utf8');
  } catch (e) {
    process.stderr.write(`analyze: cannot read ${args.input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 1;
  }
  try {
    const parsed = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    if (parsed.length === 0) throw new LongFileError(1, 'the file is empty (a header row is needed)');
    const [head, ...body] = parsed;
    const rows = parseLongRecords(
      (head as { record: string[] }).record,
      body.map((r) => r.record),
      body.map((r) => r.info.lines),
    );
    const options = { polarity: args.polarity, ...(args.instrument !== undefined ? { instrument: args.instrument } : {}) };
    const result = analyzeLongRows(rows, options);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof LongFileError) {
      process.stderr.write(`analyze: ${args.input}: ${e.message}\n`);
      return 1;
    }
    const err = e as Error & { code?: string; lines?: number };
    if (typeof err.code === 'string' && err.code.startsWith('CSV_')) {
      process.stderr.write(`analyze: ${args.input}: line ${err.lines ?? '?'}: ${err.message}\n`);
      return 1;
    }
    throw e;
  }
}
