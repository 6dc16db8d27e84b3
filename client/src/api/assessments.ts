// API calls of the counsellors' flows: instrument library, programme waves, questionnaire entry,
// worklist and child page. client.ts keeps its request helper private, so this is a thin wrapper
// with the same contract: JSON in/out, CSRF token on writes (re-read once on csrf_invalid),
// errors as ApiError with the server's { code, message, details }.
import type { AssessmentScore } from '../../../shared/domain/scoring.ts';
import type { EntryDifference, MissingReason, WaveWindow, WorklistItem } from '../../../shared/schemas/assessments-api.ts';
import type { Wave } from '../../../shared/schemas/child.ts';
import type { InstrumentDefinition, InstrumentDefinitionInput } from '../../../shared/schemas/instrument.ts';
import { request, type Method } from './client.ts';

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

export type { WorklistItem } from '../../../shared/schemas/assessments-api.ts';

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
  /** logged = sessions with a mark for the child; notLogged = past sessions not logged yet (not absences). */
  weekly: { week: number; weekStart: string; scheduled: number; logged?: number; notLogged?: number; attended: number }[];
  attendanceRate: number | null;
  series: ScoreSeries[];
}

export interface ChildProfile {
  child: { id: string; code: string; displayName: string; schoolId: string; grade: number; guardianConsentDate: string | null };
  programmes: ProfileProgramme[];
}

function call<T>(method: Method, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  return request<T>(method, path, { body, headers });
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
    list: (allVersions = false) => call<{ items: Instrument[] }>('GET', `/api/v1/instruments${allVersions ? '?allVersions=true' : ''}`),
    get: (code: string) => call<Instrument>('GET', `/api/v1/instruments/${enc(code)}`),
    version: (code: string, version: number) => call<Instrument>('GET', `/api/v1/instruments/${enc(code)}/versions/${version}`),
    create: (definition: InstrumentDefinitionInput) => call<Instrument>('POST', '/api/v1/instruments', { definition }),
    update: (code: string, body: { basedOnVersion: number; revision: number; definition: InstrumentDefinitionInput }) =>
      call<Instrument>('PATCH', `/api/v1/instruments/${enc(code)}`, body),
  },
  waves: {
    list: () => call<{ items: ProgrammeWaves[] }>('GET', '/api/v1/programme-waves'),
    get: (programmeId: string) => call<ProgrammeWaves>('GET', `/api/v1/programme-waves/${enc(programmeId)}`),
    save: (programmeId: string, body: { version: number; instruments: { code: string; version: number }[]; waves: WaveWindow[] }) =>
      call<ProgrammeWaves>('PUT', `/api/v1/programme-waves/${enc(programmeId)}`, body),
  },
  assessments: {
    entrySheet: (programmeId: string, wave: Wave, instrumentCode: string) =>
      call<EntrySheet>('GET', `/api/v1/assessments/entry-sheet?${qs({ programmeId, wave, instrumentCode })}`),
    list: (q: { childId?: string; programmeId?: string }) => call<{ items: Assessment[] }>('GET', `/api/v1/assessments?${qs(q)}`),
    get: (id: string) => call<Assessment>('GET', `/api/v1/assessments/${enc(id)}`),
    create: (body: AssessmentInput, idempotencyKey: string) => call<Assessment>('POST', '/api/v1/assessments', body, { 'Idempotency-Key': idempotencyKey }),
    update: (id: string, body: { version: number; date?: string; answers?: (number | null)[]; missing?: MissingItem[]; confirmOutsideWindow?: boolean }) =>
      call<Assessment>('PATCH', `/api/v1/assessments/${enc(id)}`, body),
    secondEntry: (id: string, body: { answers: (number | null)[]; missing: MissingItem[] }) =>
      call<Assessment>('POST', `/api/v1/assessments/${enc(id)}/second-entry`, body),
  },
  worklist: {
    list: (schoolId?: string) => call<{ items: WorklistItem[]; generatedOn: string }>('GET', `/api/v1/worklist${schoolId ? `?${qs({ schoolId })}` : ''}`),
    child: (childId: string) => call<ChildProfile>('GET', `/api/v1/worklist/children/${enc(childId)}`),
  },
};
