// API calls of the counsellors' flows: instrument library, programme waves, questionnaire entry,
// worklist and child page. client.ts keeps its request helper private, so this is a thin wrapper
// with the same contract: JSON in/out, CSRF token on writes (re-read once on csrf_invalid),
// errors as ApiError with the server's { code, message, details }.
import type { AssessmentScore } from '../../../shared/domain/scoring.ts';
import type { EntryDifference, MissingReason, WaveWindow, WorklistKind } from '../../../shared/schemas/assessments-api.ts';
import type { Wave } from '../../../shared/schemas/child.ts';
import type { InstrumentDefinition, InstrumentDefinitionInput } from '../../../shared/schemas/instrument.ts';
import { ApiError, getSession } from './client.ts';

export interface Instrument {
  id: string;
  code: string;
  version: number;
  revision: number;
  builtIn: boolean;
  retired: boolean;
  definition: InstrumentDefinition;
  answerCount?: number;
  versions?: { version: number; retired: boolean; createdAt: string | null }[];
  createdNewVersion?: boolean;
}

export interface ProgrammeWaves {
  programmeId: string;
  name: string;
  arm: 'intervention' | 'control';
  schoolIds: string[];
  startDate: string;
  plannedWeeks: number;
  instruments: { code: string; version: number }[];
  waves: WaveWindow[];
  suggestedWaves: WaveWindow[];
  version: number;
}

export interface MissingItem {
  item: number;
  reason: MissingReason;
}

export interface Assessment {
  id: string;
  schoolId: string;
  childId: string;
  programmeId: string;
  instrumentCode: string;
  instrumentVersion: number;
  wave: Wave;
  date: string;
  answers: (number | null)[];
  missing: MissingItem[];
  score: AssessmentScore;
  enteredBy: string;
  outsideWindowConfirmed: boolean;
  secondEntry: { enteredBy: string; at: string; answers: (number | null)[]; missing: MissingItem[]; differences: EntryDifference[] | null } | null;
  verified: boolean | null;
  version: number;
  /** Sent by GET /assessments/:id only. */
  child?: { id: string; code: string; displayName: string; guardianConsentDate: string | null } | null;
}

export interface AssessmentInput {
  childId: string;
  programmeId: string;
  instrumentCode: string;
  wave: Wave;
  date: string;
  answers: (number | null)[];
  missing: MissingItem[];
  confirmOutsideWindow?: boolean;
}

export interface EntrySheetChild {
  id: string;
  code: string;
  displayName: string;
  schoolId: string;
  guardianConsentDate: string | null;
  assessment: { id: string; date: string; total: number | null; version: number } | null;
}

export interface EntrySheet {
  programme: ProgrammeWaves;
  wave: Wave;
  window: WaveWindow | null;
  instrument: { code: string; version: number; definition: InstrumentDefinition };
  children: EntrySheetChild[];
}

export interface WorklistItem {
  kind: WorklistKind;
  childId: string;
  childCode: string;
  childName: string;
  schoolId: string;
  programmeId: string;
  programmeName: string;
  params: Record<string, string | number | boolean | null>;
  reason: string;
  link: string;
  priority: number;
}

export interface SeriesPoint {
  assessmentId: string;
  wave: Wave;
  date: string;
  week: number;
  instrumentVersion: number;
  total: number | null;
  prorated: boolean;
  notScoredReason: string | null;
  flags: { code: string; scope: string; messageKey: string; params: Record<string, string | number>; message: string }[];
}

export interface ScoreSeries {
  instrumentCode: string;
  name: { en: string; zh: string };
  polarity: 'higher-is-worse' | 'higher-is-better';
  cutoffs: { value: number; label: { en: string; zh: string } }[];
  range: { min: number; max: number } | null;
  points: SeriesPoint[];
  changes: { from: Wave; to: Wave; fromTotal: number; toTotal: number; rci: number | null; classification: 'improved' | 'unchanged' | 'worsened' | null; reason?: string }[];
}

export interface ProfileProgramme extends ProgrammeWaves {
  weekly: { week: number; weekStart: string; scheduled: number; attended: number }[];
  attendanceRate: number | null;
  series: ScoreSeries[];
}

export interface ChildProfile {
  child: { id: string; code: string; displayName: string; schoolId: string; grade: number; guardianConsentDate: string | null };
  programmes: ProfileProgramme[];
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
let csrf: string | null = null;

async function request<T>(method: Method, path: string, body?: unknown, headers: Record<string, string> = {}, retried = false): Promise<T> {
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
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (res.ok) return data as T;
  const err = (data as { error?: { code: string; message: string; details?: unknown } } | undefined)?.error;
  const error = err ? new ApiError(res.status, err.code, err.message, err.details) : new ApiError(res.status, 'http_error', `${res.status}`);
  if (error.status === 403 && error.code === 'csrf_invalid' && !retried) {
    csrf = (await getSession()).csrfToken;
    return request<T>(method, path, body, headers, true);
  }
  throw error;
}

const enc = encodeURIComponent;
const qs = (q: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();

/** A fresh Idempotency-Key per save; a retry of the same save reuses it. */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const assessmentsApi = {
  instruments: {
    list: (allVersions = false) => request<{ items: Instrument[] }>('GET', `/api/v1/instruments${allVersions ? '?allVersions=true' : ''}`),
    get: (code: string) => request<Instrument>('GET', `/api/v1/instruments/${enc(code)}`),
    version: (code: string, version: number) => request<Instrument>('GET', `/api/v1/instruments/${enc(code)}/versions/${version}`),
    create: (definition: InstrumentDefinitionInput) => request<Instrument>('POST', '/api/v1/instruments', { definition }),
    update: (code: string, body: { basedOnVersion: number; revision: number; definition: InstrumentDefinitionInput }) =>
      request<Instrument>('PATCH', `/api/v1/instruments/${enc(code)}`, body),
  },
  waves: {
    list: () => request<{ items: ProgrammeWaves[] }>('GET', '/api/v1/programme-waves'),
    get: (programmeId: string) => request<ProgrammeWaves>('GET', `/api/v1/programme-waves/${enc(programmeId)}`),
    save: (programmeId: string, body: { version: number; instruments: { code: string; version: number }[]; waves: WaveWindow[] }) =>
      request<ProgrammeWaves>('PUT', `/api/v1/programme-waves/${enc(programmeId)}`, body),
  },
  assessments: {
    entrySheet: (programmeId: string, wave: Wave, instrumentCode: string) =>
      request<EntrySheet>('GET', `/api/v1/assessments/entry-sheet?${qs({ programmeId, wave, instrumentCode })}`),
    list: (q: { childId?: string; programmeId?: string }) => request<{ items: Assessment[] }>('GET', `/api/v1/assessments?${qs(q)}`),
    get: (id: string) => request<Assessment>('GET', `/api/v1/assessments/${enc(id)}`),
    create: (body: AssessmentInput, idempotencyKey: string) => request<Assessment>('POST', '/api/v1/assessments', body, { 'Idempotency-Key': idempotencyKey }),
    update: (id: string, body: { version: number; date?: string; answers?: (number | null)[]; missing?: MissingItem[]; confirmOutsideWindow?: boolean }) =>
      request<Assessment>('PATCH', `/api/v1/assessments/${enc(id)}`, body),
    secondEntry: (id: string, body: { answers: (number | null)[]; missing: MissingItem[] }) =>
      request<Assessment>('POST', `/api/v1/assessments/${enc(id)}/second-entry`, body),
  },
  worklist: {
    list: (schoolId?: string) => request<{ items: WorklistItem[]; generatedOn: string }>('GET', `/api/v1/worklist${schoolId ? `?${qs({ schoolId })}` : ''}`),
    child: (childId: string) => request<ChildProfile>('GET', `/api/v1/worklist/children/${enc(childId)}`),
  },
};
