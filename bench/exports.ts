// Long-CSV export benchmark (issue 4): N children × 2 questionnaires × 2 waves, generated with bulk
// inserts; then, in the same run and on the same documents, (1) the raw driver cursor read rate
// of the assessments and of everything the export reads, and (2) the streamed long-CSV export
// into a byte-counting sink — time, rows/s, and RSS sampled every 20 ms (start, peak, end).
// `npm run bench -- exports --children 100000`, or on its own: `node --import tsx bench/exports.ts --children N`.
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { RSES, SCARED } from '../shared/domain/instruments.ts';
import { scoreAssessment } from '../shared/domain/scoring.ts';
import { connectDatabase, disconnectDatabase } from '../server/db/connection.ts';
import { Assessment } from '../server/modules/assessments/model.ts';
import { Child } from '../server/modules/children/model.ts';
import { DoseSummary } from '../server/modules/dose/model.ts';
import { Programme } from '../server/modules/programmes/model.ts';
import { School } from '../server/modules/schools/model.ts';
import { writeLongCsv } from '../server/modules/exports/service.ts';
import { resolveScope } from '../server/modules/exports/source.ts';
import { mulberry32 } from '../server/lib/seeded-random.ts';
import { benchDatabase, numberArg } from './common.ts';
import type { BenchArgs, Benchmark } from './index.ts';

const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** RSS sampled while `work` runs. */
interface Sampled<T> {
  result: T;
  ms: number;
  rssStart: number;
  rssPeak: number;
  rssEnd: number;
  heapStart: number;
  heapPeak: number;
  /** Heap still used after a full GC at the end (needs --expose-gc). */
  heapAfterGc: number | null;
  /** RSS and heap at 25 / 50 / 75 / 100 % of the elapsed time. */
  timeline: { at: number; rss: number; heap: number }[];
}

async function sampled<T>(work: () => Promise<T>): Promise<Sampled<T>> {
  global.gc?.();
  const start = process.memoryUsage();
  let rssPeak = start.rss;
  let heapPeak = start.heapUsed;
  const samples: { t: number; rss: number; heap: number }[] = [];
  const t0 = performance.now();
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rssPeak = Math.max(rssPeak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
    samples.push({ t: performance.now() - t0, rss: m.rss, heap: m.heapUsed });
  }, 20);
  try {
    const result = await work();
    const ms = performance.now() - t0;
    const m = process.memoryUsage();
    const timeline = [0.25, 0.5, 0.75, 1].map((q) => {
      const s = samples.filter((x) => x.t <= q * ms).at(-1) ?? { rss: m.rss, heap: m.heapUsed };
      return { at: q, rss: s.rss, heap: s.heap };
    });
    global.gc?.();
    const heapAfterGc = global.gc ? process.memoryUsage().heapUsed : null;
    return { result, ms, rssStart: start.rss, rssPeak: Math.max(rssPeak, m.rss), rssEnd: m.rss, heapStart: start.heapUsed, heapPeak, heapAfterGc, timeline };
  } finally {
    clearInterval(timer);
  }
}

async function generate(n: number, schoolId: mongoose.Types.ObjectId, programmeId: mongoose.Types.ObjectId, log: (s: string) => void) {
  const rand = mulberry32(42);
  // A pool of scored questionnaires, reused: scoring is not what this benchmark measures.
  const pool = (def: typeof SCARED) =>
    Array.from({ length: 64 }, () => {
      const answers = def.items.map(() => def.response.min + Math.floor(rand() * (def.response.max - def.response.min + 1)));
      return { answers, score: scoreAssessment(def, answers) };
    });
  const pools = { SCARED: pool(SCARED), RSES: pool(RSES) };
  const enteredBy = new mongoose.Types.ObjectId();
  const BATCH = 1000;
  const t0 = performance.now();
  for (let start = 0; start < n; start += BATCH) {
    const children = [];
    const doses = [];
    const assessments = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const childId = new mongoose.Types.ObjectId();
      children.push({
        _id: childId, schoolId, code: `S001-${String(i + 1).padStart(6, '0')}`, displayName: `Child ${i}`, sex: i % 2 ? 'male' : 'female', birthYear: 2013 + (i % 4), birthMonth: 1 + (i % 12),
        grade: 4, className: '', leftBehindStatus: 'one_parent_away', monthsSinceSeparation: null, caregiver: 'grandparents', boarding: false, guardianConsentDate: '2025-02-01', childAssent: true, active: true, version: 0,
        createdAt: new Date(), updatedAt: new Date(),
      });
      const minutes = Math.floor(rand() * 900);
      doses.push({
        _id: `${programmeId}:${childId}`, programmeId, childId, schoolId, groupIds: [], asOf: '2025-05-30', sessionsScheduled: 36, sessionsAttended: Math.floor(minutes / 25), attendanceRate: Math.floor(minutes / 25) / 36,
        aerobicMinutes: minutes, qualifyingSessions: Math.floor(minutes / 30), qualifyingWeeks: 8, longestGapDays: 7, lastAttendedOn: '2025-05-28', weekly: [], checks: [], sourceReadAt: new Date(), computedAt: new Date(),
      });
      for (const code of ['SCARED', 'RSES'] as const) {
        for (const [wave, date] of [['pre', '2025-02-26'], ['post', '2025-05-28']] as const) {
          const q = pools[code][Math.floor(rand() * 64)]!;
          assessments.push({ schoolId, childId, programmeId, instrumentCode: code, instrumentVersion: 1, wave, date, answers: q.answers, missing: [], score: q.score, enteredBy, version: 0, createdAt: new Date(), updatedAt: new Date() });
        }
      }
    }
    await Promise.all([
      Child.collection.insertMany(children, { ordered: false }),
      DoseSummary.collection.insertMany(doses as never[], { ordered: false }),
      Assessment.collection.insertMany(assessments, { ordered: false }),
    ]);
    if ((start / BATCH) % 10 === 9) log(`  generated ${Math.min(n, start + BATCH)} / ${n} children (${secs(performance.now() - t0)})`);
  }
  return performance.now() - t0;
}

async function rawRead(collection: mongoose.mongo.Collection, filter: mongoose.mongo.Filter<mongoose.mongo.Document>, sort?: mongoose.mongo.Sort): Promise<number> {
  let n = 0;
  const cursor = collection.find(filter).batchSize(2000);
  if (sort) cursor.sort(sort);
  for await (const _doc of cursor) n++;
  return n;
}

export const exportsBenchmark: Benchmark = {
  name: 'exports',
  description: 'long-CSV export of N children × 2 questionnaires × 2 waves vs the raw driver cursor read (--children N, default 100000)',
  async run(args: BenchArgs) {
    const n = numberArg(args.values.children, 100_000);
    const { database, cleanup } = await benchDatabase();
    try {
      await connectDatabase(database.uri, 'bench_exports');
      await mongoose.connection.db!.dropDatabase();
      await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
      const school = await School.create({ code: 'S001', name: 'Bench school', region: 'R', county: 'C', setting: 'rural' });
      const programme = await Programme.create({
        name: 'Bench programme', schoolIds: [school._id], arm: 'intervention', startDate: '2025-03-03', plannedWeeks: 12,
        instruments: [{ code: 'SCARED', version: 1 }, { code: 'RSES', version: 1 }],
      });
      console.log(`generating ${n} children, ${n} dose summaries, ${n * 4} assessments (bulk insertMany, 1000 children per batch)…`);
      const genMs = await generate(n, school._id, programme._id, (s) => console.log(s));
      console.log(`generation: ${secs(genMs)}`);

      const pid = programme._id;
      const raw = await sampled(() => rawRead(Assessment.collection, { programmeId: pid }));
      const rawSorted = await sampled(() => rawRead(Assessment.collection, { programmeId: pid }, { childId: 1 }));
      const rawAll = await sampled(async () =>
        (await Promise.all([rawRead(Assessment.collection, { programmeId: pid }, { childId: 1 }), rawRead(Child.collection, { schoolId: school._id }, { _id: 1 }), rawRead(DoseSummary.collection, { programmeId: pid }, { childId: 1 })])).reduce((a, b) => a + b, 0),
      );

      const actor = { id: String(new mongoose.Types.ObjectId()), username: 'bench', role: 'admin' as const, schoolIds: [] };
      const scope = await resolveScope(actor, 'export:create', { programmeIds: [String(pid)], dates: 'omit' });
      let bytes = 0;
      let lines = 0;
      // Memory at every tenth of the rows (the export's rows carry no embedded line breaks).
      const byRows: { rows: number; rss: number; heap: number }[] = [];
      const step = Math.max(1, Math.floor((n * 4) / 10));
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
            lines++;
            if ((lines - 1) % step === 0 && lines > 1) {
              const m = process.memoryUsage();
              byRows.push({ rows: lines - 1, rss: m.rss, heap: m.heapUsed });
            }
          }
          cb();
        },
      });
      const exp = await sampled(() => writeLongCsv(scope, sink));
      const rows = exp.result;

      const rate = (count: number, ms: number) => Math.round(count / (ms / 1000));
      console.log('');
      console.log(`engine ${database.engine}; N = ${n} children → ${rows} long rows (${mb(bytes)} CSV, ${scope.instruments.length} questionnaires, 41 item columns)`);
      console.log(`raw cursor, assessments, unsorted:             ${raw.result} docs in ${secs(raw.ms)} = ${rate(raw.result, raw.ms)} docs/s`);
      console.log(`raw cursor, assessments sorted by childId:      ${rawSorted.result} docs in ${secs(rawSorted.ms)} = ${rate(rawSorted.result, rawSorted.ms)} docs/s`);
      console.log(`raw cursor, all 3 sorted cursors of the export: ${rawAll.result} docs in ${secs(rawAll.ms)} (${rate(raw.result, rawAll.ms)} assessment rows/s)`);
      console.log(`long-CSV export (merge-join → csv-stringify):   ${rows} rows in ${secs(exp.ms)} = ${rate(rows, exp.ms)} rows/s`);
      console.log(`export rate / raw unsorted assessment rate:     ${((100 * rate(rows, exp.ms)) / rate(raw.result, raw.ms)).toFixed(0)} %`);
      console.log(`export rate / raw sorted assessment rate:       ${((100 * rate(rows, exp.ms)) / rate(rawSorted.result, rawSorted.ms)).toFixed(0)} %`);
      console.log(`RSS during export: start ${mb(exp.rssStart)}, peak ${mb(exp.rssPeak)} (+${mb(exp.rssPeak - exp.rssStart)}), end ${mb(exp.rssEnd)}`);
      console.log(`heap during export: start ${mb(exp.heapStart)}, peak ${mb(exp.heapPeak)}, after GC at the end ${exp.heapAfterGc === null ? 'n/a (run with --expose-gc)' : mb(exp.heapAfterGc)}`);
      console.log(`RSS / heap at 25/50/75/100 % of the export time: ${exp.timeline.map((x) => `${mb(x.rss)} / ${mb(x.heap)}`).join(' → ')}`);
      console.log(`RSS / heap every ${step} rows: ${byRows.map((x) => `${x.rows}: ${mb(x.rss)} / ${mb(x.heap)}`).join(', ')}`);
      console.log(`RSS during raw unsorted read: start ${mb(raw.rssStart)}, peak ${mb(raw.rssPeak)} (+${mb(raw.rssPeak - raw.rssStart)})`);
      console.log(`goal < 3 s: ${exp.ms < 3000 ? 'met' : 'NOT met'} (${secs(exp.ms)})`);
    } finally {
      await mongoose.connection.db?.dropDatabase().catch(() => undefined);
      await disconnectDatabase();
      await cleanup();
    }
  },
};

// Runnable on its own as well as through bench/index.ts.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { children: { type: 'string' } } });
  await exportsBenchmark.run({ values });
  process.exit(0);
}
