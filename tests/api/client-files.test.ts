// Serving the built client and compressing the API (issue 11 part 3): precompressed copies
// written by the build plugin, chosen by Accept-Encoding, never stale; cache headers; source maps
// only on request; API JSON compressed above 1 kB. Bytes are read raw (node:http), undecoded.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompress } from '../../client/build/precompress.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { startTestApp } from '../helpers/app.ts';
import { seedBuiltInInstruments } from '../../server/modules/instruments/service.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-client-files-'));
const script = `export const texts = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `text number ${i}`))};\n`;
const files: Record<string, string> = {
  'index.html': `<!doctype html><html><head><script type="module" src="/assets/main-AbC123.js"></script></head><body>${'<p>ActiveGroups</p>'.repeat(80)}</body></html>`,
  'assets/main-AbC123.js': script,
  'assets/main-AbC123.js.map': '{"version":3,"sources":[],"mappings":""}',
  'assets/tiny-Zz9.js': 'export {};\n',
  'assets/old-Yy8.js': script,
};

async function writeBuild() {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  // The real plugin, as `vite build` runs it after writing the bundle.
  const plugin = precompress();
  const writeBundle = plugin.writeBundle as (output: { dir: string }, bundle: Record<string, unknown>) => Promise<void>;
  await writeBundle.call({}, { dir }, Object.fromEntries(Object.keys(files).map((name) => [name, {}])));
}

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function rawGet(base: string, urlPath: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${urlPath}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

function decode(raw: Raw): string {
  const encoding = raw.headers['content-encoding'];
  if (encoding === 'br') return zlib.brotliDecompressSync(raw.body).toString();
  if (encoding === 'gzip') return zlib.gunzipSync(raw.body).toString();
  return raw.body.toString();
}

async function listen(app: http.RequestListener) {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let harness: Awaited<ReturnType<typeof startTestApp>>;
let base = '';
let server: http.Server;
beforeAll(async () => {
  await writeBuild();
  // A copy left over from an earlier build: older than the file now beside it.
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(path.join(dir, 'assets/old-Yy8.js.br'), past, past);
  fs.utimesSync(path.join(dir, 'assets/old-Yy8.js.gz'), past, past);
  fs.writeFileSync(path.join(dir, 'assets/old-Yy8.js'), `${script}export const rebuilt = true;\n`);
  harness = await startTestApp({ clientDir: dir });
  ({ server, base } = await listen(harness.app));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await harness.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('built client files', () => {
  it('when the build ran, then every text file above 1 kB has a brotli and a gzip copy, and small ones have none', () => {
    expect(zlib.brotliDecompressSync(fs.readFileSync(path.join(dir, 'assets/main-AbC123.js.br'))).toString()).toBe(script);
    expect(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'assets/main-AbC123.js.gz'))).toString()).toBe(script);
    expect(fs.existsSync(path.join(dir, 'index.html.br'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'assets/tiny-Zz9.js.br'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'assets/main-AbC123.js.map.br'))).toBe(false);
  });

  it('when a browser accepts brotli and gzip, then the hashed script is the brotli copy, cached a year as immutable', async () => {
    const res = await rawGet(base, '/assets/main-AbC123.js', { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body.length).toBe(fs.statSync(path.join(dir, 'assets/main-AbC123.js.br')).size);
    expect(decode(res)).toBe(script);
  });

  it('when a browser accepts only gzip, then it gets the gzip copy; without Accept-Encoding, the plain file', async () => {
    const gz = await rawGet(base, '/assets/main-AbC123.js', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(decode(gz)).toBe(script);
    const plain = await rawGet(base, '/assets/main-AbC123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
  });

  it('when a compressed copy is older than its file, then the current file is sent (compressed on the fly), never the stale copy', async () => {
    const res = await rawGet(base, '/assets/old-Yy8.js', { 'Accept-Encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(decode(res)).toContain('export const rebuilt = true;');
  });

  it('when index.html or an app address is loaded, then the page is revalidated every time (no-cache) and compressed', async () => {
    for (const urlPath of ['/', '/programmes/abc', '/index.html']) {
      const res = await rawGet(base, urlPath, { 'Accept-Encoding': 'gzip, br' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-encoding']).toBe('br');
      expect(decode(res)).toBe(files['index.html']);
    }
  });

  it('when a missing asset, a source map or a path outside the build is asked for, then 404 and no file', async () => {
    const missing = await rawGet(base, '/assets/gone-123.js');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString()).error.code).toBe('not_found');
    expect((await rawGet(base, '/assets/main-AbC123.js.map')).status).toBe(404);
    expect((await rawGet(base, '/assets/main-AbC123.js')).headers.sourcemap).toBeUndefined();
    expect((await rawGet(base, '/.vite/manifest.json')).body.toString()).not.toContain('"file"');
    const traversal = await rawGet(base, '/assets/..%2f..%2fpackage.json');
    expect(traversal.body.toString()).not.toContain('"activegroups"');
  });

  it('when source maps are asked for (SOURCE_MAPS=true), then scripts name their map and the map is served', async () => {
    const withMaps = await startTestApp({ clientDir: dir, sourceMaps: true });
    const { server: s, base: b } = await listen(withMaps.app);
    try {
      const js = await rawGet(b, '/assets/main-AbC123.js');
      expect(js.headers.sourcemap).toBe('main-AbC123.js.map');
      const map = await rawGet(b, '/assets/main-AbC123.js.map');
      expect(map.status).toBe(200);
      expect(map.body.toString()).toBe(files['assets/main-AbC123.js.map']);
    } finally {
      await new Promise((resolve) => s.close(resolve));
    }
  });
});

describe('API compression', () => {
  it('when a JSON answer is above 1 kB, then it is brotli-compressed; a small one is sent as it is', async () => {
    await seedAccounts();
    await seedBuiltInInstruments();
    const login = await rawPost(base, '/api/v1/auth/login', { username: 'admin', password: 'correct horse battery staple' });
    expect(login.status).toBe(200);
    const cookie = (login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const list = await rawGet(base, '/api/v1/instruments', { 'Accept-Encoding': 'gzip, deflate, br', Cookie: cookie });
    expect(list.status).toBe(200);
    expect(list.headers['content-encoding']).toBe('br');
    expect(list.headers.vary).toMatch(/Accept-Encoding/i);
    const decoded = decode(list);
    expect(decoded.length).toBeGreaterThan(1024);
    expect(list.body.length).toBeLessThan(decoded.length);
    expect(JSON.parse(decoded).items.length).toBeGreaterThan(0);

    const health = await rawGet(base, '/api/health', { 'Accept-Encoding': 'gzip, br' });
    expect(health.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(health.body.toString()).status).toBe('ok');
  });
});

async function rawPost(b: string, urlPath: string, body: unknown): Promise<Raw> {
  const session = await rawGet(b, '/api/v1/auth/session');
  const { csrfToken } = JSON.parse(session.body.toString()) as { csrfToken: string };
  const cookie = (session.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const res = await fetch(`${b}${urlPath}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken, ...(cookie ? { Cookie: cookie } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: { 'set-cookie': res.headers.getSetCookie() }, body: Buffer.from(await res.arrayBuffer()) };
}

