// Role × endpoint × own-school / other-school: every route of the app is listed here with the
// statuses each role must get, and the test fails if a route exists that this table does not cover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeRegistry } from '../../server/lib/route.ts';
import { createSchool } from '../../server/modules/schools/service.ts';
import { School } from '../../server/modules/schools/model.ts';
import { User } from '../../server/modules/users/model.ts';
import { PASSWORD, TestClient, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

type Who = 'anonymous' | 'admin' | 'teacher' | 'counsellor' | 'researcher';
type Target = 'own' | 'other' | 'none';

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
  for (const who of ['admin', 'teacher', 'counsellor', 'researcher'] as const) clients[who] = await signedInClient(app, who);
});
afterAll(() => harness.stop());

const schoolOf = (target: Target) => (target === 'other' ? world.schoolB : world.schoolA);

interface Case {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  targets: Target[];
  /** Builds the request URL and body; may create what the request needs. */
  request(target: Target): Promise<{ url: string; body?: unknown }>;
  expected: Record<Who, number | ((target: Target) => number)>;
}

const adminOnly = (status: number): Case['expected'] => ({ anonymous: 401, admin: status, teacher: 403, counsellor: 403, researcher: 403 });
const ownSchoolOnly = (status: number): Case['expected'] => {
  const scoped = (t: Target) => (t === 'other' ? 403 : status);
  return { anonymous: 401, admin: status, teacher: scoped, counsellor: scoped, researcher: scoped };
};

const cases: Case[] = [
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
    expected: ownSchoolOnly(200),
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
      return { url: `/api/v1/schools/${doomed.id}` };
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

describe('access matrix', () => {
  it('when a route exists, then the matrix covers it', () => {
    const covered = new Set(cases.map((c) => `${c.method.toUpperCase()} ${c.path}`));
    const missing = routeRegistry.map((r) => `${r.method.toUpperCase()} ${r.path}`).filter((r) => !covered.has(r));
    expect(missing).toEqual([]);
  });

  for (const c of cases) {
    for (const target of c.targets) {
      for (const who of ['anonymous', 'admin', 'teacher', 'counsellor', 'researcher'] as const) {
        const expectedFor = c.expected[who];
        const status = typeof expectedFor === 'function' ? expectedFor(target) : expectedFor;
        it(`when ${who} calls ${c.method.toUpperCase()} ${c.path} (${target} school), then ${status}`, async () => {
          const { url, body } = await c.request(target);
          const client = clients[who];
          const res =
            c.method === 'get' ? await client.get(url) : c.method === 'delete' ? await client.delete(url) : await client[c.method](url, body ?? {});
          expect(res.status, JSON.stringify(res.body)).toBe(status);
          if (status >= 400) expect(res.body.error.code).toMatch(/^[a-z_]+$/);
        });
      }
    }
  }

  it('when a non-admin lists schools, then only their own schools are in the list', async () => {
    const teacher = await signedInClient(app, 'teacher');
    const res = await teacher.get('/api/v1/schools').expect(200);
    expect(res.body.items.map((s: { id: string }) => s.id)).toEqual([world.schoolA.id]);
  });
});
