// Every route of the app falls under a prefix whose access-matrix test file lists it.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { routeRegistry } from '../../server/lib/route.ts';
import { pino } from 'pino';

/** Prefix → the test file whose describeAccessMatrix covers it. Add a line with every new module. */
export const matrixFiles: Record<string, string> = {
  '/api/v1/auth': 'tests/api/access-matrix.test.ts',
  '/api/v1/schools': 'tests/api/access-matrix.test.ts',
  '/api/v1/users': 'tests/api/access-matrix.test.ts',
  '/api/v1/audit': 'tests/api/access-matrix.test.ts',
  '/api/v1/results': 'tests/api/results.test.ts',
  '/api/v1/exports': 'tests/api/exports.test.ts',
  '/api/v1/instruments': 'tests/api/privacy.test.ts',
  '/api/v1/programme-waves': 'tests/api/privacy.test.ts',
  '/api/v1/assessments': 'tests/api/privacy.test.ts',
  '/api/v1/worklist': 'tests/api/privacy.test.ts',
  '/api/v1/children': 'tests/api/children.test.ts',
  '/api/v1/groups': 'tests/api/groups.test.ts',
  '/api/v1/sessions': 'tests/api/sessions.test.ts',
  '/api/v1/delivery': 'tests/api/delivery.test.ts',
  '/api/v1/programmes': 'tests/api/programmes.test.ts',
  '/api/v1/schedule': 'tests/api/schedule.test.ts',
  '/api/v1/api-tokens': 'tests/api/api-tokens.test.ts',
  '/api/openapi.json': 'tests/api/api-docs.test.ts',
  '/api/docs': 'tests/api/api-docs.test.ts',
  '/api/health': 'tests/api/api-docs.test.ts',
};

describe('route ownership', () => {
  it('when the app is built, then every route belongs to a prefix with an access matrix', () => {
    createApp({ sessionSecret: 'x'.repeat(40), engine: 'ferretdb', logger: pino({ level: 'silent' }) });
    const prefixes = Object.keys(matrixFiles);
    const orphans = routeRegistry.map((r) => r.path).filter((p) => !prefixes.some((x) => p === x || p.startsWith(`${x}/`)));
    expect(routeRegistry.length).toBeGreaterThan(10);
    expect(orphans).toEqual([]);
  });
});
