// The register's outbox: every save is first written to localStorage with its own client-generated
// id (the Idempotency-Key), then sent. A save that cannot reach the server (offline, timeout, 5xx)
// stays queued and is retried with exponential backoff and whenever the browser comes back online;
// the server replays a save it already applied, so a retry never doubles anything. A 409 (someone
// else saved first) or another 4xx stops the retries and waits for the teacher: nothing is dropped.
import { isApiError } from '../../api/client.ts';
import { sessionsApi, type LoggedSession, type SaveBody } from '../../api/sessions.ts';

export type QueuedState = 'pending' | 'sending' | 'conflict' | 'failed';

export interface QueuedSave {
  key: string;
  sessionId: string;
  body: SaveBody;
  queuedAt: string;
  attempts: number;
  /** Epoch ms of the next automatic attempt. */
  nextAt: number;
  state: QueuedState;
  error?: { code: string; message: string };
  /** On a conflict: the session as the server has it now. */
  current?: LoggedSession;
}

const STORAGE_KEY = 'activegroups.registerOutbox';
/** Backoff: 1 s, 2 s, 4 s … capped at 60 s (product choice: quick on a flaky link, gentle when offline). */
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
/** A request that hangs this long on a bad link is abandoned and retried with the same key. */
const REQUEST_TIMEOUT_MS = 15_000;

type Listener = (saves: QueuedSave[], saved?: LoggedSession) => void;
const listeners = new Set<Listener>();
let timer: ReturnType<typeof setTimeout> | null = null;
let flushing = false;

function read(): QueuedSave[] {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    const parsed = raw ? (JSON.parse(raw) as QueuedSave[]) : [];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function write(saves: QueuedSave[]): void {
  window.localStorage.setItem(STORAGE_KEY, JSON.stringify(saves));
}

function update(key: string, change: Partial<QueuedSave> | null, saved?: LoggedSession): void {
  const saves = read();
  const next = change === null ? saves.filter((s) => s.key !== key) : saves.map((s) => (s.key === key ? { ...s, ...change } : s));
  write(next);
  for (const l of listeners) l(next, saved);
}

export function queuedSaves(): QueuedSave[] {
  return read();
}

export function onOutboxChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Queues a save (replacing an unsent one for the same session, which it supersedes) and sends. */
export function enqueueSave(sessionId: string, body: SaveBody, key: string): QueuedSave {
  const entry: QueuedSave = { key, sessionId, body, queuedAt: new Date().toISOString(), attempts: 0, nextAt: 0, state: 'pending' };
  // An older save of the same session that never reached the server is replaced by this one; a
  // conflicted or failed one too (the teacher is now saving what they decided).
  const saves = read().filter((s) => s.sessionId !== sessionId || s.state === 'sending');
  saves.push(entry);
  write(saves);
  for (const l of listeners) l(saves);
  void flush();
  return entry;
}

export function discardSave(key: string): void {
  update(key, null);
}

function schedule(): void {
  if (timer) clearTimeout(timer);
  const pending = read().filter((s) => s.state === 'pending');
  if (pending.length === 0) return;
  const wait = Math.max(0, Math.min(...pending.map((s) => s.nextAt)) - Date.now());
  timer = setTimeout(() => void flush(), wait);
}

async function sendOne(save: QueuedSave): Promise<void> {
  update(save.key, { state: 'sending' });
  try {
    const saved = await Promise.race([
      sessionsApi.save(save.sessionId, save.body, save.key),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), REQUEST_TIMEOUT_MS)),
    ]);
    update(save.key, null, saved);
  } catch (e) {
    const attempts = save.attempts + 1;
    if (isApiError(e) && e.status === 409 && e.code === 'version_conflict') {
      const current = (e.details as { current?: LoggedSession } | undefined)?.current;
      update(save.key, { state: 'conflict', attempts, error: { code: e.code, message: e.message }, ...(current ? { current } : {}) });
    } else if (isApiError(e) && e.status >= 400 && e.status < 500 && e.code !== 'request_in_progress' && e.status !== 408 && e.status !== 429) {
      update(save.key, { state: 'failed', attempts, error: { code: e.code, message: e.message } });
    } else {
      // Network error, timeout, 5xx, or the same save still in progress: try again later.
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
      update(save.key, { state: 'pending', attempts, nextAt: Date.now() + delay, error: { code: isApiError(e) ? e.code : 'network_error', message: e instanceof Error ? e.message : String(e) } });
    }
  }
}

/** Sends every due save (one at a time, oldest first). `force` ignores the backoff. */
export async function flush(force = false): Promise<void> {
  if (flushing) return;
  flushing = true;
  try {
    // Saves left 'sending' by a closed tab are pending again.
    for (const s of read()) if (s.state === 'sending' && !inFlight.has(s.key)) update(s.key, { state: 'pending' });
    for (const s of read()) {
      if (s.state !== 'pending' || (!force && s.nextAt > Date.now())) continue;
      if (!navigator.onLine && !force) continue;
      inFlight.add(s.key);
      try {
        await sendOne(s);
      } finally {
        inFlight.delete(s.key);
      }
    }
  } finally {
    flushing = false;
    schedule();
  }
}
const inFlight = new Set<string>();

let started = false;
/** Starts the background sender (once per page): on load, when back online, and on the backoff timer. */
export function startOutbox(): void {
  if (started) return;
  started = true;
  window.addEventListener('online', () => void flush(true));
  void flush();
}
