// Sports groups API: role × school matrix, coaches of the school, members with join and leave
// dates (rejoin = a new entry), version conflicts, deletion rules, audit and bad input.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { createChild, deactivateChild } from '../../server/modules/children/service.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { addMembers, createGroup } from '../../server/modules/groups/service.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { createUser } from '../../server/modules/users/service.ts';
import type { Actor } from '../../server/lib/policy.ts';
import { PASSWORD, TestClient, databaseSnapshot, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { describeAccessMatrix, everyone, scoped, type MatrixCase, type Target, type Who } from '../helpers/access-matrix.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedAccounts>>;
const clients = {} as Record<Who, TestClient>;
let admin: Actor;
let teacherB: { id: string };

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedAccounts();
  const a = world.users.admin;
  admin = { id: a.id, username: a.username, role: 'admin', schoolIds: [] };
  teacherB = await createUser({ username: 'teacherb', displayName: 'Coach B', password: PASSWORD, role: 'pe_teacher', schoolIds: [world.schoolB.id] }, admin);
  clients.anonymous = await new TestClient(app).init();
  for (const who of everyone.filter((w) => w !== 'anonymous')) clients[who] = await signedInClient(app, who);
});
afterAll(() => harness.stop());

const schoolOf = (target: Target) => (target === 'other' ? world.schoolB : world.schoolA);
let serial = 0;
function makeChild(schoolId: string, overrides: Record<string, unknown> = {}) {
  serial += 1;
  return createChild(admin, {
    schoolId, displayName: `组员${serial}`, sex: 'male', birthYear: 2014, birthMonth: (serial % 12) + 1, grade: 4, className: String(serial),
    leftBehindStatus: 'one_parent_away', monthsSinceSeparation: 12, caregiver: 'grandparents', boarding: false, guardianConsentDate: null, childAssent: false,
    ...overrides,
  } as Parameters<typeof createChild>[1]);
}
const makeGroup = (target: Target, name = `Group ${++serial}`) =>
  createGroup(admin, { schoolId: schoolOf(target).id, name, activityCode: 'rope-skipping', coachIds: [] });
async function groupWithMember(target: Target) {
  const g = await makeGroup(target);
  const c = await makeChild(schoolOf(target).id);
  const after = await addMembers(admin, g.id, { version: g.version, childIds: [c.id], joinedOn: '2025-03-03' });
  return { group: after, child: c };
}

const roles = ['teacher'] as const;
const readers = ['teacher', 'counsellor'] as const;
const cases: MatrixCase[] = [
  { method: 'get', path: '/api/v1/groups/', targets: ['own', 'other'], request: async (t) => ({ url: `/api/v1/groups?schoolId=${schoolOf(t).id}` }), expected: scoped(200, readers) },
  {
    method: 'get',
    path: '/api/v1/groups/',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/groups' }),
    expected: { anonymous: 401, admin: 200, teacher: 200, counsellor: 200, researcher: 403 },
  },
  {
    method: 'post',
    path: '/api/v1/groups/',
    targets: ['own', 'other'],
    request: async (t) => ({ url: '/api/v1/groups', body: { schoolId: schoolOf(t).id, name: 'Matrix', activityCode: 'football' } }),
    expected: scoped(201, roles),
  },
  { method: 'get', path: '/api/v1/groups/coaches', targets: ['own', 'other'], request: async (t) => ({ url: `/api/v1/groups/coaches?schoolId=${schoolOf(t).id}` }), expected: scoped(200, readers) },
  { method: 'get', path: '/api/v1/groups/:id', targets: ['own', 'other'], request: async (t) => ({ url: `/api/v1/groups/${(await makeGroup(t)).id}` }), expected: scoped(200, readers) },
  {
    method: 'patch',
    path: '/api/v1/groups/:id',
    targets: ['own', 'other'],
    request: async (t) => {
      const g = await makeGroup(t);
      return { url: `/api/v1/groups/${g.id}`, body: { version: g.version, name: 'Renamed' } };
    },
    expected: scoped(200, roles),
  },
  { method: 'delete', path: '/api/v1/groups/:id', targets: ['own', 'other'], request: async (t) => ({ url: `/api/v1/groups/${(await makeGroup(t)).id}?version=0` }), expected: scoped(204, roles) },
  {
    method: 'post',
    path: '/api/v1/groups/:id/members',
    targets: ['own', 'other'],
    request: async (t) => {
      const g = await makeGroup(t);
      const c = await makeChild(schoolOf(t).id);
      return { url: `/api/v1/groups/${g.id}/members`, body: { version: g.version, childIds: [c.id], joinedOn: '2025-03-03' } };
    },
    expected: scoped(200, roles),
  },
  {
    method: 'post',
    path: '/api/v1/groups/:id/members/leave',
    targets: ['own', 'other'],
    request: async (t) => {
      const { group, child } = await groupWithMember(t);
      return { url: `/api/v1/groups/${group.id}/members/leave`, body: { version: group.version, childId: child.id, leftOn: '2025-04-01' } };
    },
    expected: scoped(200, roles),
  },
  {
    method: 'post',
    path: '/api/v1/groups/:id/members/remove',
    targets: ['own', 'other'],
    request: async (t) => {
      const { group, child } = await groupWithMember(t);
      return { url: `/api/v1/groups/${group.id}/members/remove`, body: { version: group.version, childId: child.id } };
    },
    expected: scoped(200, roles),
  },
];

describeAccessMatrix({ prefixes: ['/api/v1/groups'], cases, clients: () => clients });

describe('groups and coaches', () => {
  it('when a teacher creates a group with a coach of the school, then it is returned with coach names and audited', async () => {
    const res = await clients.teacher
      .post('/api/v1/groups', { schoolId: world.schoolA.id, name: '  跳绳队 ', activityCode: 'rope-skipping', coachIds: [world.users.teacher.id] })
      .expect(201);
    expect(res.body).toMatchObject({ name: '跳绳队', activityCode: 'rope-skipping', coaches: [{ id: world.users.teacher.id, displayName: 'PE Teacher' }], members: [], version: 0 });
    const audit = await AuditEvent.findOne({ entity: 'group', entityId: res.body.id, action: 'create' }).lean();
    expect(audit?.after).toMatchObject({ name: '跳绳队' });
  });

  it('when a coach is not a PE teacher of the school, or the activity is not in the catalog, then 400 and nothing is created', async () => {
    const before = await databaseSnapshot();
    const base = { schoolId: world.schoolA.id, name: 'Bad', activityCode: 'football' };
    const r1 = await clients.teacher.post('/api/v1/groups', { ...base, coachIds: [world.users.counsellor.id] }).expect(400);
    expect(r1.body.error.code).toBe('invalid_coach');
    await clients.teacher.post('/api/v1/groups', { ...base, coachIds: [teacherB.id] }).expect(400);
    await clients.teacher.post('/api/v1/groups', { ...base, coachIds: [new mongoose.Types.ObjectId().toString()] }).expect(400);
    await clients.teacher.post('/api/v1/groups', { ...base, coachIds: [world.users.teacher.id, world.users.teacher.id] }).expect(400);
    const r2 = await clients.teacher.post('/api/v1/groups', { ...base, activityCode: 'quidditch' }).expect(400);
    expect(r2.body.error.message).toContain('activityCode');
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when the coach list of a school is read, then it holds its active PE teachers only', async () => {
    const res = await clients.counsellor.get(`/api/v1/groups/coaches?schoolId=${world.schoolA.id}`).expect(200);
    expect(res.body.items).toEqual([{ id: world.users.teacher.id, displayName: 'PE Teacher' }]);
    const b = await clients.admin.get(`/api/v1/groups/coaches?schoolId=${world.schoolB.id}`).expect(200);
    expect(b.body.items).toEqual([{ id: teacherB.id, displayName: 'Coach B' }]);
  });

  it('when two teachers edit the same group, then the second gets 409 with the current group', async () => {
    const g = await makeGroup('own');
    await clients.teacher.patch(`/api/v1/groups/${g.id}`, { version: g.version, name: 'First' }).expect(200);
    const res = await clients.admin.patch(`/api/v1/groups/${g.id}`, { version: g.version, name: 'Second' }).expect(409);
    expect(res.body.error.code).toBe('version_conflict');
    expect(res.body.error.details.current).toMatchObject({ id: g.id, name: 'First', version: g.version + 1 });
    expect((await Group.findById(g.id).lean())?.name).toBe('First');
  });

  it('when groups are listed by child or coach, then the matching groups come back with current member counts', async () => {
    const { group, child } = await groupWithMember('own');
    const coached = await createGroup(admin, { schoolId: world.schoolA.id, name: 'Coached', activityCode: 'running', coachIds: [world.users.teacher.id] });
    const byChild = await clients.teacher.get(`/api/v1/groups?childId=${child.id}`).expect(200);
    expect(byChild.body.items.map((g: { id: string }) => g.id)).toEqual([group.id]);
    expect(byChild.body.items[0]).toMatchObject({ currentMembers: 1, membershipEntries: 1 });
    const byCoach = await clients.teacher.get(`/api/v1/groups?coachId=${world.users.teacher.id}`).expect(200);
    expect(byCoach.body.items.map((g: { id: string }) => g.id)).toContain(coached.id);
    const teacherAll = await clients.teacher.get('/api/v1/groups?pageSize=200').expect(200);
    expect(new Set(teacherAll.body.items.map((g: { schoolId: string }) => g.schoolId))).toEqual(new Set([world.schoolA.id]));
  });

  it('when a group has sessions, then delete is 409 group_in_use and the group stays', async () => {
    const g = await makeGroup('own');
    await Session.create({ programmeId: new mongoose.Types.ObjectId(), groupId: g.id, schoolId: world.schoolA.id, date: '2025-03-04', startTime: '16:00', plannedMinutes: 40 });
    const res = await clients.teacher.delete(`/api/v1/groups/${g.id}?version=${g.version}`).expect(409);
    expect(res.body.error.code).toBe('group_in_use');
    expect(await Group.countDocuments({ _id: g.id })).toBe(1);
  });
});

describe('members with join and leave dates', () => {
  it('when children join, leave and rejoin, then each period is its own entry and a child may be in several groups', async () => {
    const g = await makeGroup('own', 'Football A');
    const other = await makeGroup('own', 'Basketball A');
    const [c1, c2] = [await makeChild(world.schoolA.id), await makeChild(world.schoolA.id)];
    let res = await clients.teacher.post(`/api/v1/groups/${g.id}/members`, { version: g.version, childIds: [c1.id, c2.id], joinedOn: '2025-03-03' }).expect(200);
    expect(res.body.members.map((m: { childId: string; leftOn: null }) => [m.childId, m.leftOn])).toEqual([[c1.id, null], [c2.id, null]]);
    expect(res.body.members[0].child).toMatchObject({ code: c1.code, displayName: c1.displayName, grade: 4 });

    res = await clients.teacher.post(`/api/v1/groups/${g.id}/members/leave`, { version: res.body.version, childId: c1.id, leftOn: '2025-04-11' }).expect(200);
    expect(res.body.members[0]).toMatchObject({ childId: c1.id, joinedOn: '2025-03-03', leftOn: '2025-04-11', current: false });

    const early = await clients.teacher.post(`/api/v1/groups/${g.id}/members`, { version: res.body.version, childIds: [c1.id], joinedOn: '2025-04-11' }).expect(400);
    expect(early.body.error.details[0].message).toContain('until 2025-04-11');
    res = await clients.teacher.post(`/api/v1/groups/${g.id}/members`, { version: res.body.version, childIds: [c1.id], joinedOn: '2025-05-06' }).expect(200);
    expect(res.body.members.filter((m: { childId: string }) => m.childId === c1.id).map((m: { joinedOn: string; leftOn: string | null }) => [m.joinedOn, m.leftOn])).toEqual([
      ['2025-03-03', '2025-04-11'],
      ['2025-05-06', null],
    ]);
    await clients.teacher.post(`/api/v1/groups/${other.id}/members`, { version: other.version, childIds: [c1.id], joinedOn: '2025-03-03' }).expect(200);
    const child = await clients.teacher.get(`/api/v1/children/${c1.id}`).expect(200);
    expect(child.body.memberships.map((m: { groupName: string }) => m.groupName).sort()).toEqual(['Basketball A', 'Football A', 'Football A']);
    const audit = await AuditEvent.find({ entity: 'group', entityId: g.id, action: 'update' }).lean();
    expect(audit.map((a) => (a.meta as { change: string }).change)).toEqual(['add_members', 'end_membership', 'add_members']);
  });

  it('when a member change is not allowed, then 400 names the reason and the group is unchanged', async () => {
    const { group, child } = await groupWithMember('own');
    const inactive = await makeChild(world.schoolA.id);
    await deactivateChild(admin, inactive.id, { version: inactive.version });
    const fromB = await makeChild(world.schoolB.id);
    const before = await databaseSnapshot();
    const add = (childIds: string[], joinedOn = '2025-03-10') =>
      clients.teacher.post(`/api/v1/groups/${group.id}/members`, { version: group.version, childIds, joinedOn });
    expect((await add([fromB.id]).expect(400)).body.error.details[0].message).toContain('school');
    expect((await add([inactive.id]).expect(400)).body.error.details[0].message).toContain('inactive');
    expect((await add([child.id]).expect(400)).body.error.details[0].message).toContain('already a member');
    await add([new mongoose.Types.ObjectId().toString()]).expect(400);
    const leave = (body: Record<string, unknown>) => clients.teacher.post(`/api/v1/groups/${group.id}/members/leave`, { version: group.version, ...body });
    const r = await leave({ childId: child.id, leftOn: '2025-03-02' }).expect(400);
    expect(r.body.error.message).toContain('on or after the join date 2025-03-03');
    await leave({ childId: fromB.id, leftOn: '2025-04-01' }).expect(400);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when a stale version changes the members, then 409 with the current group and no member is lost', async () => {
    const { group } = await groupWithMember('own');
    const c = await makeChild(world.schoolA.id);
    const res = await clients.teacher.post(`/api/v1/groups/${group.id}/members`, { version: group.version - 1, childIds: [c.id], joinedOn: '2025-03-10' }).expect(409);
    expect(res.body.error.details.current.members).toHaveLength(1);
    expect((await Group.findById(group.id).lean())?.members).toHaveLength(1);
  });

  it('when a member added by mistake has no attendance, then remove deletes the entry; with attendance it is 409', async () => {
    const { group, child } = await groupWithMember('own');
    const res = await clients.teacher.post(`/api/v1/groups/${group.id}/members/remove`, { version: group.version, childId: child.id }).expect(200);
    expect(res.body.members).toEqual([]);
    const other = await groupWithMember('own');
    await Session.create({
      programmeId: new mongoose.Types.ObjectId(), groupId: other.group.id, schoolId: world.schoolA.id, date: '2025-03-05', startTime: '16:00', plannedMinutes: 40,
      status: 'held', register: [{ childId: other.child.id, status: 'present' }],
    });
    const r = await clients.teacher.post(`/api/v1/groups/${other.group.id}/members/remove`, { version: other.group.version, childId: other.child.id }).expect(409);
    expect(r.body.error.code).toBe('member_has_attendance');
  });

  it('when more than 60 children would be current members, then 400 group_full', async () => {
    const g = await makeGroup('own');
    const kids = [];
    for (let i = 0; i < 61; i++) kids.push((await makeChild(world.schoolA.id, { displayName: `满员${i}` })).id);
    const res = await clients.teacher.post(`/api/v1/groups/${g.id}/members`, { version: g.version, childIds: kids.slice(0, 60), joinedOn: '2025-03-03' }).expect(200);
    const full = await clients.teacher.post(`/api/v1/groups/${g.id}/members`, { version: res.body.version, childIds: [kids[60]], joinedOn: '2025-03-03' }).expect(400);
    expect(full.body.error.code).toBe('group_full');
  });
});

type Variant = { label: string; body: string };
function variants(valid: Record<string, unknown>): Variant[] {
  const json = (o: unknown) => JSON.stringify(o);
  const out: Variant[] = [
    { label: 'malformed JSON', body: json(valid).slice(0, -3) },
    { label: 'an array', body: json([valid]) },
    { label: 'an unknown field', body: json({ ...valid, members: [] }) },
    { label: 'an oversized body', body: json({ ...valid, padding: 'x'.repeat(300_000) }) },
  ];
  for (const [key, value] of Object.entries(valid)) {
    out.push({ label: `${key} of the wrong type`, body: json({ ...valid, [key]: typeof value === 'number' ? 'seven' : 12345 }) });
    out.push({ label: `${key} as an operator`, body: json({ ...valid, [key]: { $gt: '' } }) });
    if (typeof value === 'string') out.push({ label: `${key} over-long`, body: json({ ...valid, [key]: 'x'.repeat(5_000) }) });
    if (Array.isArray(value)) out.push({ label: `${key} holding an operator`, body: json({ ...valid, [key]: [{ $ne: null }] }) });
  }
  return out;
}

describe('bad input is rejected and changes nothing', () => {
  let fixture: { groupId: string; version: number; childId: string; newChildId: string };
  beforeAll(async () => {
    const { group, child } = await groupWithMember('own');
    const c = await makeChild(world.schoolA.id);
    fixture = { groupId: group.id, version: group.version, childId: child.id, newChildId: c.id };
  });
  const endpoints: { name: string; url: () => string; method: 'post' | 'patch'; valid: () => Record<string, unknown> }[] = [
    { name: 'create group', method: 'post', url: () => '/api/v1/groups', valid: () => ({ schoolId: world.schoolA.id, name: 'N', activityCode: 'football', coachIds: [world.users.teacher.id] }) },
    { name: 'update group', method: 'patch', url: () => `/api/v1/groups/${fixture.groupId}`, valid: () => ({ version: fixture.version, name: 'N', activityCode: 'football', coachIds: [] }) },
    { name: 'add members', method: 'post', url: () => `/api/v1/groups/${fixture.groupId}/members`, valid: () => ({ version: fixture.version, childIds: [fixture.newChildId], joinedOn: '2025-03-10' }) },
    { name: 'end membership', method: 'post', url: () => `/api/v1/groups/${fixture.groupId}/members/leave`, valid: () => ({ version: fixture.version, childId: fixture.childId, leftOn: '2025-04-01' }) },
    { name: 'remove member', method: 'post', url: () => `/api/v1/groups/${fixture.groupId}/members/remove`, valid: () => ({ version: fixture.version, childId: fixture.childId }) },
  ];
  for (const endpoint of endpoints) {
    it(`when ${endpoint.name} receives bad input, then 4xx with a clear message and the database is unchanged`, async () => {
      const before = await databaseSnapshot();
      for (const v of variants(endpoint.valid())) {
        const res = await clients.teacher[endpoint.method](endpoint.url()).set('Content-Type', 'application/json').send(v.body);
        expect(res.status, `${endpoint.name}: ${v.label} → ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, v.label).toBeLessThan(500);
        expect(res.body.error.message.length, v.label).toBeGreaterThan(10);
      }
      for (const date of ['2025-02-30', '2025-3-3', '03/03/2025']) {
        const body = { ...endpoint.valid(), ...('joinedOn' in endpoint.valid() ? { joinedOn: date } : {}), ...('leftOn' in endpoint.valid() ? { leftOn: date } : {}) };
        if ('joinedOn' in body || 'leftOn' in body) await clients.teacher[endpoint.method](endpoint.url()).send(body).expect(400);
      }
      expect(await databaseSnapshot()).toEqual(before);
    });
  }

  it('when list filters are malformed or injected, then 400', async () => {
    for (const qs of ['schoolId=abc', 'childId[$ne]=x', 'pageSize=201', 'page=0', 'extra=1']) {
      const res = await clients.teacher.get(`/api/v1/groups?${qs}`);
      expect(res.status, qs).toBe(400);
    }
    await clients.teacher.get('/api/v1/groups/coaches').expect(400);
  });
});
