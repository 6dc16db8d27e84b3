// /api/v1/programmes: role × school matrix, plan check in every answer, school/group validation,
// version conflicts, delete rules, audit, and bad input that changes nothing.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, isoWeekday, schoolToday } from '../../shared/domain/dates.ts';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { createProgramme } from '../../server/modules/programmes/service.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { TestClient, databaseSnapshot, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { describeAccessMatrix, everyone, scoped, type MatrixCase, type Target, type Who } from '../helpers/access-matrix.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedAccounts>>;
const clients = {} as Record<Who, TestClient>;
let groupA: string;
let groupA2: string;
let groupB: string;

const adminActor = () => ({ id: world.users.admin.id, username: 'admin', role: 'admin' as const, schoolIds: [] });
const schoolOf = (t: Target) => (t === 'other' ? world.schoolB : world.schoolA);
const groupOf = (t: Target) => (t === 'other' ? groupB : groupA);

/** The Monday three weeks before today (Shanghai): some sessions are past, most are ahead. */
function mondayWeeksAgo(weeks: number): string {
  const today = schoolToday(new Date());
  return addDays(today, -(isoWeekday(today) - 1) - 7 * weeks);
}

const validPlan = () => ({
  name: 'Rope skipping after school',
  arm: 'intervention' as const,
  startDate: mondayWeeksAgo(3),
  plannedWeeks: 12,
  weeklyPattern: [
    { weekday: 1, startTime: '16:00', minutes: 40 },
    { weekday: 3, startTime: '16:00', minutes: 40 },
    { weekday: 5, startTime: '16:00', minutes: 40 },
  ],
  activityBlocks: [
    { activityCode: 'warm-up', minutes: 5, targetIntensity: 'light' as const },
    { activityCode: 'rope-skipping', minutes: 30, targetIntensity: 'moderate' as const },
    { activityCode: 'warm-up', minutes: 5, targetIntensity: 'light' as const },
  ],
  evidenceProfileId: 'seed-review',
  exclusionDates: [] as string[],
});

/** A programme with no groups or pattern: cheap to create for the matrix. */
async function bareProgramme(t: Target) {
  return createProgramme(adminActor(), {
    ...validPlan(),
    name: `Matrix ${t}`,
    schoolIds: [schoolOf(t).id],
    groupIds: [],
    weeklyPattern: [],
  });
}

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedAccounts();
  groupA = String((await Group.create({ schoolId: world.schoolA.id, name: 'Skippers A', activityCode: 'rope-skipping' }))._id);
  groupA2 = String((await Group.create({ schoolId: world.schoolA.id, name: 'Runners A', activityCode: 'running' }))._id);
  groupB = String((await Group.create({ schoolId: world.schoolB.id, name: 'Footballers B', activityCode: 'football' }))._id);
  clients.anonymous = await new TestClient(app).init();
  for (const who of everyone.filter((w) => w !== 'anonymous')) clients[who] = await signedInClient(app, who);
});
afterAll(() => harness.stop());

const cases: MatrixCase[] = [
  {
    method: 'get',
    path: '/api/v1/programmes/',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/programmes' }),
    expected: { anonymous: 401, admin: 200, teacher: 200, counsellor: 200, researcher: 200 },
  },
  {
    method: 'get',
    path: '/api/v1/programmes/form-options',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/programmes/form-options' }),
    expected: { anonymous: 401, admin: 200, teacher: 200, counsellor: 200, researcher: 200 },
  },
  {
    method: 'post',
    path: '/api/v1/programmes/',
    targets: ['own', 'other'],
    request: async (t) => ({ url: '/api/v1/programmes', body: { ...validPlan(), weeklyPattern: [], schoolIds: [schoolOf(t).id], groupIds: [] } }),
    expected: scoped(201, ['teacher']),
  },
  {
    method: 'get',
    path: '/api/v1/programmes/:id',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/programmes/${(await bareProgramme(t)).id}?version=0` }),
    expected: scoped(200, ['teacher', 'counsellor', 'researcher']),
  },
  {
    method: 'patch',
    path: '/api/v1/programmes/:id',
    targets: ['own', 'other'],
    request: async (t) => {
      const p = await bareProgramme(t);
      return { url: `/api/v1/programmes/${p.id}`, body: { version: p.version, name: 'Renamed' } };
    },
    expected: scoped(200, ['teacher']),
  },
  {
    method: 'delete',
    path: '/api/v1/programmes/:id',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/programmes/${(await bareProgramme(t)).id}?version=0` }),
    expected: scoped(204, ['teacher']),
  },
];

describeAccessMatrix({ prefixes: ['/api/v1/programmes'], cases, clients: () => clients });

describe('planning a programme', () => {
  it('when a teacher creates a 12-week programme for a group, then 201 with the plan check and its sessions are scheduled', async () => {
    const res = await clients.teacher.post('/api/v1/programmes', { ...validPlan(), schoolIds: [world.schoolA.id], groupIds: [groupA] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name: 'Rope skipping after school', arm: 'intervention', plannedWeeks: 12, timeZone: 'Asia/Shanghai', version: 0 });
    expect(res.body.endDate).toBe(addDays(res.body.startDate, 83));
    const byId = Object.fromEntries(res.body.planCheck.checks.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(res.body.planCheck.profileId).toBe('seed-review');
    expect(byId).toMatchObject({ duration: 'pass', 'session-length': 'pass', 'aerobic-minutes': 'pass', frequency: 'pass', 'longest-gap': 'pass' });
    for (const c of res.body.planCheck.checks) expect(c.explanation.length).toBeGreaterThan(5);
    expect(res.body.schedule).toEqual({ created: 36, updated: 0, removed: 0, kept: 0 });
    expect(await Session.countDocuments({ programmeId: res.body.id, groupId: groupA, status: 'scheduled', origin: 'pattern' })).toBe(36);

    const got = await clients.researcher.get(`/api/v1/programmes/${res.body.id}`).expect(200);
    expect(got.body.planCheck).toEqual(res.body.planCheck);
    const audit = await AuditEvent.findOne({ entity: 'programme', entityId: res.body.id, action: 'create' }).lean();
    expect(audit?.actorUsername).toBe('teacher');
  });

  it('when the plan changes to 15-minute sessions over 8 weeks, then the length and duration checks fail and explain why', async () => {
    const created = await createProgramme(adminActor(), { ...validPlan(), schoolIds: [world.schoolA.id], groupIds: [] });
    const res = await clients.teacher
      .patch(`/api/v1/programmes/${created.id}`, {
        version: created.version,
        plannedWeeks: 8,
        weeklyPattern: validPlan().weeklyPattern.map((s) => ({ ...s, minutes: 15 })),
      })
      .expect(200);
    const checks = Object.fromEntries(res.body.planCheck.checks.map((c: { id: string }) => [c.id, c]));
    expect(checks.duration.status).toBe('fail');
    expect(checks.duration.explanation).toMatch(/8 weeks planned/);
    expect(checks['session-length'].status).toBe('fail');
    expect(checks['session-length'].explanation).toMatch(/15 minutes — below 20/);
    expect(res.body.version).toBe(created.version + 1);
  });

  it('when the WHO profile is chosen, then its own checks replace the seed review ones', async () => {
    const res = await clients.teacher.post('/api/v1/programmes', { ...validPlan(), evidenceProfileId: 'who-2020-5-17', schoolIds: [world.schoolA.id] }).expect(201);
    expect(res.body.planCheck.profileId).toBe('who-2020-5-17');
    expect(res.body.planCheck.checks.map((c: { id: string }) => c.id)).toContain('daily-mvpa');
    expect(res.body.planCheck.checks.map((c: { id: string }) => c.id)).not.toContain('duration');
  });

  it('when two teachers save the same version, then the second gets 409 with the current programme and nothing is overwritten', async () => {
    const created = await createProgramme(adminActor(), { ...validPlan(), schoolIds: [world.schoolA.id], groupIds: [] });
    await clients.teacher.patch(`/api/v1/programmes/${created.id}`, { version: created.version, name: 'First save' }).expect(200);
    const before = await databaseSnapshot();
    const res = await clients.admin.patch(`/api/v1/programmes/${created.id}`, { version: created.version, name: 'Second save' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('version_conflict');
    expect(res.body.error.details.current).toMatchObject({ id: created.id, name: 'First save', version: created.version + 1 });
    expect(res.body.error.details.current.planCheck.checks.length).toBeGreaterThan(0);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when a group of another school is named, then 400 and nothing is written', async () => {
    const before = await databaseSnapshot();
    const res = await clients.admin.post('/api/v1/programmes', { ...validPlan(), schoolIds: [world.schoolA.id], groupIds: [groupA, groupB] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('group_outside_schools');
    expect(res.body.error.message).toMatch(/Footballers B/);
    const unknown = await clients.admin.post('/api/v1/programmes', { ...validPlan(), schoolIds: [world.schoolA.id], groupIds: [new mongoose.Types.ObjectId().toHexString()] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('unknown_group');
    const noSchool = await clients.admin.post('/api/v1/programmes', { ...validPlan(), schoolIds: [new mongoose.Types.ObjectId().toHexString()] });
    expect(noSchool.body.error.code).toBe('unknown_school');
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when a teacher of school A names schools A and B, then 403; when an admin does, the teacher sees it and its school-A sessions but cannot change it', async () => {
    const before = await databaseSnapshot();
    const res = await clients.teacher.post('/api/v1/programmes', { ...validPlan(), schoolIds: [world.schoolA.id, world.schoolB.id], groupIds: [groupA] });
    expect(res.status).toBe(403);
    expect(await databaseSnapshot()).toEqual(before);

    const shared = await clients.admin
      .post('/api/v1/programmes', { ...validPlan(), name: 'County-wide', schoolIds: [world.schoolA.id, world.schoolB.id], groupIds: [groupA2, groupB] })
      .expect(201);
    expect(shared.body.schedule.created).toBe(72);
    // A joint (county-wide) programme is visible to each school's teachers…
    const list = await clients.teacher.get('/api/v1/programmes').expect(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain(shared.body.id);
    await clients.teacher.get(`/api/v1/programmes/${shared.body.id}`).expect(200);
    // …with only their own school's sessions in its schedule…
    const schedule = await clients.teacher.get(`/api/v1/schedule?programmeId=${shared.body.id}`).expect(200);
    expect(schedule.body.items.length).toBeGreaterThan(0);
    expect(schedule.body.items.every((x: { groupId: string }) => x.groupId === groupA2)).toBe(true);
    expect(schedule.body.groups.map((g: { id: string }) => g.id)).toEqual([groupA2]);
    // …but changing the programme itself needs every one of its schools.
    await clients.teacher.patch(`/api/v1/programmes/${shared.body.id}`, { version: 0, name: 'Mine now' }).expect(403);
    await clients.teacher.patch(`/api/v1/programmes/${shared.body.id}`, { version: 0, schoolIds: [world.schoolA.id], groupIds: [groupA2] }).expect(403);
  });

  it('when listing by school or group, then only matching programmes come back', async () => {
    const res = await clients.admin.get(`/api/v1/programmes?groupId=${groupB}`).expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((p: { groupIds: string[] }) => p.groupIds.includes(groupB))).toBe(true);
    const bySchool = await clients.admin.get(`/api/v1/programmes?schoolId=${world.schoolB.id}`).expect(200);
    expect(bySchool.body.items.every((p: { schoolIds: string[] }) => p.schoolIds.includes(world.schoolB.id))).toBe(true);
    await clients.teacher.get(`/api/v1/programmes?schoolId=${world.schoolB.id}`).expect(403);
  });
});

describe('form options', () => {
  it('when a teacher opens the form, then only their schools and those schools\' groups are offered', async () => {
    const res = await clients.teacher.get('/api/v1/programmes/form-options').expect(200);
    expect(res.body.schools.map((s: { id: string }) => s.id)).toEqual([world.schoolA.id]);
    expect(res.body.groups.map((g: { name: string }) => g.name).sort()).toEqual(['Runners A', 'Skippers A']);
    const admin = await clients.admin.get('/api/v1/programmes/form-options').expect(200);
    expect(admin.body.groups).toHaveLength(3);
  });
});

describe('deleting a programme', () => {
  it('when no session has been held, then it and its scheduled sessions are deleted and audited', async () => {
    const created = await createProgramme(adminActor(), { ...validPlan(), schoolIds: [world.schoolA.id], groupIds: [groupA2] });
    expect(await Session.countDocuments({ programmeId: created.id })).toBe(36);
    await clients.teacher.delete(`/api/v1/programmes/${created.id}?version=${created.version}`).expect(204);
    expect(await Programme.exists({ _id: created.id })).toBeNull();
    expect(await Session.countDocuments({ programmeId: created.id })).toBe(0);
    expect(await AuditEvent.countDocuments({ entity: 'programme', entityId: created.id, action: 'delete' })).toBe(1);
  });

  it('when a session has been held, then 409 and nothing is deleted', async () => {
    const created = await createProgramme(adminActor(), { ...validPlan(), schoolIds: [world.schoolA.id], groupIds: [groupA2] });
    const first = await Session.findOne({ programmeId: created.id }).sort({ date: 1 });
    // What the sessions module writes when a register is saved.
    await Session.updateOne({ _id: first!._id }, { $set: { status: 'held', loggedAt: new Date() }, $inc: { version: 1 } });
    const before = await databaseSnapshot();
    const res = await clients.teacher.delete(`/api/v1/programmes/${created.id}?version=${created.version}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('programme_has_held_sessions');
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when the programme does not exist, then 404', async () => {
    const res = await clients.admin.delete(`/api/v1/programmes/${new mongoose.Types.ObjectId().toHexString()}?version=0`);
    expect(res.status).toBe(404);
  });
});

type Variant = { label: string; body: string; status: number; code: string };

function variants(valid: Record<string, unknown>): Variant[] {
  const json = (o: unknown) => JSON.stringify(o);
  const out: Variant[] = [
    { label: 'malformed JSON', body: json(valid).slice(0, -3), status: 400, code: 'malformed_json' },
    { label: 'an array body', body: json([valid]), status: 400, code: 'invalid_input' },
    { label: 'an unknown field', body: json({ ...valid, ownerId: 'x' }), status: 400, code: 'invalid_input' },
    { label: 'an oversized body', body: json({ ...valid, padding: 'x'.repeat(300_000) }), status: 413, code: 'payload_too_large' },
  ];
  for (const [key, value] of Object.entries(valid)) {
    out.push({ label: `${key} of the wrong type`, body: json({ ...valid, [key]: typeof value === 'number' ? 'seven' : 12345 }), status: 400, code: 'invalid_input' });
    if (typeof value === 'string') {
      out.push({ label: `${key} over-long`, body: json({ ...valid, [key]: 'x'.repeat(5_000) }), status: 400, code: 'invalid_input' });
      out.push({ label: `${key} as an operator`, body: json({ ...valid, [key]: { $gt: '' } }), status: 400, code: 'invalid_input' });
    }
    if (Array.isArray(value)) out.push({ label: `${key} holding an operator`, body: json({ ...valid, [key]: [{ $ne: null }] }), status: 400, code: 'invalid_input' });
  }
  const pattern = valid.weeklyPattern as { weekday: number }[] | undefined;
  if (pattern) {
    out.push({ label: 'weekday 8', body: json({ ...valid, weeklyPattern: [{ weekday: 8, startTime: '16:00', minutes: 40 }] }), status: 400, code: 'invalid_input' });
    out.push({ label: 'time 24:00', body: json({ ...valid, weeklyPattern: [{ weekday: 1, startTime: '24:00', minutes: 40 }] }), status: 400, code: 'invalid_input' });
    out.push({ label: 'zero minutes', body: json({ ...valid, weeklyPattern: [{ weekday: 1, startTime: '16:00', minutes: 0 }] }), status: 400, code: 'invalid_input' });
    out.push({ label: 'a slot twice', body: json({ ...valid, weeklyPattern: [pattern[0], pattern[0]] }), status: 400, code: 'invalid_input' });
    out.push({ label: 'an unknown slot field', body: json({ ...valid, weeklyPattern: [{ ...pattern[0], room: 'gym' }] }), status: 400, code: 'invalid_input' });
    out.push({ label: 'unknown intensity', body: json({ ...valid, activityBlocks: [{ activityCode: 'running', minutes: 20, targetIntensity: 'extreme' }] }), status: 400, code: 'invalid_input' });
    out.push({ label: 'not a real date', body: json({ ...valid, startDate: '2025-02-30' }), status: 400, code: 'invalid_input' });
    out.push({ label: 'a bad exclusion date', body: json({ ...valid, exclusionDates: ['2025-13-01'] }), status: 400, code: 'invalid_input' });
    out.push({ label: '0 weeks', body: json({ ...valid, plannedWeeks: 0 }), status: 400, code: 'invalid_input' });
    out.push({ label: 'unknown evidence profile', body: json({ ...valid, evidenceProfileId: 'made-up' }), status: 400, code: 'invalid_input' });
    out.push({ label: 'unknown arm', body: json({ ...valid, arm: 'placebo' }), status: 400, code: 'invalid_input' });
    out.push({ label: 'a key with a dollar', body: json({ ...valid, $where: '1' }), status: 400, code: 'invalid_input' });
  }
  return out;
}

describe('bad input is rejected and changes nothing', () => {
  it('when create receives bad input, then 4xx with a clear message and the database is unchanged', async () => {
    const valid = { ...validPlan(), schoolIds: [world.schoolA.id], groupIds: [groupA] };
    const before = await databaseSnapshot();
    for (const v of variants(valid)) {
      const res = await clients.admin.post('/api/v1/programmes').set('Content-Type', 'application/json').send(v.body);
      expect(res.status, `${v.label} → ${JSON.stringify(res.body)}`).toBe(v.status);
      expect(res.body.error.code, v.label).toBe(v.code);
      expect(res.body.error.message.length, v.label).toBeGreaterThan(10);
    }
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when update receives bad input or a bad id, then 4xx and the database is unchanged', async () => {
    const created = await createProgramme(adminActor(), { ...validPlan(), schoolIds: [world.schoolA.id], groupIds: [groupA2] });
    const valid = { ...validPlan(), version: created.version, schoolIds: [world.schoolA.id], groupIds: [groupA2] };
    const before = await databaseSnapshot();
    for (const v of variants(valid)) {
      const res = await clients.admin.patch(`/api/v1/programmes/${created.id}`).set('Content-Type', 'application/json').send(v.body);
      expect(res.status, `${v.label} → ${JSON.stringify(res.body)}`).toBe(v.status);
      expect(res.body.error.code, v.label).toBe(v.code);
    }
    expect((await clients.admin.patch('/api/v1/programmes/not-an-id', { version: 0 })).status).toBe(400);
    expect((await clients.admin.get('/api/v1/programmes/{"$gt":""}')).status).toBe(400);
    expect((await clients.admin.delete('/api/v1/programmes/not-an-id')).status).toBe(400);
    expect((await clients.admin.get('/api/v1/programmes?schoolId[$ne]=x')).status).toBe(400);
    expect((await clients.admin.get('/api/v1/programmes?page=2')).status).toBe(400);
    expect((await clients.admin.patch(`/api/v1/programmes/${new mongoose.Types.ObjectId().toHexString()}`, { version: 0, name: 'x' })).status).toBe(404);
    expect(await databaseSnapshot()).toEqual(before);
  });
});
