// County report: a generator writes N children in groups of 30 across schools of ~1 000 children,
// one county-wide programme of W weeks with 3 sessions a week, every session held with a full
// register (N × W × 3 attendance marks; default 100 000 × 12 × 3 ≈ 3.6 M), all with bulk inserts.
// Dose summaries are computed from the generated documents in memory (no read-back through the
// database) with the same pure code the app uses, group by group, and inserted in bulk; the report
// rollups are written from them by the rollups module, as a recompute would.
// Then: the programme delivery report as the app serves it (freshness check + one rollup per
// school), timed; for up to 5 000 children (or with --naive) also the same report computed by a
// naive scan of all sessions, and checked equal.
// Goals: issue 11 on the embedded FerretDB engine: 20 000 children < 500 ms, 100 000 children run
// to completion; issue 3: report < 1.5 s, naive / report ≥ 10×. `--children N` runs smaller.
import mongoose from 'mongoose';
import { addDays, isoWeekday, schoolToday } from '../shared/domain/dates.ts';
import { connectDatabase, disconnectDatabase } from '../server/db/connection.ts';
import { Child } from '../server/modules/children/model.ts';
import { buildReport, programmeDeliveryReport } from '../server/modules/delivery/service.ts';
import { DoseSummary } from '../server/modules/dose/model.ts';
import { GroupDose } from '../server/modules/dose/group-model.ts';
import { computeDoseDocuments, toDomainSession } from '../server/modules/dose/service.ts';
import { Group, type GroupDoc } from '../server/modules/groups/model.ts';
import { Programme, type ProgrammeDoc } from '../server/modules/programmes/model.ts';
import { SchoolRollup } from '../server/modules/rollups/model.ts';
import { applyGroupDoses } from '../server/modules/rollups/service.ts';
import { Session, type SessionDoc } from '../server/modules/sessions/model.ts';
import { benchDatabase, ms, numberArg } from './common.ts';
import type { Benchmark } from './index.ts';

const GROUP_SIZE = 30;
const SCHOOL_SIZE = 1000;
const BATCH = 1000;
const { ObjectId } = mongoose.Types;

async function insertBatches(collection: string, docs: Record<string, unknown>[]) {
  const c = mongoose.connection.db!.collection(collection);
  for (let i = 0; i < docs.length; i += BATCH) await c.insertMany(docs.slice(i, i + BATCH), { ordered: false });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export const countyReportBenchmark: Benchmark = {
  name: 'county',
  description: 'programme delivery report over a county (default 100 000 children, 12 weeks, 3 sessions/week) vs a naive scan of all sessions',
  async run({ values }) {
    const nChildren = numberArg(values.children, 100_000);
    const weeks = numberArg(values.weeks, 12);
    const repeat = numberArg(values.repeat, 5);
    const { database, cleanup } = await benchDatabase();
    await connectDatabase(database.uri, `bench_county_${Date.now()}`);
    try {
      const today = schoolToday(new Date());
      // The programme ended yesterday (or earlier): every session is in the past and held.
      const startDate = addDays(today, -7 * weeks - (isoWeekday(today) - 1));
      const nGroups = Math.ceil(nChildren / GROUP_SIZE);
      const nSchools = Math.ceil(nChildren / SCHOOL_SIZE);
      const schoolIds = Array.from({ length: nSchools }, () => new ObjectId());
      const programmeId = new ObjectId();
      const groupIds = Array.from({ length: nGroups }, () => new ObjectId());
      console.log(`generating ${nChildren} children, ${nGroups} groups, ${nSchools} schools, ${weeks} weeks × 3 sessions = ${nGroups * weeks * 3} sessions, ${nChildren * weeks * 3} attendance marks`);

      let t = performance.now();
      const phase = (label: string) => {
        const now = performance.now();
        console.log(`  ${label}: ${((now - t) / 1000).toFixed(1)} s`);
        t = now;
      };
      const genStart = t;
      // Deterministic pseudo-random attendance (a little drop-out over time) — no Math.random.
      let seed = 42;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const children: Record<string, unknown>[] = [];
      const groups: Record<string, unknown>[] = [];
      for (let g = 0; g < nGroups; g++) {
        const school = schoolIds[Math.floor((g * GROUP_SIZE) / SCHOOL_SIZE)] as mongoose.Types.ObjectId;
        const members = [];
        for (let i = 0; i < GROUP_SIZE && g * GROUP_SIZE + i < nChildren; i++) {
          const id = new ObjectId();
          const n = g * GROUP_SIZE + i;
          children.push({ _id: id, schoolId: school, code: `C${n}`, displayName: `Child ${n}`, sex: n % 2 ? 'male' : 'female', birthYear: 2012 + (n % 5), birthMonth: 1 + (n % 12), grade: 4, className: '', leftBehindStatus: 'one_parent_away', monthsSinceSeparation: null, caregiver: 'grandparents', boarding: false, guardianConsentDate: null, childAssent: false, active: true, version: 0 });
          members.push({ childId: id, joinedOn: startDate, leftOn: null });
        }
        groups.push({ _id: groupIds[g], schoolId: school, name: `Group ${g}`, activityCode: 'running', coachIds: [], members, version: 0 });
      }
      await insertBatches('children', children);
      phase(`children (${children.length})`);
      await insertBatches('groups', groups);
      phase(`groups (${groups.length})`);
      const programme = {
        _id: programmeId, name: 'County programme', schoolIds, groupIds, arm: 'intervention', startDate, plannedWeeks: weeks,
        weeklyPattern: [1, 3, 5].map((weekday) => ({ weekday, startTime: '16:00', minutes: 40 })),
        activityBlocks: [{ activityCode: 'warm-up', minutes: 5, targetIntensity: 'light' }, { activityCode: 'running', minutes: 25, targetIntensity: 'moderate' }],
        evidenceProfileId: 'seed-review', timeZone: 'Asia/Shanghai', exclusionDates: [], instruments: [], waves: [], version: 0,
      };
      await mongoose.connection.db!.collection('programmes').insertOne({ ...programme });
      let sessionCount = 0;
      let batch: Record<string, unknown>[] = [];
      let summaryBatch: Record<string, unknown>[] = [];
      const groupDoses: Record<string, unknown>[] = [];
      const childById = new Map(children.map((c) => [String(c._id), c as { _id: unknown; birthYear: number; birthMonth: number; schoolId: unknown }]));
      let computeMs = 0;
      let summaryCount = 0;
      const readAt = new Date();
      for (const g of groups as { _id: mongoose.Types.ObjectId; schoolId: mongoose.Types.ObjectId; members: { childId: mongoose.Types.ObjectId; joinedOn: string }[] }[]) {
        const own: Record<string, unknown>[] = [];
        for (let w = 0; w < weeks; w++) {
          for (const d of [0, 2, 4]) {
            const register = g.members.map((m) => {
              const r = rnd() + w * 0.01;
              return r < 0.82 ? { childId: m.childId, status: 'present' } : r < 0.9 ? { childId: m.childId, status: 'absent' } : r < 0.95 ? { childId: m.childId, status: 'excused' } : { childId: m.childId, status: 'late', minutes: 20 };
            });
            own.push({
              _id: new ObjectId(), programmeId, groupId: g._id, schoolId: g.schoolId, date: addDays(startDate, 7 * w + d), startTime: '16:00', plannedMinutes: 40, status: 'held', origin: 'pattern',
              rescheduledFrom: null, cancelReason: null, actualStart: '16:05',
              activityBlocks: [{ activityCode: 'warm-up', minutes: 5 }, { activityCode: 'running', minutes: 25, rpe: 5 + Math.floor(rnd() * 3) }],
              register, notes: '', loggedBy: null, loggedAt: new Date(), version: 1, createdAt: new Date(), updatedAt: new Date(),
            });
          }
        }
        // Summaries from the generated documents in memory, group by group (each child is in one
        // group, so this is the whole-programme computation split up), with the app's pure code.
        const c0 = performance.now();
        const memberIds = g.members.map((m) => String(m.childId));
        const computed = computeDoseDocuments(
          {
            programme, groups: [g as unknown as GroupDoc], sessions: own.map((x) => toDomainSession(x as unknown as SessionDoc)),
            children: memberIds.map((id) => childById.get(id)!).map((c) => ({ id: String(c._id), birthYear: c.birthYear, birthMonth: c.birthMonth, schoolId: String(c.schoolId) })),
            asOf: today,
            // Sum of session versions per group: part of the summaries' freshness stamp.
            sessionVersions: new Map([[String(g._id), weeks * 3]]),
          },
          [String(g._id)], memberIds, readAt,
        );
        computeMs += performance.now() - c0;
        batch.push(...own);
        summaryBatch.push(...computed.summaries);
        groupDoses.push(...computed.groupDoses);
        if (batch.length >= BATCH) {
          await insertBatches('sessions', batch);
          sessionCount += batch.length;
          batch = [];
        }
        if (summaryBatch.length >= BATCH) {
          await insertBatches('dose_summaries', summaryBatch);
          summaryCount += summaryBatch.length;
          summaryBatch = [];
        }
      }
      await insertBatches('sessions', batch);
      sessionCount += batch.length;
      await insertBatches('dose_summaries', summaryBatch);
      summaryCount += summaryBatch.length;
      await insertBatches('group_doses', groupDoses);
      phase(`sessions (${sessionCount}) and summaries (${summaryCount} children, ${groupDoses.length} groups; ${(computeMs / 1000).toFixed(1)} s of it computing them)`);
      // The report rollups, written from the group summaries as the recompute writes them.
      await applyGroupDoses(programme, groupDoses, groups as { _id: unknown; name: string; activityCode: string }[], [], true);
      phase('rollups');
      await Promise.all([Session.init(), Group.init(), Child.init(), DoseSummary.init(), GroupDose.init(), SchoolRollup.init()]);
      phase('indexes');
      const genEnd = performance.now();
      console.log(`generation total: ${((genEnd - genStart) / 1000).toFixed(1)} s on ${database.engine}`);

      const admin = { id: new ObjectId().toHexString(), username: 'bench', role: 'admin' as const, schoolIds: [] };
      const reportTimes: number[] = [];
      let report: Awaited<ReturnType<typeof programmeDeliveryReport>> | undefined;
      for (let i = 0; i < repeat; i++) {
        const s = performance.now();
        report = await programmeDeliveryReport(admin, String(programmeId));
        reportTimes.push(performance.now() - s);
      }
      const naiveTimes: number[] = [];
      let naive: Awaited<ReturnType<typeof buildReport>> | undefined;
      // The naive scan reads every register through the database: minutes at county scale here.
      const runNaive = values.naive === true || nChildren <= 5_000;
      for (let i = 0; i < (runNaive ? Math.min(repeat, 3) : 0); i++) {
        const s = performance.now();
        // Naive: read every session with its register, recompute every dose, then the report.
        const prog = (await Programme.findById(programmeId).lean<ProgrammeDoc>()) as ProgrammeDoc;
        const [sess, grp, kids] = await Promise.all([
          Session.find({ programmeId }).lean<SessionDoc[]>(),
          Group.find({ _id: { $in: prog.groupIds } }).lean<GroupDoc[]>(),
          Child.find({}, { birthYear: 1, birthMonth: 1, schoolId: 1 }).lean(),
        ]);
        const out = computeDoseDocuments(
          { programme: prog, groups: grp, sessions: sess.map(toDomainSession), children: kids.map((c) => ({ id: String(c._id), birthYear: c.birthYear, birthMonth: c.birthMonth, schoolId: String(c.schoolId) })), asOf: today },
          prog.groupIds.map(String), kids.map((c) => String(c._id)), new Date(),
        );
        naive = await buildReport(admin, prog, out.groupDoses);
        naiveTimes.push(performance.now() - s);
      }
      const r = median(reportTimes);
      const fmt = (list: number[]) => `${ms(median(list))} (median of ${list.length}; min ${ms(Math.min(...list))}, max ${ms(Math.max(...list))})`;
      console.log(`\n  report from rollups:          ${fmt(reportTimes)}`);
      console.log(`  groups ${report?.groups.length}, children ${report?.children.count}, notices ${report?.notices.length}`);
      if (runNaive) {
        const same = JSON.stringify({ ...report, groups: report?.groups.length }) === JSON.stringify({ ...naive, groups: naive?.groups.length }) &&
          JSON.stringify(report?.groups.map((g) => [g.name, g.summary, g.checks, g.weekly, g.children])) === JSON.stringify(naive?.groups.map((g) => [g.name, g.summary, g.checks, g.weekly, g.children]));
        const n = median(naiveTimes);
        console.log(`  naive scan of all sessions:   ${fmt(naiveTimes)}; ratio ${(n / r).toFixed(1)}×; same report from both: ${same ? 'yes' : 'NO'}`);
        console.log(`  goal (issue 3) ratio ≥ 10×: ${n / r >= 10 ? 'met' : 'NOT met'}`);
      } else {
        console.log('  naive scan of all sessions:   not run above 5 000 children (add --naive)');
      }
      console.log(`  goal (issue 3) report < 1.5 s: ${r < 1500 ? 'met' : 'NOT met'}`);
      if (database.engine === 'ferretdb') {
        if (nChildren === 20_000) console.log(`  goal (issue 11, embedded FerretDB) 20 000 children < 500 ms: ${r < 500 ? 'met' : 'NOT met'} (${ms(r)})`);
        if (nChildren >= 100_000) console.log(`  goal (issue 11, embedded FerretDB) 100 000 children run to completion: met (generation ${((genEnd - genStart) / 1000).toFixed(0)} s, report ${ms(r)})`);
      }
    } finally {
      await mongoose.connection.db?.dropDatabase();
      await disconnectDatabase();
      await cleanup();
    }
  },
};
