// What `npm start` prints (issue 11 part 4): a short summary a person can read, no line per
// request by default, and one JSON line per API request with LOG_LEVEL=info. The app runs as its
// own process (server/index.ts) against the test database server, as MONGODB_URI.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { repoRoot } from '../../server/server.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-start-up-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the app, makes two API requests, stops it, and returns everything it printed. */
async function runApp(logLevel: string | undefined): Promise<{ stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    MONGODB_URI: inject('dbUri'),
    MONGODB_DB: `s_${randomBytes(6).toString('hex')}`,
  };
  delete env.LOG_LEVEL;
  if (logLevel) env.LOG_LEVEL = logLevel;
  const app = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  app.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  app.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => app.once('exit', resolve));
  try {
    await waitFor(() => /Stop with Ctrl-C/.test(stdout), 30_000);
    const url = /running at (http:\S+)/.exec(stdout)![1]!;
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/no-such-thing`)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 200)); // pino writes asynchronously
  } finally {
    app.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  return { stdout, stderr };
}

describe('npm start output', () => {
  it('when started with no LOG_LEVEL, then it prints the URL, database, data directory and log level, and no line per request', async () => {
    const { stdout, stderr } = await runApp(undefined);
    const summary = stdout.slice(0, stdout.indexOf('Stop with Ctrl-C') + 'Stop with Ctrl-C.'.length);
    expect(summary).toMatch(/^ActiveGroups is running at http:\/\/127\.0\.0\.1:\d+\n/);
    expect(summary).toContain('  Database: MongoDB server (MONGODB_URI)');
    expect(summary).toContain(`  Data directory: ${dataDir}`);
    expect(summary).toContain('  Logs: level warn — warnings and errors only; LOG_LEVEL=info adds one line per API request');
    expect(summary.split('\n').length).toBeLessThanOrEqual(6);
    // No JSON at all: neither request lines nor anything else at the default level.
    expect(stdout).not.toContain('{"level"');
    expect(stdout).not.toContain('/api/health');
    expect(stderr).toBe('');
  });

  it('when LOG_LEVEL=info, then every API request is one JSON line with method, path and status, and nothing personal', async () => {
    const { stdout } = await runApp('info');
    expect(stdout).toContain('  Logs: level info — one JSON line per API request, plus warnings and errors');
    const lines = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string; req?: { method: string; path: string }; res?: { statusCode: number } });
    const health = lines.find((l) => l.req?.path === '/api/health');
    expect(health).toMatchObject({ level: 30, msg: 'request completed', req: { method: 'GET' }, res: { statusCode: 200 } });
    expect(lines.find((l) => l.req?.path === '/api/v1/no-such-thing')?.res?.statusCode).toBe(404);
    expect(stdout).not.toMatch(/cookie|authorization/i);
  });
});
