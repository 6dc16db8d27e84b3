// `npm start`'s process, spawned for tests that need a real process to signal or kill -9:
// the app entry (server/index.ts) on port 0 with its own embedded FerretDB in `dataDir`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../../server/server.ts';

export function childPids(pid: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean).map(Number);
}

/** The app's embedded FerretDB process (its other children are tsx's helpers). */
export function ferretdbPidOf(appPid: number): number | undefined {
  const out = spawnSync('pgrep', ['-P', String(appPid), '-f', 'activegroups-ferretdb'], { encoding: 'utf8' }).stdout;
  const pids = out.split('\n').filter(Boolean).map(Number);
  return pids.length === 1 ? pids[0] : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface AppProcess {
  app: ChildProcess;
  output: () => string;
  url: string;
  exited: Promise<number | null>;
}

/** Spawns the app; resolves once it prints its URL (or rejects with its output if it exits first). */
export async function startAppProcess(dataDir: string, env: Record<string, string> = {}): Promise<AppProcess> {
  const app = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', DB_ENGINE: 'ferretdb', MONGODB_URI: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  app.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  app.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  await waitFor(() => exitCode !== undefined || /running at (http:\S+)/.test(output), 60_000, 'the app to start');
  if (exitCode !== undefined && !/running at/.test(output)) throw new Error(`the app exited with code ${exitCode} during start:\n${output}`);
  return { app, output: () => output, url: /running at (http:\S+)/.exec(output)![1]!, exited };
}
