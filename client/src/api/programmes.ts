// API calls for programmes and their schedule, on client.ts's `request` (CSRF, errors as ApiError,
// sign-in expiry).
import type { Check } from '../../../shared/domain/check.ts';
import type { IntensityLevel } from '../../../shared/domain/intensity.ts';
import type { WeeklySlot } from '../../../shared/schemas/programme.ts';
import { request, type Method } from './client.ts';
import type { List } from './types.ts';

export type Arm = 'intervention' | 'control';

export interface PlannedBlock {
  activityCode: string;
  minutes: number;
  targetIntensity: IntensityLevel;
}

export interface ProgrammeInput {
  name: string;
  schoolIds: string[];
  groupIds: string[];
  arm: Arm;
  startDate: string;
  plannedWeeks: number;
  weeklyPattern: WeeklySlot[];
  activityBlocks: PlannedBlock[];
  evidenceProfileId: string;
  exclusionDates: string[];
}

export interface ScheduleSummary {
  created: number;
  updated: number;
  removed: number;
  kept: number;
}

export interface Programme extends ProgrammeInput {
  id: string;
  endDate: string;
  timeZone: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  planCheck: { profileId: string; checks: Check[] };
  schedule?: ScheduleSummary | null;
}

export interface FormOptions {
  schools: { id: string; code: string; name: string; timeZone: string }[];
  groups: { id: string; schoolId: string; name: string; activityCode: string }[];
}

export type SessionStatus = 'scheduled' | 'held' | 'cancelled';

export interface ScheduledSession {
  id: string;
  programmeId: string;
  groupId: string;
  schoolId: string;
  date: string;
  startTime: string;
  plannedMinutes: number;
  startsAt: string;
  status: SessionStatus;
  origin: 'pattern' | 'extra';
  rescheduledFrom: string | null;
  cancelReason: string | null;
  handEdited: boolean;
  logged: boolean;
  registerCount: number;
  version: number;
  updatedAt: string;
}

export interface Schedule {
  programme: { id: string; name: string; startDate: string; endDate: string; plannedWeeks: number; exclusionDates: string[]; timeZone: string; version: number };
  groups: { id: string; name: string; schoolId: string; inProgramme: boolean }[];
  items: ScheduledSession[];
}



function call<T>(method: Method, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  return request<T>(method, path, { body, headers });
}

const enc = encodeURIComponent;
const qs = (q: Record<string, string | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** A client-generated id for saves a phone may retry. */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const programmesApi = {
  list: (q: { schoolId?: string; groupId?: string } = {}) => call<List<Programme>>('GET', `/api/v1/programmes${qs(q)}`),
  get: (id: string) => call<Programme>('GET', `/api/v1/programmes/${enc(id)}`),
  formOptions: () => call<FormOptions>('GET', '/api/v1/programmes/form-options'),
  create: (body: ProgrammeInput) => call<Programme>('POST', '/api/v1/programmes', body),
  update: (id: string, body: Partial<ProgrammeInput> & { version: number }) => call<Programme>('PATCH', `/api/v1/programmes/${enc(id)}`, body),
  // The version seen: a programme changed meanwhile is not deleted (409 with the current one).
  remove: (id: string, version: number) => call<void>('DELETE', `/api/v1/programmes/${enc(id)}?version=${version}`),
};

export const scheduleApi = {
  list: (q: { programmeId: string; groupId?: string; from?: string; to?: string }) => call<Schedule>('GET', `/api/v1/schedule${qs(q)}`),
  generate: (programmeId: string) => call<ScheduleSummary>('POST', '/api/v1/schedule/generate', { programmeId }),
  cancel: (id: string, body: { version: number; reason: string }) => call<ScheduledSession>('POST', `/api/v1/schedule/sessions/${enc(id)}/cancel`, body),
  restore: (id: string, body: { version: number }) => call<ScheduledSession>('POST', `/api/v1/schedule/sessions/${enc(id)}/restore`, body),
  reschedule: (id: string, body: { version: number; date: string; startTime: string; plannedMinutes?: number }) =>
    call<ScheduledSession>('POST', `/api/v1/schedule/sessions/${enc(id)}/reschedule`, body),
  extra: (body: { programmeId: string; groupId: string; date: string; startTime: string; plannedMinutes: number }, idempotencyKey: string) =>
    call<ScheduledSession>('POST', '/api/v1/schedule/extra', body, { 'Idempotency-Key': idempotencyKey }),
};
