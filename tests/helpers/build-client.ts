// Browser tests drive the built client, so build it from the current sources first — into a
// folder of this run's own, so parallel runs (or `npm start` in the same checkout) never serve a
// half-written build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    clientDir: string;
  }
}

export default function setup(project: TestProject) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-client-'));
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error', '--outDir', outDir, '--emptyOutDir'],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error('vite build failed');
  project.provide('clientDir', outDir);
  return () => fs.rmSync(outDir, { recursive: true, force: true });
}
