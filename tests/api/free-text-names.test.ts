// Issue 10 item 2: every free-text name field refuses control characters (newline, NUL, C1),
// bidi overrides/isolates, line separators and names made only of invisible characters or
// whitespace — 400 invalid_input with a message naming the field, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { School } from '../../server/modules/schools/model.ts';
import { databaseSnapshot, signedInClient, startTestApp, type TestClient } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let admin: TestClient;
let world: Awaited<ReturnType<typeof seedAccounts>>;

beforeAll(async () => {
  harness = await startTestApp();
  world = await seedAccounts();
  admin = await signedInClient(harness.app, 'admin');
});
afterAll(() => harness.stop());

const HOSTILE: Record<string, [string, RegExp]> = {
  'a newline with R code': ['Club\nsystem("rm -rf /")', /one line without control characters/],
  'a carriage return': ['Club\r', /control characters/],
  'NUL': ['Cl\u0000ub', /control characters/],
  'a C1 control (NEL)': ['Club\u0085x', /control characters/],
  'a tab': ['Club\tx', /control characters/],
  'a right-to-left override': ['Club\u202Eexe.txt', /text-direction/],
  'a bidi isolate': ['Club\u2066x\u2069', /text-direction/],
  'a line separator': ['Club\u2028x', /text-direction|separator/],
  'zero-width characters only': ['\u200B\u200D\uFEFF', /visible characters/],
  'whitespace only': ['  \u3000 ', /must not be empty|a name is required|visible/],
};

const instrument = (name: string) => ({
  definition: {
    code: 'HOSTILE_TEST',
    version: '1',
    name: { en: name, zh: '测试量表' },
    languages: ['zh-CN'],
    items: [{ number: 1 }, { number: 2 }],
    response: { min: 0, max: 4, labels: [{ value: 0, en: 'Never', zh: '从不' }] },
    scoring: 'sum',
    polarity: 'higher-is-better',
    maxMissingItems: 0,
    licenceNote: 'Test only.',
    domain: 'social-adaptation',
  },
});

interface Field {
  name: string;
  method: 'post' | 'patch';
  url: () => string;
  body: (value: string) => Promise<Record<string, unknown>> | Record<string, unknown>;
  path: string;
}

const fields: Field[] = [
  { name: 'school name', method: 'post', url: () => '/api/v1/schools', path: 'name', body: (v) => ({ name: v, region: 'Hunan', county: 'Xinhua', setting: 'rural' }) },
  { name: 'school region', method: 'post', url: () => '/api/v1/schools', path: 'region', body: (v) => ({ name: 'S', region: v, county: 'Xinhua', setting: 'rural' }) },
  {
    name: 'school name (edit)',
    method: 'patch',
    url: () => `/api/v1/schools/${world.schoolA.id}`,
    path: 'name',
    body: async (v) => ({ version: (await School.findById(world.schoolA.id).lean())!.version, name: v }),
  },
  { name: 'user display name', method: 'post', url: () => '/api/v1/users', path: 'displayName', body: (v) => ({ username: 'newuser', displayName: v, password: 'a sturdy passphrase 4 kids', role: 'counsellor', schoolIds: [world.schoolA.id] }) },
  {
    name: 'child name',
    method: 'post',
    url: () => '/api/v1/children',
    path: 'displayName',
    body: (v) => ({
      schoolId: world.schoolA.id, displayName: v, sex: 'female', birthYear: 2014, birthMonth: 3, grade: 4, className: '2', leftBehindStatus: 'none',
      monthsSinceSeparation: null, caregiver: 'mother', boarding: false, guardianConsentDate: '2024-09-01', childAssent: true,
    }),
  },
  {
    name: 'child class',
    method: 'post',
    url: () => '/api/v1/children',
    path: 'className',
    body: (v) => ({
      schoolId: world.schoolA.id, displayName: '王小明', sex: 'female', birthYear: 2014, birthMonth: 3, grade: 4, className: v, leftBehindStatus: 'none',
      monthsSinceSeparation: null, caregiver: 'mother', boarding: false, guardianConsentDate: '2024-09-01', childAssent: true,
    }),
  },
  { name: 'group name', method: 'post', url: () => '/api/v1/groups', path: 'name', body: (v) => ({ schoolId: world.schoolA.id, name: v, activityCode: 'rope-skipping' }) },
  {
    name: 'programme name',
    method: 'post',
    url: () => '/api/v1/programmes',
    path: 'name',
    body: (v) => ({ name: v, arm: 'intervention', startDate: '2026-03-02', plannedWeeks: 12, schoolIds: [world.schoolA.id] }),
  },
  { name: 'instrument name', method: 'post', url: () => '/api/v1/instruments', path: 'definition.name.en', body: (v) => instrument(v) },
];

describe('free-text names refuse control, bidi and invisible-only text', () => {
  for (const f of fields) {
    it(`when the ${f.name} is hostile, then 400 with a message naming the field for each kind, and nothing is written`, async () => {
      const before = await databaseSnapshot();
      for (const [label, [value, message]] of Object.entries(HOSTILE)) {
        // The class name may be empty: whitespace only is an empty class, not an error.
        if (f.path === 'className' && label === 'whitespace only') continue;
        const res = await admin[f.method](f.url(), await f.body(value));
        expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.error.code).toBe('invalid_input');
        expect(res.body.error.message, label).toContain(f.path);
        expect(res.body.error.message, label).toMatch(message);
      }
      expect(await databaseSnapshot()).toEqual(before);
    });
  }

  it('when names carry quotes, backslashes, pipes, periods, formulas or Chinese, then they are accepted as they are', async () => {
    const name = `"足球" 'club' \\ | *. =1+2 <b>`;
    const school = await admin.post('/api/v1/schools', { name, region: 'Hunan', county: 'Xinhua', setting: 'rural' }).expect(201);
    expect(school.body.name).toBe(name);
  });
});
