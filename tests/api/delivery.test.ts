// Delivery dashboard API and dose summaries: access matrix, the report's content, the per-child
// table (names only for roles that may read the roster), and recomputation after saves, edits,
// cancellations, deletions and membership changes — compared with the pure shared functions.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolToday } from '../../shared/domain/dates.ts';
import { childChecks, computeChildDose } from '../../shared/domain/dose.ts';
import { seedReviewProfile } from '../../shared/domain/evidence.ts';
import { Child } from '../../server/modules/children/model.ts';
import { DoseSummary } from '../../server/modules/dose/model.ts';
import { GroupDose } from '../../server/modules/dose/group-model.ts';
import { doseIdle, membershipsOf, recomputeGroupDose, toDomainSession, writeMonotonic } from '../../server/modules/dose/service.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { databaseSnapshot, signedInClient, startTestApp, TestClient, type TestApp } from '../helpers/app.ts';
import { describeAccessMatrix, scoped, type Who } from '../helpers/access-matrix.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { createProgrammeWorld, newKey, registerBody, type ProgrammeWorld } from './sessions.fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedAccounts>>;
let pw: ProgrammeWorld;
/** A programme of school B only: "other school" for the users of school A. */
let otherProgramme: string;
const clients = {} as Record<Who, TestClient>;

async function save(client: TestClient, id: string, body: (version: number) => unknown) {
  const s = await Session.findById(id).lean();
  const res = await client.agent.put(`/api/v1/sessions/${id}/log`).set('X-CSRF-Token', client.csrfToken).set('Idempotency-Key', newKey()).send(body(s!.version) as object);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedAccounts();
  pw = await createProgrammeWorld(world.schoolA.id, world.schoolB.id);
  const b = await Programme.create({ name: 'B only', schoolIds: [world.schoolB.id], groupIds: [pw.groupB], arm: 'control', startDate: pw.startDate, plannedWeeks: 12 });
  otherProgramme = String(b._id);
  clients.anonymous = await new TestClient(app).init();
  for (const who of ['admin', 'teacher', 'counsellor', 'researcher'] as const) clients[who] = await signedInClient(app, who);
  // Group A: weeks 1–2 held with everyone, week 3 nobody came back but half; group B: all held.
  const members = pw.childrenA;
  for (const [i, id] of pw.sessionsA.entries()) {
    if (i < 6) await save(clients.teacher, id, (v) => registerBody(v, [...members, pw.leaver]));
    else if (i < 9) await save(clients.teacher, id, (v) => registerBody(v, [...members, pw.lateJoiner], { absent: members.slice(0, 18) }));
  }
  for (const id of pw.sessionsB) await save(clients.admin, id, (v) => registerBody(v, pw.childrenB, { rpe: 7 }));
  await doseIdle();
});
afterAll(async () => {
  await doseIdle();
  await harness.stop();
});

const programmeFor = (t: 'own' | 'other' | 'none') => (t === 'other' ? otherProgramme : pw.programmeId);

describeAccessMatrix({
  prefixes: ['/api/v1/delivery'],
  clients: () => clients,
  cases: [
    {
      method: 'get',
      path: '/api/v1/delivery/programmes/:id',
      targets: ['own', 'other'],
      request: async (t) => ({ url: `/api/v1/delivery/programmes/${programmeFor(t)}` }),
      expected: scoped(200, ['teacher', 'counsellor', 'researcher']),
    },
    {
      method: 'get',
      path: '/api/v1/delivery/programmes/:id/children',
      targets: ['own', 'other'],
      request: async (t) => ({ url: `/api/v1/delivery/programmes/${programmeFor(t)}/children` }),
      expected: scoped(200, ['teacher', 'counsellor', 'researcher']),
    },
    {
      method: 'post',
      path: '/api/v1/delivery/programmes/:id/recompute',
      targets: ['own', 'other'],
      // A school-A teacher may not recompute the shared programme either: it includes school B.
      request: async (t) => ({ url: `/api/v1/delivery/programmes/${t === 'other' ? otherProgramme : pw.programmeId}/recompute` }),
      expected: { anonymous: 401, admin: 200, teacher: 403, counsellor: 403, researcher: 403 },
    },
  ],
});

/** Dose of every child of the programme from the pure functions, straight from the database. */
async function expectedDoses(programmeId: string) {
  const programme = await Programme.findById(programmeId).lean();
  const groups = await Group.find({ _id: { $in: programme!.groupIds } }).lean();
  const sessions = (await Session.find({ programmeId }).lean()).map(toDomainSession);
  const memberships = membershipsOf(groups);
  const children = await Child.find({ _id: { $in: memberships.map((m) => m.childId) } }).lean();
  const asOf = schoolToday(new Date());
  const out = new Map<string, { dose: unknown; checks: unknown }>();
  for (const c of children) {
    const input = {
      programme: { startDate: programme!.startDate, plannedWeeks: programme!.plannedWeeks },
      profile: seedReviewProfile,
      child: { id: String(c._id), birthYear: c.birthYear, birthMonth: c.birthMonth },
      memberships: memberships.filter((m) => m.childId === String(c._id)),
      sessions,
      asOf,
    };
    const dose = computeChildDose(input);
    out.set(String(c._id), { dose: JSON.parse(JSON.stringify(dose)), checks: JSON.parse(JSON.stringify(childChecks(input, dose))) });
  }
  return out;
}

async function expectSummariesMatchPureFunctions() {
  // Reading the report brings the summaries up to date first.
  await clients.admin.get(`/api/v1/delivery/programmes/${pw.programmeId}`).expect(200);
  const expected = await expectedDoses(pw.programmeId);
  const stored = await DoseSummary.find({ programmeId: pw.programmeId }).lean();
  expect(stored.map((s) => String(s.childId)).sort()).toEqual([...expected.keys()].sort());
  for (const s of stored) {
    const e = expected.get(String(s.childId))!;
    expect(s.dose, String(s.childId)).toEqual(e.dose);
    expect(s.checks).toEqual(e.checks);
    expect(s._id).toBe(`${pw.programmeId}:${s.childId}`);
  }
  return { expected, stored };
}

describe('dose summaries', () => {
  it('when registers were saved, then every child summary equals computeChildDose / childChecks of the shared domain', async () => {
    const { stored } = await expectSummariesMatchPureFunctions();
    expect(stored).toHaveLength(pw.childrenA.length + 2 + pw.childrenB.length);
    const leaver = stored.find((s) => String(s.childId) === pw.leaver)!;
    expect(leaver.sessionsAttended).toBe(6);
  });

  it('when a saved register is edited, then the child’s summary follows', async () => {
    const child = pw.childrenA[25] as string;
    const before = await DoseSummary.findById(`${pw.programmeId}:${child}`).lean();
    await save(clients.teacher, pw.sessionsA[0] as string, (v) => registerBody(v, [...pw.childrenA, pw.leaver], { absent: [child] }));
    const { stored } = await expectSummariesMatchPureFunctions();
    const after = stored.find((s) => String(s.childId) === child)!;
    expect(after.sessionsAttended).toBe(before!.sessionsAttended - 1);
  });

  it('when a session is cancelled or deleted by another module without telling the dose module, then the next read recomputes', async () => {
    const child = pw.childrenA[26] as string;
    const before = await DoseSummary.findById(`${pw.programmeId}:${child}`).lean();
    await Session.updateOne({ _id: pw.sessionsA[1] }, { $set: { status: 'cancelled', cancelReason: 'rain' }, $inc: { version: 1 } });
    await Session.deleteOne({ _id: pw.sessionsA[2] });
    const { stored } = await expectSummariesMatchPureFunctions();
    expect(stored.find((s) => String(s.childId) === child)!.sessionsAttended).toBe(before!.sessionsAttended - 2);
  });

  it('when a membership changes, then the summaries follow (and a child removed from every group loses theirs)', async () => {
    const group = await Group.findById(pw.groupA).lean();
    const removed = pw.childrenA[29] as string;
    const members = group!.members.filter((m) => String(m.childId) !== removed);
    await Group.updateOne({ _id: pw.groupA }, { $set: { members }, $inc: { version: 1 } });
    // The register still names the removed child in past sessions; the dose only counts members.
    const { stored } = await expectSummariesMatchPureFunctions();
    expect(stored.some((s) => String(s.childId) === removed)).toBe(false);
    await Group.updateOne({ _id: pw.groupA }, { $set: { members: group!.members }, $inc: { version: 1 } });
    await expectSummariesMatchPureFunctions();
  });

  it('when the recompute runs twice, then the summaries are the same documents (idempotent) and none are doubled', async () => {
    await recomputeGroupDose(pw.programmeId, 'all');
    const first = await DoseSummary.find({ programmeId: pw.programmeId }, { computedAt: 0, sourceReadAt: 0 }).sort({ _id: 1 }).lean();
    await recomputeGroupDose(pw.programmeId, 'all');
    const second = await DoseSummary.find({ programmeId: pw.programmeId }, { computedAt: 0, sourceReadAt: 0 }).sort({ _id: 1 }).lean();
    expect(second).toEqual(first);
    expect(await GroupDose.countDocuments({ programmeId: pw.programmeId })).toBe(2);
  });

  it('when an older recompute finishes after a newer one, then it cannot overwrite the newer summaries', async () => {
    const id = `${pw.programmeId}:${pw.childrenA[0]}`;
    const current = await DoseSummary.findById(id).lean();
    const older = new Date(current!.sourceReadAt.getTime() - 60_000);
    // The older writer uses the service's own conditional write with its earlier read time.
    await writeMonotonic(DoseSummary, [{ ...current, sessionsAttended: -1, sourceReadAt: older }], older);
    expect((await DoseSummary.findById(id).lean())!.sessionsAttended).toBe(current!.sessionsAttended);
  });

  it('when the programme is deleted, then a recompute removes its summaries', async () => {
    const p = await Programme.create({ name: 'Temp', schoolIds: [world.schoolA.id], groupIds: [pw.groupA], arm: 'control', startDate: pw.startDate, plannedWeeks: 12 });
    await recomputeGroupDose(p._id, 'all');
    expect(await DoseSummary.countDocuments({ programmeId: p._id })).toBeGreaterThan(0);
    await Programme.deleteOne({ _id: p._id });
    await recomputeGroupDose(p._id, 'all');
    expect(await DoseSummary.countDocuments({ programmeId: p._id })).toBe(0);
    expect(await GroupDose.countDocuments({ programmeId: p._id })).toBe(0);
  });
});

describe('delivery report', () => {
  it('when a teacher of school A opens the report, then plan checks, group A’s delivered checks, weekly minutes, attendance and notices are there — and nothing of school B', async () => {
    const res = await clients.teacher.get(`/api/v1/delivery/programmes/${pw.programmeId}`).expect(200);
    const r = res.body;
    expect(r.programme.name).toBe('Spring running');
    expect(r.planChecks.map((c: { id: string }) => c.id)).toContain('duration');
    expect(r.groups).toHaveLength(1);
    const g = r.groups[0];
    expect(g.groupId).toBe(pw.groupA);
    expect(g.name).toBe('Skipping club');
    expect(g.checks.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['weeks-spanned', 'frequency', 'longest-gap']));
    for (const c of g.checks) expect(['pass', 'fail', 'at-risk', 'insufficient-data']).toContain(c.status);
    expect(g.weekly[0]).toMatchObject({ week: 1 });
    expect(g.weekly[0].aerobicMinutes).toBeGreaterThan(0);
    expect(r.attendance[0].rate).toBeGreaterThan(0.9);
    expect(r.profile.minSessionMinutes).toBe(20);
    expect(r.profile.minWeeks).toBe(10);
    // Week 3: 18 of 31 absent, after full weeks: attendance fell.
    expect(r.notices.some((n: { kind: string }) => n.kind === 'falling-attendance' || n.kind === 'gap' || n.kind === 'children')).toBe(true);
    expect(JSON.stringify(r)).not.toContain(pw.groupB);
  });

  it('when the admin opens the report, then both groups appear and children counts add up', async () => {
    const r = (await clients.admin.get(`/api/v1/delivery/programmes/${pw.programmeId}`).expect(200)).body;
    expect(r.groups.map((g: { groupId: string }) => g.groupId).sort()).toEqual([pw.groupA, pw.groupB].sort());
    const sum = Object.values(r.children.byWorst as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(sum).toBe(r.children.count);
  });

  it('when the per-child table is read, then teachers and counsellors see names, researchers codes only, and filters work', async () => {
    const teacher = (await clients.teacher.get(`/api/v1/delivery/programmes/${pw.programmeId}/children`).expect(200)).body;
    expect(teacher.items.length).toBe(pw.childrenA.length + 2);
    expect(teacher.items[0].displayName).toMatch(/孩子/);
    expect(teacher.items.every((i: { childId: string }) => !pw.childrenB.includes(i.childId))).toBe(true);
    const counsellor = (await clients.counsellor.get(`/api/v1/delivery/programmes/${pw.programmeId}/children`).expect(200)).body;
    expect(counsellor.items[0].displayName).toBeDefined();
    const researcher = (await clients.researcher.get(`/api/v1/delivery/programmes/${pw.programmeId}/children`).expect(200)).body;
    expect(researcher.items[0].code).toMatch(/^A-/);
    expect(JSON.stringify(researcher)).not.toContain('孩子');
    const failing = (await clients.teacher.get(`/api/v1/delivery/programmes/${pw.programmeId}/children?status=fail`).expect(200)).body;
    expect(failing.items.every((i: { checks: { status: string }[] }) => i.checks.some((c) => c.status === 'fail'))).toBe(true);
    const byGroup = (await clients.admin.get(`/api/v1/delivery/programmes/${pw.programmeId}/children?groupId=${pw.groupB}`).expect(200)).body;
    expect(byGroup.items.map((i: { childId: string }) => i.childId).sort()).toEqual([...pw.childrenB].sort());
  });

  it('when ids or filters are malformed or injected, then 400 and the database is unchanged; an unknown programme is 404', async () => {
    await doseIdle();
    const before = await databaseSnapshot();
    for (const url of [
      '/api/v1/delivery/programmes/nope',
      `/api/v1/delivery/programmes/${pw.programmeId}/children?status=great`,
      `/api/v1/delivery/programmes/${pw.programmeId}/children?groupId[$ne]=x`,
      `/api/v1/delivery/programmes/${pw.programmeId}/children?sort=1`,
    ]) {
      const res = await clients.teacher.get(url);
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
    const post = await clients.admin.post('/api/v1/delivery/programmes/{"$gt":""}/recompute');
    expect(post.status).toBe(400);
    expect(await databaseSnapshot()).toEqual(before);
    await clients.admin.get(`/api/v1/delivery/programmes/${new mongoose.Types.ObjectId()}`).expect(404);
  });
});
