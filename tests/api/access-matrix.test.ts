// Role × endpoint × own-school / other-school for the foundation routes (auth, schools, users, audit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchool } from '../../server/modules/schools/service.ts';
import { School } from '../../server/modules/schools/model.ts';
import { User } from '../../server/modules/users/model.ts';
import { PASSWORD, TestClient, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { adminOnly, describeAccessMatrix, everyone, scoped, type MatrixCase, type Target, type Who } from '../helpers/access-matrix.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedAccounts>>;
const clients = {} as Record<Who, TestClient>;
const adminActor = () => ({ id: world.users.admin.id, username: 'admin', role: 'admin' as const, schoolIds: [] });

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedAccounts();
  clients.anonymous = await new TestClient(app).init();
  for (const who of everyone.filter((w) => w !== 'anonymous')) clients[who] = await signedInClient(app, who);
});
afterAll(() => harness.stop());

const schoolOf = (target: Target) => (target === 'other' ? world.schoolB : world.schoolA);

const cases: MatrixCase[] = [
  {
    method: 'get',
    path: '/api/v1/auth/session',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/auth/session' }),
    expected: { anonymous: 200, admin: 200, teacher: 200, counsellor: 200, researcher: 200 },
  },
  {
    method: 'post',
    path: '/api/v1/auth/setup',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/auth/setup', body: { username: 'second', displayName: 'X', password: PASSWORD } }),
    expected: { anonymous: 409, admin: 409, teacher: 409, counsellor: 409, researcher: 409 },
  },
  {
    method: 'post',
    path: '/api/v1/auth/login',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/auth/login', body: { username: 'nobody', password: 'not the password' } }),
    expected: { anonymous: 401, admin: 401, teacher: 401, counsellor: 401, researcher: 401 },
  },
  {
    method: 'get',
    path: '/api/v1/schools/',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/schools' }),
    expected: { anonymous: 401, admin: 200, teacher: 200, counsellor: 200, researcher: 200 },
  },
  {
    method: 'post',
    path: '/api/v1/schools/',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/schools', body: { name: 'New', region: 'R', county: 'C', setting: 'urban' } }),
    expected: adminOnly(201),
  },
  {
    method: 'get',
    path: '/api/v1/schools/:id',
    targets: ['own', 'other'],
    request: async (t) => ({ url: `/api/v1/schools/${schoolOf(t).id}` }),
    expected: scoped(200, ['teacher', 'counsellor', 'researcher']),
  },
  {
    method: 'patch',
    path: '/api/v1/schools/:id',
    targets: ['own', 'other'],
    request: async (t) => {
      const school = await School.findById(schoolOf(t).id).lean();
      return { url: `/api/v1/schools/${school!._id}`, body: { version: school!.version, county: `County ${school!.version}` } };
    },
    expected: adminOnly(200),
  },
  {
    method: 'delete',
    path: '/api/v1/schools/:id',
    targets: ['none'],
    request: async () => {
      const doomed = await createSchool(adminActor(), { name: 'Doomed', region: 'R', county: 'C', setting: 'rural', timeZone: 'Asia/Shanghai' });
      return { url: `/api/v1/schools/${doomed.id}?version=${doomed.version}` };
    },
    expected: adminOnly(204),
  },
  { method: 'get', path: '/api/v1/users/', targets: ['none'], request: async () => ({ url: '/api/v1/users' }), expected: adminOnly(200) },
  {
    method: 'post',
    path: '/api/v1/users/',
    targets: ['none'],
    request: async () => ({
      url: '/api/v1/users',
      body: { username: `u${Math.random().toString(36).slice(2, 10)}`, displayName: 'New', password: PASSWORD, role: 'pe_teacher', schoolIds: [world.schoolA.id] },
    }),
    expected: adminOnly(201),
  },
  {
    method: 'get',
    path: '/api/v1/users/:id',
    targets: ['none'],
    request: async () => ({ url: `/api/v1/users/${world.users.teacher.id}` }),
    expected: adminOnly(200),
  },
  {
    method: 'patch',
    path: '/api/v1/users/:id',
    targets: ['none'],
    request: async () => {
      const user = await User.findOne({ username: 'researcher' }).lean();
      return { url: `/api/v1/users/${user!._id}`, body: { version: user!.version, displayName: `R${user!.version}` } };
    },
    expected: adminOnly(200),
  },
  { method: 'get', path: '/api/v1/audit/', targets: ['none'], request: async () => ({ url: '/api/v1/audit' }), expected: adminOnly(200) },
  // Logout last: it ends the sessions the other cases use.
  {
    method: 'post',
    path: '/api/v1/auth/logout',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/auth/logout' }),
    expected: { anonymous: 204, admin: 204, teacher: 204, counsellor: 204, researcher: 204 },
  },
];

describeAccessMatrix({ prefixes: ['/api/v1/auth', '/api/v1/schools', '/api/v1/users', '/api/v1/audit'], cases, clients: () => clients });

describe('school scoping of lists', () => {
  it('when a non-admin lists schools, then only their own schools are in the list', async () => {
    const teacher = await signedInClient(app, 'teacher');
    const res = await teacher.get('/api/v1/schools').expect(200);
    expect(res.body.items.map((s: { id: string }) => s.id)).toEqual([world.schoolA.id]);
  });
});
