// Report rollups (server/modules/rollups): kept up to date from the dose recompute's outputs on
// each register save, idempotent, rebuilt by the recompute command, safe under concurrent
// updates, and what the delivery report is built from.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeRollups } from '../../server/cli/recompute-rollups.ts';
import { GroupDose } from '../../server/modules/dose/group-model.ts';
import { doseIdle, recomputeGroupDose } from '../../server/modules/dose/service.ts';
import { Programme, type ProgrammeDoc } from '../../server/modules/programmes/model.ts';
import { SchoolRollup } from '../../server/modules/rollups/model.ts';
import { applyGroupDoses, parseRows, readRollupRows, schoolWeeks } from '../../server/modules/rollups/service.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { createProgrammeWorld, newKey, registerBody, type ProgrammeWorld } from './sessions.fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let world: Awaited<ReturnType<typeof seedAccounts>>;
let pw: ProgrammeWorld;
let teacher: TestClient;
let admin: TestClient;

async function save(client: TestClient, id: string, body: (version: number) => unknown) {
  const s = await Session.findById(id).lean();
  const res = await client.agent.put(`/api/v1/sessions/${id}/log`).set('X-CSRF-Token', client.csrfToken).set('Idempotency-Key', newKey()).send(body(s!.version) as object);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const programme = async () => (await Programme.findById(pw.programmeId).lean<ProgrammeDoc>())!;
const rollups = async () => (await SchoolRollup.find({ programmeId: pw.programmeId }).sort({ _id: 1 }).lean()).map(({ updatedAt: _u, version: _v, ...rest }) => rest);

beforeAll(async () => {
  harness = await startTestApp();
  world = await seedAccounts();
  pw = await createProgrammeWorld(world.schoolA.id, world.schoolB.id);
  teacher = await signedInClient(harness.app, 'teacher');
  admin = await signedInClient(harness.app, 'admin');
  for (const id of pw.sessionsA.slice(0, 4)) await save(teacher, id, (v) => registerBody(v, pw.childrenA, { absent: pw.childrenA.slice(0, 3) }));
  for (const id of pw.sessionsB.slice(0, 2)) await save(admin, id, (v) => registerBody(v, pw.childrenB, { rpe: 7 }));
  await doseIdle();
});
afterAll(async () => {
  await doseIdle();
  await harness.stop();
});

describe('report rollups', () => {
  it('when registers are saved, then each school rollup holds its groups’ summaries as computed and the school weeks are their sums', async () => {
    await recomputeGroupDose(pw.programmeId, 'all');
    const docs = await GroupDose.find({ programmeId: pw.programmeId }).lean();
    const stored = await SchoolRollup.find({ programmeId: pw.programmeId }).lean();
    expect(stored.map((d) => String(d.schoolId)).sort()).toEqual([world.schoolA.id, world.schoolB.id].sort());
    for (const school of stored) {
      const rows = parseRows(school.rowsJson);
      const mine = docs.filter((d) => String(d.schoolId) === String(school.schoolId));
      expect(rows.map((r) => r.groupId).sort()).toEqual(mine.map((d) => String(d.groupId)).sort());
      for (const d of mine) {
        const row = rows.find((r) => r.groupId === String(d.groupId))!;
        expect({ summary: row.summary, checks: row.checks, weekly: row.weekly, children: row.children, asOf: row.asOf }).toEqual(
          JSON.parse(JSON.stringify({ summary: d.summary, checks: d.checks, weekly: d.weekly, children: d.children, asOf: d.asOf })),
        );
      }
      expect(school.weekly).toEqual(schoolWeeks(rows));
      expect((school.children as { count: number }).count).toBe(rows.reduce((a, r) => a + r.children.count, 0));
    }
    const groupA = stored.flatMap((s) => parseRows(s.rowsJson)).find((r) => r.groupId === pw.groupA);
    expect(groupA?.name).toBe('Skipping club');
  });

  it('when one more register is saved, then only its school’s rollup changes and the report shows it', async () => {
    const before = await rollups();
    await save(teacher, pw.sessionsA[4]!, (v) => registerBody(v, pw.childrenA));
    await doseIdle();
    const after = await rollups();
    const school = (list: typeof before, id: string) => list.find((d) => String(d.schoolId) === id);
    expect(school(after, world.schoolB.id)).toEqual(school(before, world.schoolB.id));
    const heldBefore = (school(before, world.schoolA.id)!.weekly as { held: number }[]).reduce((a, w) => a + w.held, 0);
    const heldAfter = (school(after, world.schoolA.id)!.weekly as { held: number }[]).reduce((a, w) => a + w.held, 0);
    expect(heldAfter).toBe(heldBefore + 1);
    const report = await admin.get(`/api/v1/delivery/programmes/${pw.programmeId}`).expect(200);
    expect(report.body.attendance.reduce((a: number, w: { held: number }) => a + w.held, 0)).toBe(heldAfter + 2);
  });

  it('when the recompute command runs twice, or after the rollups were lost, then the rollups are the same documents', async () => {
    await recomputeRollups({}, () => {});
    const first = await rollups();
    await recomputeRollups({ programme: pw.programmeId }, () => {});
    expect(await rollups()).toEqual(first);
    await SchoolRollup.deleteMany({});
    await recomputeRollups({ programme: pw.programmeId, dose: true }, () => {});
    const rebuilt = await rollups();
    // A dose recompute reads its sources again: only the read times differ.
    const strip = (list: typeof first) => list.map((d) => ({ ...d, rowsJson: parseRows(d.rowsJson).map((r) => ({ ...r, sourceReadAt: '-' })) }));
    expect(strip(rebuilt)).toEqual(strip(first));
  });

  it('when the recompute command gets a malformed or unknown programme id, then it fails with a message and changes nothing', async () => {
    const before = await rollups();
    await expect(recomputeRollups({ programme: 'x"; drop' }, () => {})).rejects.toThrow(/must be a programme id/);
    await expect(recomputeRollups({ programme: new mongoose.Types.ObjectId().toHexString() }, () => {})).rejects.toThrow(/No programme/);
    expect(await rollups()).toEqual(before);
  });

  it('when ten recomputes of different groups of one school update its rollup at once, then every row is kept', async () => {
    const p = await programme();
    const docs = await GroupDose.find({ programmeId: pw.programmeId }).lean<Record<string, unknown>[]>();
    const schoolId = new mongoose.Types.ObjectId(world.schoolA.id);
    // Ten groups of school A written concurrently (fresh group ids, same school).
    const template = docs.find((d) => String(d.groupId) === pw.groupA)!;
    const extra = Array.from({ length: 10 }, (_, i) => ({ ...template, groupId: new mongoose.Types.ObjectId(), schoolId, sourceReadAt: new Date(), _id: `x${i}` }));
    await Promise.all(extra.map((d, i) => applyGroupDoses(p, [d], [{ _id: d.groupId, name: `Extra ${i}`, activityCode: 'running' }], [], false)));
    const rows = await readRollupRows(p);
    for (const d of extra) expect(rows.some((r) => r.groupId === String(d.groupId))).toBe(true);
    expect(rows.some((r) => r.groupId === pw.groupA)).toBe(true);
    // Back to the programme's own groups (a full rebuild drops rows of groups not in it).
    await recomputeRollups({ programme: pw.programmeId }, () => {});
    expect((await readRollupRows(p)).map((r) => r.groupId).sort()).toEqual([pw.groupA, pw.groupB].sort());
  });

  it('when an older computation arrives after a newer one, then the newer row stays', async () => {
    const p = await programme();
    const doc = (await GroupDose.findById(`${pw.programmeId}:${pw.groupA}`).lean<Record<string, unknown>>())!;
    const current = (await readRollupRows(p)).find((r) => r.groupId === pw.groupA)!;
    const older = { ...doc, sourceReadAt: new Date(current.sourceReadAt.getTime() - 60_000), summary: { stale: true } };
    await applyGroupDoses(p, [older], [{ _id: pw.groupA, name: 'Old name', activityCode: null }], [], false);
    const after = (await readRollupRows(p)).find((r) => r.groupId === pw.groupA)!;
    expect(after.summary).toEqual(current.summary);
    expect(after.name).toBe('Skipping club');
  });

  it('when a group is renamed, then the report shows the new name', async () => {
    const group = await admin.get(`/api/v1/groups/${pw.groupA}`).expect(200);
    await admin.patch(`/api/v1/groups/${pw.groupA}`, { version: group.body.version, name: 'Rope club' }).expect(200);
    const report = await admin.get(`/api/v1/delivery/programmes/${pw.programmeId}`).expect(200);
    expect(report.body.groups.map((g: { name: string }) => g.name)).toContain('Rope club');
  });
});
