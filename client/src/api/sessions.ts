// Session log and register API. Saves carry a client-generated Idempotency-Key (a retry after a
// lost answer is replayed by the server, never applied twice) and the version the teacher edited.
import type { SaveSessionLogInput } from '../../../shared/schemas/register.ts';
import { api, ApiError, getSession } from './client.ts';

export type RegisterStatus = 'present' | 'absent' | 'excused' | 'late';

export interface ActivityBlock {
  activityCode: string;
  minutes: number;
  rpe?: number;
  avgHeartRate?: number;
  mets?: number;
}

export interface RegisterEntry {
  childId: string;
  status: RegisterStatus;
  minutes?: number;
  rpe?: number;
}

export interface LoggedSession {
  id: string;
  programmeId: string;
  groupId: string;
  schoolId: string;
  date: string;
  startTime: string;
  plannedMinutes: number;
  status: 'scheduled' | 'held' | 'cancelled';
  actualStart: string | null;
  activityBlocks: ActivityBlock[];
  register: RegisterEntry[];
  notes: string;
  loggedBy: string | null;
  loggedAt: string | null;
  version: number;
}

export interface SessionListItem extends Omit<LoggedSession, 'register'> {
  groupName: string;
  marks: number;
  attended: number;
}

export interface RegisterData {
  session: LoggedSession;
  group: { id: string; name: string; activityCode: string } | null;
  programme: { id: string; name: string; plannedBlocks: { activityCode: string; minutes: number; targetIntensity: string }[] } | null;
  roster: { childId: string; code: string; displayName?: string; member: boolean }[];
}

export type SaveBody = Omit<SaveSessionLogInput, 'notes'> & { notes: string };

let csrf: string | null = null;

async function call<T>(method: 'GET' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}, retried = false): Promise<T> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    csrf ??= (await getSession()).csrfToken;
    h['X-CSRF-Token'] = csrf;
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers: h, credentials: 'same-origin', body: body === undefined ? null : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network_error', e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (res.ok) return data as T;
  const err = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  const error = err?.code ? new ApiError(res.status, err.code, err.message ?? '', err.details) : new ApiError(res.status, 'http_error', `${res.status}`);
  if (error.status === 403 && error.code === 'csrf_invalid' && !retried) {
    csrf = (await getSession()).csrfToken;
    return call<T>(method, path, body, headers, true);
  }
  // Let the app's own client notice a lost sign-in (it shows the sign-in page).
  if (error.status === 401) void api.schools.list().catch(() => undefined);
  throw error;
}

const enc = encodeURIComponent;

export const sessionsApi = {
  list: (q: { from?: string; to?: string; programmeId?: string; groupId?: string }) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v) p.set(k, v);
    return call<{ items: SessionListItem[] }>('GET', `/api/v1/sessions?${p.toString()}`);
  },
  get: (id: string) => call<RegisterData>('GET', `/api/v1/sessions/${enc(id)}`),
  save: (id: string, body: SaveBody, idempotencyKey: string) => call<LoggedSession>('PUT', `/api/v1/sessions/${enc(id)}/log`, body, { 'Idempotency-Key': idempotencyKey }),
};

/** A client-generated id for one save (kept with the queued save, reused on every retry). */
export function newSaveId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
