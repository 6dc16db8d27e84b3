// /api/v1/schedule: role × school matrix, idempotent generation, pattern changes that touch only
// future unlogged occurrences, cancel / restore / reschedule / extra with versions, bad input.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, isoWeekday, schoolToday } from '../../shared/domain/dates.ts';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { createProgramme } from '../../server/modules/programmes/service.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { TestClient, databaseSnapshot, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeAccessMatrix, everyone, scoped, type MatrixCase, type Target, type Who } from '../helpers/access-matrix.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedAccounts>>;
const clients = {} as Record<Who, TestClient>;
const groups = {} as Record<'A' | 'A2' | 'A3' | 'B', string>;
const matrixProgramme = {} as Record<'own' | 'other', { id: string; groupId: string }>;

const adminActor = () => ({ id: world.users.admin.id, username: 'admin', role: 'admin' as const, schoolIds: [] });
const today = () => schoolToday(new Date());
/** The Monday `weeks` weeks before this week's Monday (school-local). */
const mondayWeeksAgo = (weeks: number) => addDays(today(), -(isoWeekday(today()) - 1) - 7 * weeks);
let dayCounter = 0;
/** A fresh future date per call, so extra sessions never collide. */
const freshDate = () => addDays(today(), 200 + dayCounter++);

const plan = (p: Record<string, unknown> = {}) => ({
  name: 'Football twice a week',
  arm: 'intervention' as const,
  startDate: mondayWeeksAgo(3),
  plannedWeeks: 12,
  weeklyPattern: [
    { weekday: 2, startTime: '16:00', minutes: 40 },
    { weekday: 4, startTime: '16:00', minutes: 40 },
  ],
  activityBlocks: [{ activityCode: 'football', minutes: 35, targetIntensity: 'moderate' as const }],
  evidenceProfileId: 'seed-review',
  exclusionDates: [] as string[],
  ...p,
});

/** A scheduled (or cancelled) extra session written straight to the database for one matrix call. */
async function freshSession(t: Target, status: 'scheduled' | 'cancelled' = 'scheduled') {
  const m = matrixProgramme[t === 'other' ? 'other' : 'own'];
  const s = await Session.create({
    programmeId: m.id,
    groupId: m.groupId,
    schoolId: t === 'other' ? world.schoolB.id : world.schoolA.id,
    date: freshDate(),
    startTime: '15:00',
    plannedMinutes: 40,
    status,
    origin: 'extra',
    cancelReason: status === 'cancelled' ? 'rain' : null,
  });
  return s;
}

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedAccounts();
  for (const [key, school] of [['A', world.schoolA], ['A2', world.schoolA], ['A3', world.schoolA], ['B', world.schoolB]] as const) {
    groups[key] = String((await Group.create({ schoolId: school.id, name: `Group ${key}`, activityCode: 'football' }))._id);
  }
  const own = await createProgramme(adminActor(), { ...plan({ name: 'Matrix own' }), schoolIds: [world.schoolA.id], groupIds: [groups.A3], weeklyPattern: [] });
  const other = await createProgramme(adminActor(), { ...plan({ name: 'Matrix other' }), schoolIds: [world.schoolB.id], groupIds: [groups.B], weeklyPattern: [] });
  matrixProgramme.own = { id: own.id, groupId: groups.A3 };
  matrixProgramme.other = { id: other.id, groupId: groups.B };
  clients.anonymous = await new TestClient(app).init();
  for (const who of everyone.filter((w) => w !== 'anonymous')) clients[who] = await signedInClient(app, who);
});
afterAll(() => harness.stop());

const pick = (t: Target) => matrixProgramme[t === 'other' ? 'other' : 'own'];

const cases: MatrixCase[] = [
  {
    method: 'get',
    path: '/api/v1/schedule/',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/schedule?programmeId=${pick(t).id}` }),
    expected: scoped(200, ['teacher', 'counsellor']),
  },
  {
    method: 'post',
    path: '/api/v1/schedule/generate',
    targets: ['own', 'other'],
    request: async (t) => ({ url: '/api/v1/schedule/generate', body: { programmeId: pick(t).id } }),
    expected: scoped(200, ['teacher']),
  },
  {
    method: 'post',
    path: '/api/v1/schedule/extra',
    targets: ['own', 'other'],
    request: async (t) => ({
      url: '/api/v1/schedule/extra',
      body: { programmeId: pick(t).id, groupId: pick(t).groupId, date: freshDate(), startTime: '09:00', plannedMinutes: 30 },
    }),
    expected: scoped(201, ['teacher']),
  },
  {
    method: 'post',
    path: '/api/v1/schedule/sessions/:id/cancel',
    targets: ['own', 'other'],
    request: async (t) => {
      const s = await freshSession(t);
      return { url: `/api/v1/schedule/sessions/${s._id}/cancel`, body: { version: s.version, reason: 'Sports ground flooded' } };
    },
    expected: scoped(200, ['teacher']),
  },
  {
    method: 'post',
    path: '/api/v1/schedule/sessions/:id/restore',
    targets: ['own', 'other'],
    request: async (t) => {
      const s = await freshSession(t, 'cancelled');
      return { url: `/api/v1/schedule/sessions/${s._id}/restore`, body: { version: s.version } };
    },
    expected: scoped(200, ['teacher']),
  },
  {
    method: 'post',
    path: '/api/v1/schedule/sessions/:id/reschedule',
    targets: ['own', 'other'],
    request: async (t) => {
      const s = await freshSession(t);
      return { url: `/api/v1/schedule/sessions/${s._id}/reschedule`, body: { version: s.version, date: freshDate(), startTime: '10:00' } };
    },
    expected: scoped(200, ['teacher']),
  },
];

describeAccessMatrix({ prefixes: ['/api/v1/schedule'], cases, clients: () => clients });

interface Item {
  id: string;
  date: string;
  startTime: string;
  plannedMinutes: number;
  status: string;
  origin: string;
  rescheduledFrom: string | null;
  version: number;
  startsAt: string;
  groupId: string;
}

async function listItems(programmeId: string, qs = ''): Promise<Item[]> {
  const res = await clients.teacher.get(`/api/v1/schedule?programmeId=${programmeId}${qs}`).expect(200);
  return res.body.items as Item[];
}

describe('generating the schedule', () => {
  it('when the programme is created, then each group gets its occurrences in Shanghai time, and generating again creates nothing', async () => {
    const created = await createProgramme(adminActor(), { ...plan({ weeklyPattern: [{ weekday: 2, startTime: '07:30', minutes: 30 }] }), schoolIds: [world.schoolA.id], groupIds: [groups.A] });
    expect(created.schedule.created).toBe(12);
    const items = await listItems(created.id);
    expect(items).toHaveLength(12);
    // 07:30 in Shanghai is 23:30 UTC the evening before: the date stays the school's.
    const first = items[0]!;
    expect(isoWeekday(first.date)).toBe(2);
    expect(first.startsAt).toBe(`${addDays(first.date, -1)}T23:30:00.000Z`);

    const before = await databaseSnapshot();
    const again = await clients.teacher.post('/api/v1/schedule/generate', { programmeId: created.id }).expect(200);
    expect(again.body).toEqual({ created: 0, updated: 0, removed: 0, kept: 12 });
    const twice = await clients.teacher.post('/api/v1/schedule/generate', { programmeId: created.id }).expect(200);
    expect(twice.body.created).toBe(0);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when three generations race on a group that lost its sessions, then each occurrence is created exactly once', async () => {
    const created = await createProgramme(adminActor(), { ...plan({ name: 'Race' }), schoolIds: [world.schoolA.id], groupIds: [groups.A2] });
    await Session.deleteMany({ programmeId: created.id });
    const results = await Promise.all([1, 2, 3].map(() => clients.teacher.post('/api/v1/schedule/generate', { programmeId: created.id })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.reduce((acc, r) => acc + (r.body.created as number), 0)).toBe(24);
    expect(await Session.countDocuments({ programmeId: created.id })).toBe(24);
  });

  it('when the schedule is filtered by group and dates, then only those sessions come back', async () => {
    const created = await createProgramme(adminActor(), { ...plan(), schoolIds: [world.schoolA.id], groupIds: [groups.A2] });
    const from = mondayWeeksAgo(0);
    const to = addDays(from, 13);
    const items = await listItems(created.id, `&groupId=${groups.A2}&from=${from}&to=${to}`);
    expect(items).toHaveLength(4);
    expect(items.every((i) => i.date >= from && i.date <= to && i.groupId === groups.A2)).toBe(true);
    const res = await clients.counsellor.get(`/api/v1/schedule?programmeId=${created.id}`).expect(200);
    expect(res.body.groups.map((g: { name: string }) => g.name)).toEqual(['Group A2']);
    expect(res.body.programme.endDate).toBe(addDays(created.startDate, 83));
  });
});

describe('changing the pattern later', () => {
  it('when Thursday becomes Friday at 16:30, then only future, unlogged, untouched sessions change; held, cancelled, rescheduled and past ones stay', async () => {
    const created = await createProgramme(adminActor(), { ...plan({ name: 'Regenerate me' }), schoolIds: [world.schoolA.id], groupIds: [groups.A] });
    // groups.A already belongs to the first programme; a second programme of the same group is allowed.
    const items = await listItems(created.id);
    expect(items).toHaveLength(24);
    const now = Date.now();
    const future = items.filter((i) => Date.parse(i.startsAt) > now);
    const past = items.filter((i) => Date.parse(i.startsAt) <= now);
    expect(past.length).toBeGreaterThanOrEqual(6);
    const thursdays = future.filter((i) => isoWeekday(i.date) === 4);
    const [heldOne, cancelled, moved] = [thursdays[1]!, thursdays[2]!, thursdays[3]!];

    // The sessions module saves a register on one future Thursday (e.g. logged early).
    await Session.updateOne({ _id: heldOne.id }, { $set: { status: 'held', loggedAt: new Date() }, $inc: { version: 1 } });
    await clients.teacher.post(`/api/v1/schedule/sessions/${cancelled.id}/cancel`, { version: cancelled.version, reason: 'Exam' }).expect(200);
    await clients.teacher
      .post(`/api/v1/schedule/sessions/${moved.id}/reschedule`, { version: moved.version, date: addDays(moved.date, 1), startTime: '15:00' })
      .expect(200);
    const pastDocs = await Session.find({ _id: { $in: past.map((p) => p.id) } }).lean();
    const keptIds = [heldOne.id, cancelled.id, moved.id];
    const keptDocs = await Session.find({ _id: { $in: keptIds } }).lean();

    const res = await clients.teacher
      .patch(`/api/v1/programmes/${created.id}`, {
        version: created.version,
        weeklyPattern: [
          { weekday: 2, startTime: '16:30', minutes: 45 },
          { weekday: 5, startTime: '16:30', minutes: 45 },
        ],
      })
      .expect(200);
    expect(res.body.schedule.removed).toBeGreaterThan(0);
    expect(res.body.schedule.created).toBeGreaterThan(0);

    // Past and hand-edited sessions are byte-for-byte what they were.
    expect(await Session.find({ _id: { $in: past.map((p) => p.id) } }).lean()).toEqual(pastDocs);
    expect(await Session.find({ _id: { $in: keptIds } }).lean()).toEqual(keptDocs);

    const after = await listItems(created.id);
    const untouchedFuture = after.filter((i) => Date.parse(i.startsAt) > now && i.origin === 'pattern' && i.status === 'scheduled' && !i.rescheduledFrom && !keptIds.includes(i.id));
    expect(untouchedFuture.length).toBeGreaterThan(0);
    for (const i of untouchedFuture) {
      expect([2, 5]).toContain(isoWeekday(i.date));
      expect(i.startTime).toBe('16:30');
      expect(i.plannedMinutes).toBe(45);
    }
    // No future untouched Thursday is left; the cancelled, held and moved ones are.
    expect(untouchedFuture.some((i) => isoWeekday(i.date) === 4)).toBe(false);
    // One pattern Friday per week (the Thursday moved to a Friday is a different occurrence).
    const fridays = after.filter((i) => isoWeekday(i.date) === 5 && i.origin === 'pattern' && !i.rescheduledFrom);
    expect(fridays.length).toBeGreaterThan(0);
    expect(new Set(fridays.map((f) => f.date)).size).toBe(fridays.length);

    const before = await databaseSnapshot();
    const again = await clients.teacher.post('/api/v1/schedule/generate', { programmeId: created.id }).expect(200);
    expect([again.body.created, again.body.updated, again.body.removed]).toEqual([0, 0, 0]);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when an exclusion date is added and the programme shortened, then those future sessions go and nothing else', async () => {
    const created = await createProgramme(adminActor(), { ...plan({ name: 'Holiday' }), schoolIds: [world.schoolA.id], groupIds: [groups.A2] });
    const items = await listItems(created.id);
    const now = Date.now();
    const holiday = items.find((i) => Date.parse(i.startsAt) > now + 86_400_000)!;
    const res = await clients.teacher
      .patch(`/api/v1/programmes/${created.id}`, { version: created.version, exclusionDates: [holiday.date, holiday.date], plannedWeeks: 10 })
      .expect(200);
    expect(res.body.exclusionDates).toEqual([holiday.date]);
    expect(res.body.schedule.removed).toBe(1 + 4);
    const after = await listItems(created.id);
    expect(after.map((i) => i.date)).not.toContain(holiday.date);
    expect(after.every((i) => i.date <= res.body.endDate)).toBe(true);
  });

  it('when a group is taken out of the programme, then its future untouched sessions go and its held ones stay', async () => {
    const created = await createProgramme(adminActor(), { ...plan({ name: 'Two groups' }), schoolIds: [world.schoolA.id], groupIds: [groups.A, groups.A2] });
    const a2 = (await listItems(created.id, `&groupId=${groups.A2}`)).filter((i) => Date.parse(i.startsAt) > Date.now());
    await Session.updateOne({ _id: a2[0]!.id }, { $set: { status: 'held', loggedAt: new Date() }, $inc: { version: 1 } });
    await clients.teacher.patch(`/api/v1/programmes/${created.id}`, { version: created.version, groupIds: [groups.A] }).expect(200);
    const left = await listItems(created.id, `&groupId=${groups.A2}`);
    expect(left.filter((i) => Date.parse(i.startsAt) > Date.now()).map((i) => i.id)).toEqual([a2[0]!.id]);
  });
});

describe('per-occurrence changes', () => {
  let programmeId: string;
  beforeAll(async () => {
    const created = await createProgramme(adminActor(), { ...plan({ name: 'Edits' }), schoolIds: [world.schoolA.id], groupIds: [groups.A3] });
    programmeId = created.id;
  });
  const nextFree = async () => (await listItems(programmeId)).filter((i) => i.status === 'scheduled' && Date.parse(i.startsAt) > Date.now() && !i.rescheduledFrom && i.origin === 'pattern');

  it('when a session is cancelled with a reason, then it is cancelled, audited, and a stale second cancel gets 409 with the current session', async () => {
    const s = (await nextFree())[0]!;
    const res = await clients.teacher.post(`/api/v1/schedule/sessions/${s.id}/cancel`, { version: s.version, reason: 'Sports meeting' }).expect(200);
    expect(res.body).toMatchObject({ status: 'cancelled', cancelReason: 'Sports meeting', version: s.version + 1, handEdited: true });
    expect(await AuditEvent.countDocuments({ entity: 'session', entityId: s.id })).toBe(1);
    const before = await databaseSnapshot();
    const stale = await clients.teacher.post(`/api/v1/schedule/sessions/${s.id}/cancel`, { version: s.version, reason: 'Again' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(stale.body.error.details.current).toMatchObject({ id: s.id, status: 'cancelled', version: s.version + 1 });
    const twice = await clients.teacher.post(`/api/v1/schedule/sessions/${s.id}/cancel`, { version: s.version + 1, reason: 'Again' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('session_not_scheduled');
    expect(await databaseSnapshot()).toEqual(before);

    const restored = await clients.teacher.post(`/api/v1/schedule/sessions/${s.id}/restore`, { version: s.version + 1 }).expect(200);
    expect(restored.body).toMatchObject({ status: 'scheduled', cancelReason: null, handEdited: false });
  });

  it('when a session is moved twice, then it keeps the first planned date and the pattern does not bring it back', async () => {
    const s = (await nextFree())[1]!;
    const first = await clients.teacher.post(`/api/v1/schedule/sessions/${s.id}/reschedule`, { version: s.version, date: addDays(s.date, 1), startTime: '17:00' }).expect(200);
    expect(first.body).toMatchObject({ date: addDays(s.date, 1), startTime: '17:00', rescheduledFrom: s.date, plannedMinutes: 40 });
    const second = await clients.teacher
      .post(`/api/v1/schedule/sessions/${s.id}/reschedule`, { version: first.body.version, date: addDays(s.date, 2), startTime: '08:00', plannedMinutes: 30 })
      .expect(200);
    expect(second.body).toMatchObject({ date: addDays(s.date, 2), rescheduledFrom: s.date, plannedMinutes: 30 });
    const gen = await clients.teacher.post('/api/v1/schedule/generate', { programmeId }).expect(200);
    expect(gen.body.created).toBe(0);
    expect((await listItems(programmeId)).filter((i) => i.date === s.date)).toEqual([]);
  });

  it('when a held session is cancelled or moved, then 409 and nothing changes', async () => {
    const s = (await nextFree())[2]!;
    await Session.updateOne({ _id: s.id }, { $set: { status: 'held', loggedAt: new Date() }, $inc: { version: 1 } });
    const before = await databaseSnapshot();
    const cancel = await clients.teacher.post(`/api/v1/schedule/sessions/${s.id}/cancel`, { version: s.version + 1, reason: 'x' });
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe('session_logged');
    const move = await clients.teacher.post(`/api/v1/schedule/sessions/${s.id}/reschedule`, { version: s.version + 1, date: freshDate(), startTime: '08:00' });
    expect(move.body.error.code).toBe('session_logged');
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when a session is moved onto another session of the group, then 409 slot_taken', async () => {
    const [a, b] = await nextFree();
    const res = await clients.teacher.post(`/api/v1/schedule/sessions/${a!.id}/reschedule`, { version: a!.version, date: b!.date, startTime: b!.startTime });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('slot_taken');
  });

  it('when an extra session is added with an Idempotency-Key and retried, then exactly one extra session exists', async () => {
    const body = { programmeId, groupId: groups.A3, date: freshDate(), startTime: '09:30', plannedMinutes: 30 };
    const first = await clients.teacher.post('/api/v1/schedule/extra').set('Idempotency-Key', 'extra-key-0001').send(body).expect(201);
    const retry = await clients.teacher.post('/api/v1/schedule/extra').set('Idempotency-Key', 'extra-key-0001').send(body).expect(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(first.body).toMatchObject({ origin: 'extra', status: 'scheduled', handEdited: true });
    expect(await Session.countDocuments({ programmeId, date: body.date })).toBe(1);
    const gen = await clients.teacher.post('/api/v1/schedule/generate', { programmeId }).expect(200);
    expect(gen.body.removed).toBe(0);
    const again = await clients.teacher.post('/api/v1/schedule/extra', body);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('slot_taken');
  });

  it('when an extra session names a group outside the programme, then 400 and nothing is written', async () => {
    const before = await databaseSnapshot();
    const res = await clients.teacher.post('/api/v1/schedule/extra', { programmeId, groupId: groups.A2, date: freshDate(), startTime: '09:30', plannedMinutes: 30 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('group_not_in_programme');
    const missing = await clients.teacher.post('/api/v1/schedule/sessions/' + new mongoose.Types.ObjectId().toHexString() + '/cancel', { version: 0, reason: 'x' });
    expect(missing.status).toBe(404);
    expect(await databaseSnapshot()).toEqual(before);
  });
});

describe('bad input is rejected and changes nothing', () => {
  it('when schedule endpoints receive bad input, then 4xx with a clear message and the database is unchanged', async () => {
    const s = (await Session.findOne({ programmeId: matrixProgramme.own.id, status: 'scheduled' }).lean()) ?? (await freshSession('own'));
    const id = String(s._id);
    const bodies: { url: string; valid: Record<string, unknown> }[] = [
      { url: '/api/v1/schedule/generate', valid: { programmeId: matrixProgramme.own.id } },
      { url: '/api/v1/schedule/extra', valid: { programmeId: matrixProgramme.own.id, groupId: groups.A3, date: freshDate(), startTime: '09:00', plannedMinutes: 30 } },
      { url: `/api/v1/schedule/sessions/${id}/cancel`, valid: { version: s.version, reason: 'Rain' } },
      { url: `/api/v1/schedule/sessions/${id}/restore`, valid: { version: s.version } },
      { url: `/api/v1/schedule/sessions/${id}/reschedule`, valid: { version: s.version, date: freshDate(), startTime: '10:00', plannedMinutes: 30 } },
    ];
    const before = await databaseSnapshot();
    const json = (o: unknown) => JSON.stringify(o);
    for (const { url, valid } of bodies) {
      const variants: [string, string, number][] = [
        ['malformed JSON', json(valid).slice(0, -2), 400],
        ['array body', json([valid]), 400],
        ['unknown field', json({ ...valid, status: 'held' }), 400],
        ['oversized', json({ ...valid, padding: 'x'.repeat(300_000) }), 413],
      ];
      for (const [key, value] of Object.entries(valid)) {
        variants.push([`${key} wrong type`, json({ ...valid, [key]: typeof value === 'number' ? 'seven' : 12345 }), 400]);
        if (typeof value === 'string') {
          variants.push([`${key} over-long`, json({ ...valid, [key]: 'x'.repeat(5_000) }), 400]);
          variants.push([`${key} operator`, json({ ...valid, [key]: { $gt: '' } }), 400]);
        }
      }
      if ('date' in valid) variants.push(['impossible date', json({ ...valid, date: '2026-02-29' }), 400], ['time 25:00', json({ ...valid, startTime: '25:00' }), 400]);
      if ('plannedMinutes' in valid) variants.push(['minutes 0', json({ ...valid, plannedMinutes: 0 }), 400], ['minutes 1000', json({ ...valid, plannedMinutes: 1000 }), 400]);
      if ('reason' in valid) variants.push(['empty reason', json({ ...valid, reason: '   ' }), 400]);
      for (const [label, body, status] of variants) {
        const res = await clients.admin.post(url).set('Content-Type', 'application/json').send(body);
        expect(res.status, `${url} ${label} → ${JSON.stringify(res.body)}`).toBe(status);
        expect(res.body.error.message.length, label).toBeGreaterThan(10);
      }
    }
    for (const qs of ['', 'programmeId=abc', `programmeId[$ne]=x`, `programmeId=${matrixProgramme.own.id}&from=yesterday`, `programmeId=${matrixProgramme.own.id}&page=1`]) {
      const res = await clients.admin.get(`/api/v1/schedule?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
    expect((await clients.admin.post('/api/v1/schedule/sessions/not-an-id/cancel', { version: 0, reason: 'x' })).status).toBe(400);
    expect(await databaseSnapshot()).toEqual(before);
  });
});
