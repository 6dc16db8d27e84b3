// Issue 9 through the real app and database: re-saving a stored register after a child has left
// (leave date set later and backdated) is accepted while adding a non-member is refused; the
// worklist flags nobody for sessions that were never logged; a control arm is "not applicable".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../shared/domain/dates.ts';
import { doseIdle } from '../../server/modules/dose/service.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { databaseSnapshot, signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { createProgrammeWorld, newKey, registerBody, type ProgrammeWorld } from './sessions.fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let pw: ProgrammeWorld;
let teacher: TestClient;
let counsellor: TestClient;
let admin: TestClient;

beforeAll(async () => {
  harness = await startTestApp();
  const world = await seedAccounts();
  pw = await createProgrammeWorld(world.schoolA.id, world.schoolB.id);
  teacher = await signedInClient(harness.app, 'teacher');
  counsellor = await signedInClient(harness.app, 'counsellor');
  admin = await signedInClient(harness.app, 'admin');
});
afterAll(async () => {
  await doseIdle();
  await harness.stop();
});

function put(client: TestClient, id: string, body: unknown) {
  return client.agent.put(`/api/v1/sessions/${id}/log`).set('X-CSRF-Token', client.csrfToken).set('Idempotency-Key', newKey()).send(body as object);
}
async function stored(id: string) {
  const s = await teacher.get(`/api/v1/sessions/${id}`).expect(200);
  const { version, actualStart, activityBlocks, register, notes } = s.body.session;
  return { version, actualStart, activityBlocks, register, notes } as { version: number; actualStart: string; activityBlocks: unknown[]; register: { childId: string; status: string }[]; notes: string };
}
const attendanceItems = async () =>
  ((await counsellor.get('/api/v1/worklist').expect(200)).body.items as { kind: string; childId: string; programmeId: string }[]).filter(
    (i) => i.programmeId === pw.programmeId && i.kind.startsWith('attendance'),
  );

describe('worklist: unlogged is not absent', () => {
  it('when a teacher logs only the newest 2 sessions with everyone present, then no child is flagged for the sessions never logged', async () => {
    const newest = pw.sessionsA.slice(-2);
    for (const id of newest) {
      const s = await Session.findById(id).lean();
      await put(teacher, id, registerBody(s!.version, [...pw.childrenA, pw.lateJoiner])).expect(200);
    }
    await doseIdle();
    expect(await attendanceItems()).toEqual([]);
    const kids = (await admin.get(`/api/v1/delivery/programmes/${pw.programmeId}/children`).expect(200)).body.items as { childId: string; attendanceRate: number; sessionsNotLogged: number; sessionsMarked: number }[];
    const first = kids.find((k) => k.childId === pw.childrenA[0])!;
    expect(first).toMatchObject({ attendanceRate: 1, sessionsMarked: 2 });
    expect(first.sessionsNotLogged).toBeGreaterThan(5);
  });

  it('when every past session is logged and a child was absent in all of them, then that child — and only that child — is flagged', async () => {
    const absentee = pw.childrenA[5]!;
    for (const id of pw.sessionsA) {
      const s = await Session.findById(id).lean();
      // The leaver was a member until the last day of week 2, the late joiner from week 3.
      const members = [...pw.childrenA, ...(s!.date <= addDays(pw.startDate, 13) ? [pw.leaver] : [pw.lateJoiner])];
      // (the newest two were logged above: their stored register is re-saved with the absence)
      await put(teacher, id, registerBody(s!.version, members, { absent: [absentee] })).expect(200);
    }
    await doseIdle();
    const items = await attendanceItems();
    expect(items.map((i) => [i.childId, i.kind])).toEqual([[absentee, 'attendance_stopped']]);
  });
});

describe('re-saving a register as shown', () => {
  it('when a child in a stored register later gets a backdated leave date, then re-saving it unchanged is accepted; adding a non-member is still refused', async () => {
    const id = pw.sessionsA[1]!; // Wednesday of week 1
    const leaving = pw.childrenA[0]!;
    const before = await stored(id);
    expect(before.register.some((r) => r.childId === leaving)).toBe(true);
    // The leave date is entered now, backdated to the programme's first day (before this session).
    const group = (await teacher.get(`/api/v1/groups/${pw.groupA}`).expect(200)).body;
    await teacher.post(`/api/v1/groups/${pw.groupA}/members/leave`, { version: group.version, childId: leaving, leftOn: pw.startDate }).expect(200);

    const again = await put(teacher, id, before);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.register).toEqual(before.register);
    // Changing the leaver's mark in that stored register is allowed too.
    const edited = { ...before, version: again.body.version, register: before.register.map((r) => (r.childId === leaving ? { ...r, status: 'excused' } : r)) };
    await put(teacher, id, edited).expect(200);

    // Adding someone who was not a member that day is refused, and nothing changes.
    await doseIdle();
    const snapshot = await databaseSnapshot();
    const current = await stored(id);
    const adding = await put(teacher, id, { ...current, register: [...current.register, { childId: pw.outsider, status: 'present' }] });
    expect(adding.status).toBe(400);
    expect(adding.body.error).toMatchObject({ code: 'not_a_member', details: { childIds: [pw.outsider] } });
    expect(await databaseSnapshot()).toEqual(snapshot);

    // The leaver's dose counts only the time as a member: the week-1 register no longer counts.
    await doseIdle();
    const kids = (await admin.get(`/api/v1/delivery/programmes/${pw.programmeId}/children`).expect(200)).body.items as { childId: string; sessionsMarked: number }[];
    expect(kids.find((k) => k.childId === leaving)?.sessionsMarked).toBe(1);
  });
});

describe('control arm', () => {
  it('when the programme is a control arm, then every plan, group and child check is "not applicable" and the rollup counts none as failing', async () => {
    await Programme.updateOne({ _id: pw.programmeId }, { $set: { arm: 'control' }, $inc: { version: 1 } });
    await admin.post(`/api/v1/delivery/programmes/${pw.programmeId}/recompute`).expect(200);
    const report = (await admin.get(`/api/v1/delivery/programmes/${pw.programmeId}`).expect(200)).body;
    expect(report.programme.arm).toBe('control');
    const statuses = new Set([...report.planChecks, ...report.groups.flatMap((g: { checks: unknown[] }) => g.checks)].map((c: { status: string }) => c.status));
    expect([...statuses]).toEqual(['not-applicable']);
    expect(report.children.byWorst).toMatchObject({ fail: 0, 'at-risk': 0, pass: 0 });
    expect(report.children.byWorst['not-applicable']).toBe(report.children.count);
    expect(report.notices).toEqual([]);
    const kids = (await admin.get(`/api/v1/delivery/programmes/${pw.programmeId}/children`).expect(200)).body.items as { worstStatus: string }[];
    expect(new Set(kids.map((k) => k.worstStatus))).toEqual(new Set(['not-applicable']));
  });
});
