// `npm start`'s process: it prints the engine, data location and URL, and on SIGINT/SIGTERM stops
// the app and its child database cleanly. If the app dies without cleaning up, the embedded
// FerretDB notices its stdin closing and exits too: no orphan database process either way.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { repoRoot } from '../../server/server.ts';
import { childPids, isAlive, startAppProcess, waitFor } from '../helpers/app-process.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-process-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const startApp = () => startAppProcess(dataDir);

// These tests start the embedded FerretDB of the app itself; against an external server there is no child.
describe.runIf(inject('dbEngine') !== 'external')('process lifecycle', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`when the app gets ${signal}, then it stops its database and exits 0`, async () => {
      const { app, output, url } = await startApp();
      expect(output()).toMatch(/Database: embedded FerretDB 1\.24\.2 \(SQLite\) — data in .*activegroups-process-/);
      const health = await fetch(`${url}/api/health`).then((r) => r.json());
      expect(health.database.engine).toBe('ferretdb');
      const children = childPids(app.pid!);
      expect(children.length).toBeGreaterThan(0);
      const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)));
      app.kill(signal);
      expect(await exited).toBe(0);
      await waitFor(() => children.every((pid) => !isAlive(pid)));
    });
  }

  it('when the app is killed outright, then its database exits by itself', async () => {
    const { app } = await startApp();
    const children = childPids(app.pid!);
    expect(children.length).toBeGreaterThan(0);
    app.kill('SIGKILL');
    await waitFor(() => children.every((pid) => !isAlive(pid)));
  });
});

describe.runIf(inject('dbEngine') !== 'external')('create-admin from a terminal', () => {
  const run = (input: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/create-admin.ts'], {
      cwd: repoRoot,
      input,
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: path.join(dataDir, 'cli'), DB_ENGINE: 'ferretdb', MONGODB_URI: '', LOG_LEVEL: 'silent' },
    });

  it('when answers are piped in, then the admin is created once and a second time is refused', () => {
    const first = run('chief\n校长\na long enough password\n');
    expect(first.stdout).toContain('Admin "chief" created.');
    expect(first.status).toBe(0);
    const second = run('chief\nAgain\na long enough password\n');
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('The username "chief" is already taken.');
  });

  it('when the password is too short, then nothing is created and the reason is printed', () => {
    const res = run('shorty\nShort\nshort\n');
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/Not created: password: the password must have at least 10 characters/);
  });
});
