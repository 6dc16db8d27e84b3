// Session log and register API. Saves carry a client-generated Idempotency-Key (a retry after a
// lost answer is replayed by the server, never applied twice) and the version the teacher edited.
import type { SaveSessionLogInput } from '../../../shared/schemas/register.ts';
import { request, type Method } from './client.ts';

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


function call<T>(method: 'GET' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  return request<T>(method, path, { body, headers });
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
