// Role × endpoint × own-school / other-school matrix. Each capability's test file lists its
// routes with the status every role must get; `describeAccessMatrix` runs them all and fails if a
// route under the file's prefixes is missing from its table. tests/api/route-ownership.test.ts
// checks that every route of the app falls under some matrix file's prefix.
import { describe, expect, it } from 'vitest';
import { routeRegistry } from '../../server/lib/route.ts';
import type { TestClient } from './app.ts';

export const everyone = ['anonymous', 'admin', 'teacher', 'counsellor', 'researcher'] as const;
export type Who = (typeof everyone)[number];
/** own = a school of the signed-in user (school A); other = a school they do not belong to (B). */
export type Target = 'own' | 'other' | 'none';

export interface MatrixCase {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** The route as registered, e.g. /api/v1/schools/:id */
  path: string;
  targets: Target[];
  /** Builds the URL and body for one call; may create what the call needs (fresh per call). */
  request(target: Target, who: Who): Promise<{ url: string; body?: unknown; headers?: Record<string, string> }>;
  expected: Record<Who, number | ((target: Target) => number)>;
}

export const adminOnly = (status: number): MatrixCase['expected'] => ({ anonymous: 401, admin: status, teacher: 403, counsellor: 403, researcher: 403 });

/** Allowed for `roles` on their own school (admins everywhere), 403 on another school, 403 for other roles. */
export function scoped(status: number, roles: readonly Exclude<Who, 'anonymous' | 'admin'>[]): MatrixCase['expected'] {
  const allowed = (t: Target) => (t === 'other' ? 403 : status);
  return {
    anonymous: 401,
    admin: status,
    teacher: roles.includes('teacher') ? allowed : 403,
    counsellor: roles.includes('counsellor') ? allowed : 403,
    researcher: roles.includes('researcher') ? allowed : 403,
  };
}

export function describeAccessMatrix(options: {
  prefixes: string[];
  cases: MatrixCase[];
  clients: () => Record<Who, TestClient>;
}) {
  describe('access matrix', () => {
    it(`when a route exists under ${options.prefixes.join(', ')}, then the matrix covers it`, () => {
      const covered = new Set(options.cases.map((c) => `${c.method.toUpperCase()} ${c.path}`));
      const missing = routeRegistry
        .filter((r) => options.prefixes.some((p) => r.path === p || r.path.startsWith(`${p}/`)))
        .map((r) => `${r.method.toUpperCase()} ${r.path}`)
        .filter((r) => !covered.has(r));
      expect(missing).toEqual([]);
    });

    for (const c of options.cases) {
      for (const target of c.targets) {
        for (const who of everyone) {
          const expectedFor = c.expected[who];
          const status = typeof expectedFor === 'function' ? expectedFor(target) : expectedFor;
          it(`when ${who} calls ${c.method.toUpperCase()} ${c.path} (${target} school), then ${status}`, async () => {
            const { url, body, headers } = await c.request(target, who);
            const client = options.clients()[who];
            let req = c.method === 'get' ? client.get(url) : c.method === 'delete' ? client.delete(url) : client[c.method === 'put' ? 'patch' : c.method](url);
            if (c.method === 'put') req = client.agent.put(url).set('X-CSRF-Token', client.csrfToken);
            for (const [k, v] of Object.entries(headers ?? {})) req = req.set(k, v);
            const res = c.method === 'get' || c.method === 'delete' ? await req : await req.send((body ?? {}) as object);
            expect(res.status, JSON.stringify(res.body)).toBe(status);
            if (status >= 400) expect(res.body.error.code).toMatch(/^[a-z_]+$/);
          });
        }
      }
    }
  });
}
