// Changes outside the register — a session restored or cancelled in the schedule, a membership
// ended — mark the group's dose summaries out of date, and the next report shows the new figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, loadDemo } from '../../server/demo/load-demo.ts';
import { DoseDirty } from '../../server/modules/dose/group-model.ts';
import { DoseSummary } from '../../server/modules/dose/model.ts';
import { engineTraits } from '../../server/db/connection.ts';
import { noteForegroundRequest } from '../../server/lib/foreground.ts';
import { doseIdle, inBackgroundTurn, markDoseDirty, pauseAfterRound, RECOMPUTE_MAX_SHARE, recomputeGroupDose } from '../../server/modules/dose/service.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { seedBuiltInInstruments } from '../../server/modules/instruments/service.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let teacher: TestClient;

beforeAll(async () => {
  harness = await startTestApp();
  await seedBuiltInInstruments();
  await loadDemo({ childrenPerGroup: 4, now: new Date('2026-11-25T10:00:00Z') });
  await doseIdle();
  await DoseDirty.deleteMany({});
  teacher = await signedInClient(harness.app, 'demo.teacher.rural', DEMO_PASSWORD);
}, 180_000);
afterAll(() => harness.stop());

describe('dose freshness after schedule and membership changes', () => {
  it('when a cancelled session is restored, then its group is marked out of date', async () => {
    // The winter programme, running now: it has sessions still to come.
    const programme = await Programme.findOne({ arm: 'intervention' }).sort({ startDate: -1 }).lean();
    const rural = await Group.find({ _id: { $in: programme!.groupIds }, name: /青山/ }).lean();
    // The demo makes up most rained-out sessions, so a teacher cancels one to come first.
    const coming = await Session.findOne({ programmeId: programme!._id, status: 'scheduled', date: { $gt: '2026-11-25' }, groupId: { $in: rural.map((g) => g._id) } }).lean();
    await teacher.post(`/api/v1/schedule/sessions/${coming!._id}/cancel`, { version: coming!.version, reason: '下雨' }).expect(200);
    // Reading the report recomputes the cancelled session's group, which clears its mark.
    await teacher.get(`/api/v1/delivery/programmes/${programme!._id}`).expect(200);
    expect(await DoseDirty.exists({ programmeId: programme!._id })).toBeFalsy();
    const cancelled = await Session.findOne({ programmeId: programme!._id, status: 'cancelled', groupId: { $in: rural.map((g) => g._id) } }).lean();
    expect(cancelled).not.toBeNull();
    await teacher.post(`/api/v1/schedule/sessions/${cancelled!._id}/restore`, { version: cancelled!.version }).expect(200);
    expect(await DoseDirty.exists({ _id: `${programme!._id}:${cancelled!.groupId}` })).toBeTruthy();
  });

  it('when a membership ends, then the report recomputes that child’s scheduled sessions', async () => {
    const programme = await Programme.findOne({ arm: 'intervention' }).sort({ startDate: 1 }).lean();
    const group = await Group.findOne({ _id: { $in: programme!.groupIds }, name: /青山/ }).lean();
    const member = group!.members.find((m) => !m.leftOn)!;
    const id = `${programme!._id}:${member.childId}`;
    const before = await DoseSummary.findById(id).lean();
    // End the membership a few weeks into the programme: fewer sessions were scheduled for the child.
    const leftOn = new Date(new Date(`${programme!.startDate}T00:00:00Z`).getTime() + 21 * 86_400_000).toISOString().slice(0, 10);
    await teacher.post(`/api/v1/groups/${group!._id}/members/leave`, { version: group!.version, childId: String(member.childId), leftOn }).expect(200);
    expect(await DoseDirty.exists({ _id: `${programme!._id}:${group!._id}` })).toBeTruthy();
    await teacher.get(`/api/v1/delivery/programmes/${programme!._id}`).expect(200);
    const after = await DoseSummary.findById(id).lean();
    expect(after!.sessionsScheduled).toBeLessThan(before!.sessionsScheduled);
  });
});

describe('dirty marks under a stream of saves', () => {
  it('when a group is changed again before its recompute began reading, then the standing mark covers it; after that it is marked again', async () => {
    const programme = (await Programme.findOne({ arm: 'intervention' }).sort({ startDate: -1 }).lean())!;
    const groupId = programme.groupIds[0]!;
    const id = `${programme._id}:${groupId}`;
    await recomputeGroupDose(programme._id, [groupId]);
    await markDoseDirty(programme._id, groupId);
    const first = (await DoseDirty.findById(id).lean())!;
    // Tag the stored mark: a second mark write would move `at` forward past the tag.
    const tag = new Date(first.at.getTime() - 60_000);
    await DoseDirty.updateOne({ _id: id }, { $set: { at: tag } });
    await markDoseDirty(programme._id, groupId);
    const second = (await DoseDirty.findById(id).lean())!;
    // Only where this process is the database's sole writer (the embedded engine) is the write spared.
    if (engineTraits().updatesAreReadModifyWrite) expect(second.at).toEqual(tag);
    else expect(second.at.getTime()).toBeGreaterThan(tag.getTime());

    // A recompute that begins reading after the mark clears it; the next change marks again.
    await recomputeGroupDose(programme._id, [groupId]);
    expect(await DoseDirty.exists({ _id: id })).toBeFalsy();
    await markDoseDirty(programme._id, groupId);
    expect(await DoseDirty.exists({ _id: id })).toBeTruthy();
  });
});

describe('background recomputes leave the server to the saves', () => {
  type Round = { name: string; start: number; end: number };
  /** A stand-in round of `ms`; `requests`: API requests arrive while it runs. */
  const round = (rounds: Round[], name: string, ms: number, requests: boolean) => async () => {
    const start = performance.now();
    if (requests) noteForegroundRequest();
    await new Promise((r) => setTimeout(r, ms));
    rounds.push({ name, start, end: performance.now() });
    return name;
  };

  it('when rounds of several programmes are waiting while requests come in, then they run one at a time with a pause of (1 / share − 1) × the round before each next one', async () => {
    const rounds: Round[] = [];
    // Three programmes' rounds asked for at once; the middle one fails (a failed round still pauses).
    const results = await Promise.allSettled([
      inBackgroundTurn(round(rounds, 'a', 60, true)),
      inBackgroundTurn(async () => {
        await round(rounds, 'b', 30, true)();
        throw new Error('recompute failed');
      }),
      inBackgroundTurn(round(rounds, 'c', 20, true)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(rounds.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(RECOMPUTE_MAX_SHARE).toBeLessThan(1);
    for (let i = 1; i < rounds.length; i++) {
      const before = rounds[i - 1]!;
      // Timers fire no earlier than asked (1 ms of rounding allowed).
      expect(rounds[i]!.start - before.end).toBeGreaterThanOrEqual(pauseAfterRound(before.end - before.start) - 1);
    }
    expect(pauseAfterRound(100)).toBeCloseTo(100 * (1 / RECOMPUTE_MAX_SHARE - 1));
  });

  it('when no request came in during a round, then the next round starts without a pause', async () => {
    // Let the previous test's last pause run out first.
    await inBackgroundTurn(async () => undefined);
    const rounds: Round[] = [];
    await Promise.all([inBackgroundTurn(round(rounds, 'a', 200, false)), inBackgroundTurn(round(rounds, 'b', 10, false))]);
    const [a, b] = rounds as [Round, Round];
    // With requests the gap would be at least 3 × 200 ms.
    expect(b.start - a.end).toBeLessThan(pauseAfterRound(a.end - a.start) / 2);
  });
});
