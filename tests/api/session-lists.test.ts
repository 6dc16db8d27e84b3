// The dose recompute reads a group's sessions through its session list (server/modules/sessions/
// session-lists.ts) and the children to revisit through the group summary's `childIds`, not
// through queries over every session, summary or group. These tests hold the lists to the
// sessions themselves: created by the schedule, by hand or straight through the model; removed by
// a schedule change; and lists missing or written before lists existed.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, loadDemo } from '../../server/demo/load-demo.ts';
import { GroupDose } from '../../server/modules/dose/group-model.ts';
import { DoseSummary } from '../../server/modules/dose/model.ts';
import { doseIdle, recomputeGroupDose } from '../../server/modules/dose/service.ts';
import { Child } from '../../server/modules/children/model.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { seedBuiltInInstruments } from '../../server/modules/instruments/service.ts';
import { Programme, type ProgrammeDoc } from '../../server/modules/programmes/model.ts';
import { syncProgrammeSchedule } from '../../server/modules/schedule/service.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { SessionList } from '../../server/modules/sessions/session-lists.ts';
import { signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let admin: TestClient;
let winter: ProgrammeDoc;

beforeAll(async () => {
  harness = await startTestApp();
  await seedBuiltInInstruments();
  await loadDemo({ childrenPerGroup: 4, now: new Date('2026-11-25T10:00:00Z') });
  await doseIdle();
  admin = await signedInClient(harness.app, 'demo.admin', DEMO_PASSWORD);
  winter = (await Programme.findOne({ arm: 'intervention' }).sort({ startDate: -1 }).lean<ProgrammeDoc>())!;
}, 180_000);
afterAll(() => harness.stop());

/** Every list of the programme against the sessions the database holds. */
async function expectListsMatchSessions(programmeId: unknown) {
  const programme = (await Programme.findById(programmeId).lean<ProgrammeDoc>())!;
  for (const groupId of programme.groupIds) {
    const list = await SessionList.findById(`${programme._id}:${groupId}`).lean();
    const sessions = await Session.find({ programmeId: programme._id, groupId }, { _id: 1 }).lean();
    expect(list?.complete, String(groupId)).toBe(true);
    expect(list!.sessionIds.map(String).sort()).toEqual(sessions.map((s) => String(s._id)).sort());
  }
}

/** The programme's child summaries without the times they were computed. */
async function summariesOf(programmeId: mongoose.Types.ObjectId) {
  return DoseSummary.find({ programmeId }, { computedAt: 0, sourceReadAt: 0 }).sort({ _id: 1 }).lean();
}

describe('session lists', () => {
  it('when the demo schedule is generated, then each group list names exactly its sessions', async () => {
    const programmes = await Programme.find({}).lean();
    expect(programmes.length).toBeGreaterThanOrEqual(3);
    for (const p of programmes) await expectListsMatchSessions(p._id);
  });

  it('when sessions are created by hand or straight through the model, then they are listed before the recompute reads them', async () => {
    const [groupId] = winter.groupIds;
    const group = (await Group.findById(groupId).lean())!;
    const extra = await admin
      .post('/api/v1/schedule/extra', { programmeId: String(winter._id), groupId: String(groupId), date: '2026-11-28', startTime: '09:00', plannedMinutes: 40 })
      .expect(201);
    const created = await Session.create({ programmeId: winter._id, groupId, schoolId: group.schoolId, date: '2026-11-29', startTime: '09:00', plannedMinutes: 40 });
    const [many] = await Session.insertMany([{ programmeId: winter._id, groupId, schoolId: group.schoolId, date: '2026-11-30', startTime: '07:00', plannedMinutes: 40 }]);
    const list = (await SessionList.findById(`${winter._id}:${groupId}`).lean())!;
    expect(list.sessionIds.map(String)).toEqual(expect.arrayContaining([extra.body.id, String(created._id), String(many!._id)]));
    await expectListsMatchSessions(winter._id);
  });

  it('when a pattern change removes planned sessions, then they leave the lists too', async () => {
    const before = await Session.countDocuments({ programmeId: winter._id });
    // Drop one weekly slot: the sync removes that slot's future, never-logged sessions (and the
    // pattern sessions the test above created off the pattern).
    await Programme.updateOne({ _id: winter._id }, { $set: { weeklyPattern: winter.weeklyPattern.slice(1) }, $inc: { version: 1 } });
    const summary = await syncProgrammeSchedule(winter._id, new Date('2026-11-25T10:00:00Z'));
    expect(summary.removed).toBeGreaterThan(0);
    expect(await Session.countDocuments({ programmeId: winter._id })).toBe(before - summary.removed);
    await expectListsMatchSessions(winter._id);
  });

  it('when a list is missing or was never completed, then the recompute counts every session anyway and completes it', async () => {
    await recomputeGroupDose(winter._id, 'all');
    const expected = await summariesOf(winter._id);
    const [first, second] = winter.groupIds;
    await SessionList.deleteOne({ _id: `${winter._id}:${first}` });
    await SessionList.updateOne({ _id: `${winter._id}:${second}` }, { $set: { sessionIds: [], complete: false } });
    await recomputeGroupDose(winter._id, [first!, second!]);
    expect(await summariesOf(winter._id)).toEqual(expected);
    await expectListsMatchSessions(winter._id);
  });
});

describe('children the recompute revisits', () => {
  it('when a child is taken out of a group without telling the dose module, then the next recompute of the group drops their summary', async () => {
    const [groupId] = winter.groupIds;
    const group = (await Group.findById(groupId).lean())!;
    const child = await Child.create({
      schoolId: group.schoolId, code: 'LIST-0001', displayName: '名单 孩子', sex: 'female', birthYear: 2015, birthMonth: 3, grade: 4,
      leftBehindStatus: 'one_parent_away', caregiver: 'grandparents',
    });
    await Group.updateOne({ _id: groupId }, { $push: { members: { childId: child._id, joinedOn: winter.startDate } }, $inc: { version: 1 } });
    await recomputeGroupDose(winter._id, [groupId!]);
    const id = `${winter._id}:${child._id}`;
    expect(await DoseSummary.exists({ _id: id })).toBeTruthy();
    expect((await GroupDose.findById(`${winter._id}:${groupId}`).lean())!.childIds.map(String)).toContain(String(child._id));

    await Group.updateOne({ _id: groupId }, { $set: { members: group.members }, $inc: { version: 1 } });
    await recomputeGroupDose(winter._id, [groupId!]);
    expect(await DoseSummary.exists({ _id: id })).toBeFalsy();
  });

  it('when a group summary from before it listed its children is recomputed, then a child taken out of the group still loses their summary', async () => {
    const [, groupId] = winter.groupIds;
    const group = (await Group.findById(groupId).lean())!;
    const child = await Child.create({
      schoolId: group.schoolId, code: 'LIST-0002', displayName: '旧 孩子', sex: 'male', birthYear: 2015, birthMonth: 5, grade: 4,
      leftBehindStatus: 'one_parent_away', caregiver: 'grandparents',
    });
    await Group.updateOne({ _id: groupId }, { $push: { members: { childId: child._id, joinedOn: winter.startDate } }, $inc: { version: 1 } });
    await recomputeGroupDose(winter._id, [groupId!]);
    // As written by the build before group summaries listed their children.
    await GroupDose.collection.updateOne({ _id: `${winter._id}:${groupId}` as never }, { $unset: { childIds: '' } });
    await Group.updateOne({ _id: groupId }, { $set: { members: group.members }, $inc: { version: 1 } });
    await recomputeGroupDose(winter._id, [groupId!]);
    expect(await DoseSummary.exists({ _id: `${winter._id}:${child._id}` })).toBeFalsy();
  });
});
