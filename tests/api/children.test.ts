// Children roster API: role × school matrix, code generation, filters, rules, version conflicts,
// deactivation and deletion, audit, and bad input that must change nothing.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { Child } from '../../server/modules/children/model.ts';
import { previewRosterImport } from '../../server/modules/children/import.ts';
import { createChild, deactivateChild } from '../../server/modules/children/service.ts';
import { Group } from '../../server/modules/groups/model.ts';
import { addMembers, createGroup } from '../../server/modules/groups/service.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import type { Actor } from '../../server/lib/policy.ts';
import { TestClient, databaseSnapshot, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { describeAccessMatrix, everyone, scoped, type MatrixCase, type Target, type Who } from '../helpers/access-matrix.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedAccounts>>;
const clients = {} as Record<Who, TestClient>;
const actors = {} as Record<'admin' | 'teacher' | 'counsellor' | 'researcher', Actor>;

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedAccounts();
  for (const who of ['admin', 'teacher', 'counsellor', 'researcher'] as const) {
    const u = world.users[who];
    actors[who] = { id: u.id, username: u.username, role: u.role, schoolIds: u.schoolIds };
  }
  clients.anonymous = await new TestClient(app).init();
  for (const who of everyone.filter((w) => w !== 'anonymous')) clients[who] = await signedInClient(app, who);
});
afterAll(() => harness.stop());

const schoolOf = (target: Target) => (target === 'other' ? world.schoolB : world.schoolA);
let serial = 0;
/** A valid child; each call a different name so none is a duplicate of another. */
function childBody(schoolId: string, overrides: Record<string, unknown> = {}) {
  serial += 1;
  return {
    schoolId,
    displayName: `测试儿童${serial}`,
    sex: serial % 2 ? 'female' : 'male',
    birthYear: 2014,
    birthMonth: (serial % 12) + 1,
    grade: 4,
    className: '2',
    leftBehindStatus: 'both_parents_away',
    monthsSinceSeparation: 30,
    caregiver: 'grandparents',
    boarding: false,
    guardianConsentDate: '2024-09-01',
    childAssent: true,
    ...overrides,
  };
}
const makeChild = (target: Target, overrides: Record<string, unknown> = {}) =>
  createChild(actors.admin, childBody(schoolOf(target).id, overrides) as Parameters<typeof createChild>[1]);

const csvFor = () => `姓名,性别,出生年份,出生月份,年级,班级,留守情况,分离月数,主要照顾者\n矩阵${++serial},女,2014,5,4,1,无,,母亲\n`;

const writers = ['teacher', 'counsellor'] as const;
const cases: MatrixCase[] = [
  {
    method: 'get',
    path: '/api/v1/children/',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/children?schoolId=${schoolOf(t).id}` }),
    expected: scoped(200, writers),
  },
  {
    method: 'get',
    path: '/api/v1/children/',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/children' }),
    expected: { anonymous: 401, admin: 200, teacher: 200, counsellor: 200, researcher: 403 },
  },
  {
    method: 'post',
    path: '/api/v1/children/',
    targets: ['own', 'other'],
    request: async (t) => ({ url: '/api/v1/children', body: childBody(schoolOf(t).id) }),
    expected: scoped(201, writers),
  },
  {
    method: 'get',
    path: '/api/v1/children/import/template',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/children/import/template?lang=en' }),
    expected: { anonymous: 401, admin: 200, teacher: 200, counsellor: 200, researcher: 403 },
  },
  {
    method: 'post',
    path: '/api/v1/children/import/preview',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/children/import/preview?schoolId=${schoolOf(t).id}`, body: csvFor(), headers: { 'Content-Type': 'text/csv' } }),
    expected: scoped(200, writers),
  },
  {
    method: 'post',
    path: '/api/v1/children/import/confirm',
    targets: ['own', 'other'],
    request: async (t, who) => {
      // The preview belongs to the caller where they may preview (confirm is for its author only).
      const by = t === 'own' && (who === 'teacher' || who === 'counsellor') ? actors[who] : actors.admin;
      const preview = await previewRosterImport(by, schoolOf(t).id, csvFor());
      return { url: '/api/v1/children/import/confirm', body: { token: preview.token } };
    },
    expected: scoped(200, writers),
  },
  {
    method: 'get',
    path: '/api/v1/children/:id',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/children/${(await makeChild(t)).id}?version=0` }),
    expected: scoped(200, writers),
  },
  {
    method: 'patch',
    path: '/api/v1/children/:id',
    targets: ['own', 'other'],
    request: async (t) => {
      const c = await makeChild(t);
      return { url: `/api/v1/children/${c.id}`, body: { version: c.version, className: '3' } };
    },
    expected: scoped(200, writers),
  },
  {
    method: 'post',
    path: '/api/v1/children/:id/deactivate',
    targets: ['own', 'other'],
    request: async (t) => {
      const c = await makeChild(t);
      return { url: `/api/v1/children/${c.id}/deactivate`, body: { version: c.version } };
    },
    expected: scoped(200, writers),
  },
  {
    method: 'post',
    path: '/api/v1/children/:id/reactivate',
    targets: ['own', 'other'],
    request: async (t) => {
      const c = await makeChild(t);
      const d = await deactivateChild(actors.admin, c.id, { version: c.version });
      return { url: `/api/v1/children/${c.id}/reactivate`, body: { version: d.version } };
    },
    expected: scoped(200, writers),
  },
  {
    method: 'delete',
    path: '/api/v1/children/:id',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/children/${(await makeChild(t)).id}?version=0` }),
    expected: scoped(204, writers),
  },
];

describeAccessMatrix({ prefixes: ['/api/v1/children'], cases, clients: () => clients });

describe('pseudonymous codes', () => {
  it('when children are created, then each gets <school code>-<4 digits> from its own school counter', async () => {
    const a1 = await makeChild('own');
    const a2 = await makeChild('own');
    const b1 = await makeChild('other');
    expect(a1.code).toMatch(new RegExp(`^${world.schoolA.code}-\\d{4}$`));
    expect(b1.code).toMatch(new RegExp(`^${world.schoolB.code}-\\d{4}$`));
    expect(Number(a2.code.slice(-4))).toBe(Number(a1.code.slice(-4)) + 1);
  });

  it('when a child is deleted, then its code is never given to a later child', async () => {
    const doomed = await makeChild('own');
    await clients.teacher.delete(`/api/v1/children/${doomed.id}?version=0`).expect(204);
    const next = await makeChild('own');
    expect(next.code).not.toBe(doomed.code);
    expect(Number(next.code.slice(-4))).toBeGreaterThan(Number(doomed.code.slice(-4)));
    expect(await Child.countDocuments({ code: doomed.code })).toBe(0);
  });

  it('when a create is refused, then no code is burnt into a child and the counter only moves forward', async () => {
    const before = await makeChild('own');
    await clients.teacher.post('/api/v1/children', childBody(world.schoolA.id, { leftBehindStatus: 'none', monthsSinceSeparation: 12 })).expect(400);
    const after = await makeChild('own');
    expect(Number(after.code.slice(-4))).toBe(Number(before.code.slice(-4)) + 1);
  });
});

describe('create, read and update', () => {
  it('when a teacher creates a child, then the API returns every field and the audit records it', async () => {
    const body = childBody(world.schoolA.id, { displayName: '  王  小明 ', boarding: true });
    const res = await clients.teacher.post('/api/v1/children', body).expect(201);
    expect(res.body).toMatchObject({ displayName: '王 小明', schoolId: world.schoolA.id, sex: body.sex, boarding: true, active: true, version: 0 });
    const audit = await AuditEvent.findOne({ entity: 'child', entityId: res.body.id, action: 'create' }).lean();
    expect(audit?.after).toMatchObject({ code: res.body.code, displayName: '王 小明' });
  });

  it('when a parent is away and months since separation are missing, then 400 names the field and nothing is created', async () => {
    const before = await databaseSnapshot();
    const res = await clients.teacher.post('/api/v1/children', childBody(world.schoolA.id, { monthsSinceSeparation: null })).expect(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'monthsSinceSeparation', message: 'required when a parent is away' })]));
    await clients.teacher.post('/api/v1/children', childBody(world.schoolA.id, { leftBehindStatus: 'none' })).expect(400);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when the consent date is in the future or the birth year is implausible, then 400', async () => {
    const before = await databaseSnapshot();
    const future = `${new Date().getUTCFullYear() + 1}-01-01`;
    const r1 = await clients.teacher.post('/api/v1/children', childBody(world.schoolA.id, { guardianConsentDate: future })).expect(400);
    expect(r1.body.error.message).toContain('guardianConsentDate');
    const r2 = await clients.teacher.post('/api/v1/children', childBody(world.schoolA.id, { birthYear: new Date().getUTCFullYear() - 1 })).expect(400);
    expect(r2.body.error.message).toContain('birthYear');
    await clients.teacher.post('/api/v1/children', childBody(world.schoolA.id, { guardianConsentDate: '2024-02-30' })).expect(400);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when the same child (name, birth year/month, class) is entered twice, then 409 duplicate_child names the existing code', async () => {
    const body = childBody(world.schoolA.id, { displayName: '李 雷', className: '3班' });
    const first = await clients.teacher.post('/api/v1/children', body).expect(201);
    const res = await clients.teacher.post('/api/v1/children', { ...body, displayName: '李雷', className: '3' }).expect(409);
    expect(res.body.error.code).toBe('duplicate_child');
    expect(res.body.error.details.existing.code).toBe(first.body.code);
  });

  it('when two people edit the same child, then the second gets 409 with the current child and nothing is overwritten', async () => {
    const c = await makeChild('own');
    await clients.teacher.patch(`/api/v1/children/${c.id}`, { version: c.version, className: '5' }).expect(200);
    const stale = await clients.counsellor.patch(`/api/v1/children/${c.id}`, { version: c.version, className: '6' }).expect(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(stale.body.error.details.current).toMatchObject({ id: c.id, className: '5', version: c.version + 1 });
    expect((await Child.findById(c.id).lean())?.className).toBe('5');
  });

  it('when an update would break a rule on the merged record, then 400 and the child is unchanged', async () => {
    const c = await makeChild('own');
    const before = await Child.findById(c.id).lean();
    const res = await clients.teacher.patch(`/api/v1/children/${c.id}`, { version: c.version, leftBehindStatus: 'none' }).expect(400);
    expect(res.body.error.message).toContain('monthsSinceSeparation');
    expect(await Child.findById(c.id).lean()).toEqual(before);
    const ok = await clients.teacher.patch(`/api/v1/children/${c.id}`, { version: c.version, leftBehindStatus: 'none', monthsSinceSeparation: null }).expect(200);
    expect(ok.body).toMatchObject({ leftBehindStatus: 'none', monthsSinceSeparation: null, version: c.version + 1 });
    const audit = await AuditEvent.findOne({ entity: 'child', entityId: c.id, action: 'update' }).lean();
    expect(audit?.before).toMatchObject({ leftBehindStatus: 'both_parents_away' });
    expect(audit?.after).toMatchObject({ leftBehindStatus: 'none' });
  });

  it('when a child of another school is read by id, then 403; an unknown id is 404', async () => {
    const b = await makeChild('other');
    await clients.teacher.get(`/api/v1/children/${b.id}`).expect(403);
    await clients.teacher.get(`/api/v1/children/${new mongoose.Types.ObjectId()}`).expect(404);
  });
});

describe('list filters and paging', () => {
  it('when the roster is filtered by grade, class, left-behind status, activity and name, then only matching children come back', async () => {
    const { schoolB } = world;
    const mk = (o: Record<string, unknown>) => createChild(actors.admin, childBody(schoolB.id, o) as Parameters<typeof createChild>[1]);
    const zhang = await mk({ displayName: '张三丰', grade: 6, className: '1', leftBehindStatus: 'none', monthsSinceSeparation: null, birthYear: 2013 });
    await mk({ displayName: '张小凡', grade: 6, className: '2', birthYear: 2013 });
    const li = await mk({ displayName: 'Li Wei', grade: 5, className: '1' });
    await deactivateChild(actors.admin, li.id, { version: li.version });
    const ids = async (qs: string) =>
      (await clients.admin.get(`/api/v1/children?schoolId=${schoolB.id}&${qs}`).expect(200)).body.items.map((c: { displayName: string }) => c.displayName);
    expect(await ids('grade=6')).toEqual(['张三丰', '张小凡']);
    expect(await ids('grade=6&className=1')).toEqual(['张三丰']);
    expect(await ids('leftBehindStatus=none&grade=6')).toEqual(['张三丰']);
    expect(await ids('q=张')).toEqual(['张三丰', '张小凡']);
    expect(await ids('q=li%20w')).toEqual([]); // inactive children are hidden by default
    expect(await ids('q=li%20w&active=all')).toEqual(['Li Wei']);
    expect(await ids('active=false')).toContain('Li Wei');
    expect(await ids(`q=${zhang.code}`)).toEqual(['张三丰']);
    expect(await ids('q=.*')).toEqual([]); // the search text is literal, not a pattern
    const page = await clients.admin.get(`/api/v1/children?schoolId=${schoolB.id}&grade=6&pageSize=1&page=2`).expect(200);
    expect(page.body).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(page.body.items.map((c: { displayName: string }) => c.displayName)).toEqual(['张小凡']);
  });

  it('when a teacher lists without a school, then only children of their schools come back', async () => {
    await makeChild('other');
    const res = await clients.teacher.get('/api/v1/children?pageSize=500&active=all').expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(new Set(res.body.items.map((c: { schoolId: string }) => c.schoolId))).toEqual(new Set([world.schoolA.id]));
  });

  it('when list filters are malformed or injected, then 400 and nothing listed', async () => {
    for (const qs of ['grade=13', 'grade[$gt]=0', 'active=maybe', 'leftBehindStatus=some', 'pageSize=501', 'page=0', 'schoolId=abc', `q=${'x'.repeat(81)}`, 'q=a&q=b', 'unknown=1']) {
      const res = await clients.teacher.get(`/api/v1/children?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.error.code, qs).toBe('invalid_input');
    }
  });
});

describe('deactivate, reactivate and delete', () => {
  it('when a child in a group is deactivated, then the child is kept, hidden from the active roster, and its open membership ends that day', async () => {
    const c = await makeChild('own');
    const group = await createGroup(actors.admin, { schoolId: world.schoolA.id, name: 'Deactivation FC', activityCode: 'football', coachIds: [] });
    await addMembers(actors.admin, group.id, { version: group.version, childIds: [c.id], joinedOn: '2025-03-03' });
    const res = await clients.teacher.post(`/api/v1/children/${c.id}/deactivate`, { version: c.version, leftOn: '2025-04-30' }).expect(200);
    expect(res.body).toMatchObject({ active: false, deactivatedOn: '2025-04-30', endedMemberships: 1 });
    const g = await Group.findById(group.id).lean();
    expect(g?.members).toEqual([expect.objectContaining({ joinedOn: '2025-03-03', leftOn: '2025-04-30' })]);
    await clients.teacher.post(`/api/v1/children/${c.id}/deactivate`, { version: res.body.version }).expect(409);
    const back = await clients.teacher.post(`/api/v1/children/${c.id}/reactivate`, { version: res.body.version }).expect(200);
    expect(back.body).toMatchObject({ active: true, deactivatedOn: null });
  });

  it('when a child has a group membership, a register entry or an assessment, then delete is 409 child_has_data and the child stays', async () => {
    const inGroup = await makeChild('own');
    const group = await createGroup(actors.admin, { schoolId: world.schoolA.id, name: 'Keepers', activityCode: 'running', coachIds: [] });
    await addMembers(actors.admin, group.id, { version: group.version, childIds: [inGroup.id], joinedOn: '2025-03-03' });
    const r1 = await clients.teacher.delete(`/api/v1/children/${inGroup.id}?version=0`).expect(409);
    expect(r1.body.error.code).toBe('child_has_data');
    expect(r1.body.error.details).toMatchObject({ groups: 1 });

    const onRegister = await makeChild('own');
    await Session.create({
      programmeId: new mongoose.Types.ObjectId(),
      groupId: new mongoose.Types.ObjectId(),
      schoolId: world.schoolA.id,
      date: '2025-03-04',
      startTime: '16:00',
      plannedMinutes: 40,
      status: 'held',
      register: [{ childId: onRegister.id, status: 'present' }],
    });
    const r2 = await clients.teacher.delete(`/api/v1/children/${onRegister.id}?version=0`).expect(409);
    expect(r2.body.error.details).toMatchObject({ sessions: 1 });
    expect(await Child.countDocuments({ _id: { $in: [inGroup.id, onRegister.id] } })).toBe(2);
    const got = await clients.teacher.get(`/api/v1/children/${inGroup.id}`).expect(200);
    expect(got.body).toMatchObject({ hasData: true, memberships: [expect.objectContaining({ groupName: 'Keepers', joinedOn: '2025-03-03', leftOn: null })] });
  });

  it('when a child without data is deleted, then it is gone and the audit keeps the record before', async () => {
    const c = await makeChild('own');
    expect((await clients.teacher.get(`/api/v1/children/${c.id}`).expect(200)).body.hasData).toBe(false);
    await clients.teacher.delete(`/api/v1/children/${c.id}?version=0`).expect(204);
    await clients.teacher.get(`/api/v1/children/${c.id}`).expect(404);
    const audit = await AuditEvent.findOne({ entity: 'child', entityId: c.id, action: 'delete' }).lean();
    expect(audit?.before).toMatchObject({ code: c.code });
  });
});

type Variant = { label: string; body: string };
function variants(valid: Record<string, unknown>): Variant[] {
  const json = (o: unknown) => JSON.stringify(o);
  const out: Variant[] = [
    { label: 'malformed JSON', body: json(valid).slice(0, -3) },
    { label: 'an array', body: json([valid]) },
    { label: 'an unknown field', body: json({ ...valid, active: true, isAdmin: true }) },
    { label: 'an oversized body', body: json({ ...valid, padding: 'x'.repeat(300_000) }) },
  ];
  for (const [key, value] of Object.entries(valid)) {
    out.push({ label: `${key} of the wrong type`, body: json({ ...valid, [key]: typeof value === 'number' ? 'seven' : 12345 }) });
    out.push({ label: `${key} as an operator`, body: json({ ...valid, [key]: { $gt: '' } }) });
    if (typeof value === 'string') out.push({ label: `${key} over-long`, body: json({ ...valid, [key]: 'x'.repeat(5_000) }) });
    if (typeof value === 'number') out.push({ label: `${key} out of range`, body: json({ ...valid, [key]: -1 }) });
  }
  return out;
}

describe('bad input is rejected and changes nothing', () => {
  const endpoints: { name: string; method: 'post' | 'patch'; url: () => Promise<string>; valid: () => Promise<Record<string, unknown>> }[] = [
    { name: 'create child', method: 'post', url: async () => '/api/v1/children', valid: async () => childBody(world.schoolA.id) },
    {
      name: 'update child',
      method: 'patch',
      url: async () => `/api/v1/children/${(await Child.findOne({ schoolId: world.schoolA.id, active: true }).lean())!._id}`,
      valid: async () => {
        const c = (await Child.findOne({ schoolId: world.schoolA.id, active: true }).lean())!;
        const { schoolId: _s, ...fields } = childBody(world.schoolA.id);
        return { version: c.version, ...fields };
      },
    },
    {
      name: 'deactivate child',
      method: 'post',
      url: async () => `/api/v1/children/${(await Child.findOne({ schoolId: world.schoolA.id, active: true }).lean())!._id}/deactivate`,
      valid: async () => ({ version: (await Child.findOne({ schoolId: world.schoolA.id, active: true }).lean())!.version, leftOn: '2025-06-30' }),
    },
    { name: 'confirm import', method: 'post', url: async () => '/api/v1/children/import/confirm', valid: async () => ({ token: 'a'.repeat(32) }) },
  ];
  for (const endpoint of endpoints) {
    it(`when ${endpoint.name} receives bad input, then 4xx with a clear message and the database is unchanged`, async () => {
      await makeChild('own');
      const valid = await endpoint.valid();
      const url = await endpoint.url();
      const before = await databaseSnapshot();
      for (const v of variants(valid)) {
        const res = await clients.teacher[endpoint.method](url).set('Content-Type', 'application/json').send(v.body);
        expect(res.status, `${endpoint.name}: ${v.label} → ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, v.label).toBeLessThan(500);
        expect(res.body.error.message.length, v.label).toBeGreaterThan(10);
      }
      expect(await databaseSnapshot()).toEqual(before);
    });
  }

  it('when a path id is not an id, then 400', async () => {
    const res = await clients.teacher.get('/api/v1/children/not-an-id').expect(400);
    expect(res.body.error.message).toBe('Invalid path: id: must be a 24-character id');
    await clients.teacher.patch('/api/v1/children/{"$gt":""}', { version: 0 }).expect(400);
  });
});
