import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { inject } from 'vitest';
import { startTestApp } from '../helpers/app.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  harness = await startTestApp();
});
afterAll(() => harness.stop());

describe('health and unknown API paths', () => {
  it('when asked, then health reports status, engine and version', async () => {
    const res = await supertest(harness.app).get('/api/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.database.engine).toBe(inject('dbEngine'));
    expect(res.body.database.version).toMatch(/^\d+\.\d+/);
    if (inject('dbEngine') === 'ferretdb') expect(res.body.database.ferretdbVersion).toBe('1.24.2');
  });

  it('when an API path does not exist, then a JSON 404 names it', async () => {
    const res = await supertest(harness.app).get('/api/v1/nothing-here?x=1').expect(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'No API endpoint GET /api/v1/nothing-here.' } });
  });

  it('when a response is sent, then security headers are set', async () => {
    const res = await supertest(harness.app).get('/api/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
