// The API reference: /api/openapi.json is a valid OpenAPI 3.1 document generated from the route
// table, it documents every route Express serves, and every example request shown on /api/docs
// works — the Python ones are run verbatim against the running app with a personal API token.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'csv-parse/sync';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokenLimits } from '../../shared/schemas/api-tokens.ts';
import { errorCatalog } from '../../server/lib/error-catalog.ts';
import { routeRegistry } from '../../server/lib/route.ts';
import { apiExamples } from '../../server/modules/api-docs/guide.ts';
import { openApiPath } from '../../server/modules/api-docs/openapi.ts';
import { describeAccessMatrix, everyone, type MatrixCase, type Who } from '../helpers/access-matrix.ts';
import { TestClient, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { seedStudyWorld } from './results-world.ts';

const run = promisify(execFile);

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedStudyWorld>>;
const clients = {} as Record<Who, TestClient>;
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>>; info: { description: string } };
type Operation = {
  operationId: string;
  summary: string;
  description: string;
  'x-permission': string;
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
  'x-codeSamples'?: { lang: string; source: string }[];
};
let doc: OpenApi;

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedStudyWorld();
  clients.anonymous = await new TestClient(app).init();
  for (const who of everyone.filter((w) => w !== 'anonymous')) clients[who] = await signedInClient(app, who);
  doc = (await supertest(app).get('/api/openapi.json').expect(200)).body as OpenApi;
});
afterAll(() => harness.stop());

const everyone200 = { anonymous: 200, admin: 200, teacher: 200, counsellor: 200, researcher: 200 };
const cases: MatrixCase[] = [
  { method: 'get', path: '/api/openapi.json', targets: ['none'], request: async () => ({ url: '/api/openapi.json' }), expected: everyone200 },
  { method: 'get', path: '/api/docs', targets: ['none'], request: async () => ({ url: '/api/docs' }), expected: everyone200 },
  { method: 'get', path: '/api/health', targets: ['none'], request: async () => ({ url: '/api/health' }), expected: everyone200 },
];
describeAccessMatrix({ prefixes: ['/api/openapi.json', '/api/docs', '/api/health'], cases, clients: () => clients });

/** Every (method, path) Express serves under /api, found by walking the app's router stack. */
function servedApiRoutes(): string[] {
  type Layer = { rawPath?: string; route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: Layer[] } };
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) out.push(`${method} ${prefix}${layer.route.path}`);
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, prefix + (layer.rawPath ?? ''));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out.filter((r) => r.split(' ')[1]!.startsWith('/api/'));
}

describe('OpenAPI document', () => {
  it('when the document is fetched, then it validates against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('when Express serves a route under /api, then the document describes it (method and path)', () => {
    const served = servedApiRoutes();
    expect(served.length).toBeGreaterThan(60);
    const missing = served.filter((r) => {
      const [method, expressPath] = r.split(' ') as [string, string];
      return !doc.paths[openApiPath(expressPath)]?.[method];
    });
    expect(missing).toEqual([]);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when a route is documented, then it has a summary, its permission and the error envelope with its codes', () => {
    for (const route of routeRegistry) {
      const op = doc.paths[openApiPath(route.path)]![route.method]!;
      expect(op.summary, route.path).toMatch(/\w/);
      expect(op['x-permission']).toBe(route.access);
      expect(op.description).toContain('**Access.**');
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const schema = response.content!['application/json']!.schema as { allOf: { $ref: string }[]; properties: { error: { properties: { code: { enum: string[] } } } } };
        expect(schema.allOf[0]!.$ref).toBe('#/components/schemas/ErrorEnvelope');
        for (const code of schema.properties.error.properties.code.enum) {
          expect(errorCatalog[code as keyof typeof errorCatalog].status).toBe(Number(status));
          expect(response.description).toContain(`\`${code}\``);
        }
      }
    }
  });

  it('when a route reads a school record, then 401, 403 and 404 are listed with their codes', () => {
    const op = doc.paths['/api/v1/schools/{id}']!.get!;
    expect(op['x-permission']).toBe('school:read');
    expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'id', in: 'path', required: true }));
    expect(op.responses['401']!.description).toContain('`token_expired`');
    expect(op.responses['403']!.description).toContain('`forbidden`');
    expect(op.responses['404']!.description).toContain('`not_found`');
    expect(doc.paths['/api/v1/schools/{id}']!.patch!.responses['409']!.description).toContain('`version_conflict`');
  });

  it('when a schema validates a request, then the document carries that same schema (limits, enums, required)', () => {
    const create = doc.paths['/api/v1/api-tokens']!.post!;
    const body = create.requestBody!.content['application/json']!.schema as { properties: Record<string, { maximum?: number; maxLength?: number }>; required: string[] };
    expect(body.properties.expiresInDays!.maximum).toBe(apiTokenLimits.lifetimeDaysMax);
    expect(body.properties.name!.maxLength).toBe(apiTokenLimits.nameMax);
    expect(body.required).toEqual(['name']);
    const success = create.responses['201']!.content!['application/json']!.schema as { properties: Record<string, unknown> };
    expect(Object.keys(success.properties)).toEqual(['token', 'apiToken']);
    const exportOp = doc.paths['/api/v1/exports/{format}']!.get!;
    expect(exportOp.parameters.find((p) => p.name === 'format')!.schema.enum).toContain('long.csv');
    expect(exportOp.parameters.find((p) => p.name === 'programmeIds')!.required).toBe(true);
    expect(Object.keys(exportOp.responses['200']!.content!)).toContain('text/csv; charset=utf-8');
    const save = doc.paths['/api/v1/sessions/{id}/log']!.put!;
    expect(save.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
  });

  it('when the reference page is opened, then it loads the bundled viewer from this server only', async () => {
    const page = await supertest(app).get('/api/docs').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['/api/docs/vendor/standalone.js', '/api/docs/assets/init.js']);
    for (const src of scripts) {
      const res = await supertest(app).get(src).expect(200);
      expect(res.headers['content-type']).toContain('javascript');
    }
    // No CDN: scripts and fetches stay same-origin under the app's usual CSP.
    const csp = String(page.headers['content-security-policy']).split(';');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
  });
});

describe('examples shown on /api/docs', () => {
  let server: http.Server;
  let baseUrl: string;
  let token: string;
  let workDir: string;

  beforeAll(async () => {
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const created = await clients.researcher.post('/api/v1/api-tokens', { name: 'R and Python scripts', expiresInDays: 30 }).expect(201);
    token = created.body.token as string;
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-examples-'));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  async function runPython(source: string) {
    const file = path.join(workDir, 'example.py');
    fs.writeFileSync(file, source);
    const env = { ...process.env, ACTIVEGROUPS_URL: baseUrl, ACTIVEGROUPS_TOKEN: token, PROGRAMME_ID: world.studies.intervention.programmeId };
    return run('python3', [file], { cwd: workDir, env, timeout: 60_000 });
  }

  it('when the reference is read, then it explains token use from R (httr2) and Python (requests) with each example', () => {
    expect(apiExamples.map((e) => e.id)).toEqual(['list-programmes', 'long-csv', 'results']);
    for (const example of apiExamples) {
      expect(doc.info.description).toContain(example.r);
      expect(doc.info.description).toContain(example.python);
      expect(example.r).toContain('req_auth_bearer_token(token)');
      expect(example.python).toContain('Authorization');
      const samples = doc.paths[example.path]![example.method]!['x-codeSamples']!;
      expect(samples.map((s) => s.lang)).toEqual(expect.arrayContaining(['R', 'Python']));
    }
  });

  it('when the "list programmes" example runs with a researcher token, then it prints the programmes of their school', async () => {
    const { stdout } = await runPython(apiExamples.find((e) => e.id === 'list-programmes')!.python);
    expect(stdout).toContain(`${world.studies.intervention.programmeId} 足球社团 Football club`);
    expect(stdout).not.toContain(world.studies.other.programmeId); // school B is not theirs
  });

  it('when the "long CSV" example runs with a researcher token, then it saves the same long CSV the app exports', async () => {
    const { stdout } = await runPython(apiExamples.find((e) => e.id === 'long-csv')!.python);
    expect(stdout.trim()).toBe('saved long.csv');
    const saved = fs.readFileSync(path.join(workDir, 'long.csv'));
    const viaApp = await clients.researcher.get(`/api/v1/exports/long.csv?programmeIds=${world.studies.intervention.programmeId}`).buffer(true);
    const rows = parse(saved.toString('utf8'), { bom: true }) as string[][];
    expect(rows[0]).toContain('child_code');
    expect(rows.length).toBeGreaterThan(24);
    expect(saved.toString('utf8')).toBe(viaApp.text);
  });

  it('when the "results" example runs with a researcher token, then it prints the result sections', async () => {
    const { stdout } = await runPython(apiExamples.find((e) => e.id === 'results')!.python);
    expect(stdout).toContain("'instrumentInfo'");
    expect(stdout).toContain("'programme'");
  });

  it('when an example runs with a revoked token, then the script fails with the 401 code', async () => {
    const created = await clients.researcher.post('/api/v1/api-tokens', { name: 'soon revoked' }).expect(201);
    await clients.researcher.post(`/api/v1/api-tokens/${created.body.apiToken.id}/revoke`).expect(200);
    const file = path.join(workDir, 'revoked.py');
    fs.writeFileSync(file, apiExamples.find((e) => e.id === 'results')!.python);
    const env = { ...process.env, ACTIVEGROUPS_URL: baseUrl, ACTIVEGROUPS_TOKEN: created.body.token as string, PROGRAMME_ID: world.studies.intervention.programmeId };
    await expect(run('python3', [file], { cwd: workDir, env, timeout: 60_000 })).rejects.toMatchObject({ stderr: expect.stringContaining('401 token_revoked') });
  });
});
