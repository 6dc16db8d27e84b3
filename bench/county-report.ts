// County report: a generator writes N children in groups of 30 across schools of ~1 000 children,
// one county-wide programme of W weeks with 3 sessions a week, every session held with a full
// register (N × W × 3 attendance marks; default 100 000 × 12 × 3 ≈ 3.6 M), all with bulk inserts.
// Dose summaries are computed with the same pure code the app uses and inserted in bulk.
// Then: the programme delivery report as the app serves it (fresh-check + read of the per-group
// summaries) timed next to the same report computed by a naive scan of all sessions.
// Goals (issue 3): report < 1.5 s; naive / report ≥ 10×. `--children N` runs smaller.
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
      await mongoose.connection.db!.collection('programmes').insertOne(programme);
      let sessionCount = 0;
      let batch: Record<string, unknown>[] = [];
      for (const g of groups as { _id: mongoose.Types.ObjectId; schoolId: mongoose.Types.ObjectId; members: { childId: mongoose.Types.ObjectId }[] }[]) {
        for (let w = 0; w < weeks; w++) {
          for (const d of [0, 2, 4]) {
            const register = g.members.map((m) => {
              const r = rnd() + w * 0.01;
              return r < 0.82 ? { childId: m.childId, status: 'present' } : r < 0.9 ? { childId: m.childId, status: 'absent' } : r < 0.95 ? { childId: m.childId, status: 'excused' } : { childId: m.childId, status: 'late', minutes: 20 };
            });
            batch.push({
              programmeId, groupId: g._id, schoolId: g.schoolId, date: addDays(startDate, 7 * w + d), startTime: '16:00', plannedMinutes: 40, status: 'held', origin: 'pattern',
              rescheduledFrom: null, cancelReason: null, actualStart: '16:05',
              activityBlocks: [{ activityCode: 'warm-up', minutes: 5 }, { activityCode: 'running', minutes: 25, rpe: 5 + Math.floor(rnd() * 3) }],
              register, notes: '', loggedBy: null, loggedAt: new Date(), version: 1, createdAt: new Date(), updatedAt: new Date(),
            });
            if (batch.length === BATCH) {
              await insertBatches('sessions', batch);
              sessionCount += batch.length;
              batch = [];
            }
          }
        }
      }
      await insertBatches('sessions', batch);
      sessionCount += batch.length;
      phase(`sessions (${sessionCount})`);
      await Promise.all([Session.init(), Group.init(), Child.init(), DoseSummary.init(), GroupDose.init()]);
      phase('indexes');

      // Summaries: the app's own pure computation over the generated data, inserted in bulk.
      const rawSessions = await Session.find({ programmeId }).lean<SessionDoc[]>();
      const progDoc = (await Programme.findById(programmeId).lean<ProgrammeDoc>()) as ProgrammeDoc;
      const groupDocs = await Group.find({ _id: { $in: groupIds } }).lean<GroupDoc[]>();
      const childDocs = await Child.find({}, { birthYear: 1, birthMonth: 1, schoolId: 1 }).lean();
      phase('read back for the summaries');
      const readAt = new Date();
      const computed = computeDoseDocuments(
        {
          programme: progDoc, groups: groupDocs, sessions: rawSessions.map(toDomainSession),
          children: childDocs.map((c) => ({ id: String(c._id), birthYear: c.birthYear, birthMonth: c.birthMonth, schoolId: String(c.schoolId) })),
          asOf: today,
          // Sum of session versions per group: part of the summaries' freshness stamp.
          sessionVersions: new Map(groupIds.map((g) => [String(g), weeks * 3])),
        },
        groupIds.map(String), childDocs.map((c) => String(c._id)), readAt,
      );
      phase('compute summaries (pure)');
      await insertBatches('dose_summaries', computed.summaries);
      await insertBatches('group_doses', computed.groupDoses);
      phase(`insert summaries (${computed.summaries.length} children, ${computed.groupDoses.length} groups)`);
      console.log(`generation total: ${((performance.now() - genStart) / 1000).toFixed(1)} s on ${database.engine}`);

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
      for (let i = 0; i < Math.min(repeat, 3); i++) {
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
      const same = JSON.stringify({ ...report, groups: report?.groups.length }) === JSON.stringify({ ...naive, groups: naive?.groups.length }) &&
        JSON.stringify(report?.groups.map((g) => [g.summary, g.checks, g.weekly, g.children])) === JSON.stringify(naive?.groups.map((g) => [g.summary, g.checks, g.weekly, g.children]));
      const r = median(reportTimes);
      const n = median(naiveTimes);
      console.log(`\n  ${'report from summaries'.padEnd(34)} ${'naive scan of all sessions'.padEnd(30)} ratio`);
      console.log(`  ${`${ms(r)} (median of ${reportTimes.length})`.padEnd(34)} ${`${ms(n)} (median of ${naiveTimes.length})`.padEnd(30)} ${(n / r).toFixed(1)}×`);
      console.log(`  same report from both: ${same ? 'yes' : 'NO'}; groups ${report?.groups.length}, children ${report?.children.count}, notices ${report?.notices.length}`);
      console.log(`  goal < 1.5 s: ${r < 1500 ? 'met' : 'NOT met'}; goal ratio ≥ 10×: ${n / r >= 10 ? 'met' : 'NOT met'}`);
    } finally {
      await mongoose.connection.db?.dropDatabase();
      await disconnectDatabase();
      await cleanup();
    }
  },
};
