// API calls of the children roster, the CSV import (CSV text for the preview) and the sports
// groups, on client.ts's `request` (CSRF, errors as ApiError, sign-in expiry).
import type { ChildFields, ImportIssueCode, RosterColumnKey } from '../../../shared/schemas/roster.ts';
import type { Caregiver, LeftBehindStatus, Sex } from '../../../shared/schemas/child.ts';
import { request, type Method } from './client.ts';
import type { List, Page } from './types.ts';

export type { Caregiver, ChildFields, LeftBehindStatus, Sex };

export interface Child extends ChildFields {
  id: string;
  schoolId: string;
  code: string;
  active: boolean;
  deactivatedOn: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ChildMembership {
  groupId: string;
  groupName: string;
  activityCode: string;
  joinedOn: string;
  leftOn: string | null;
}

export interface ChildDetail extends Child {
  memberships: ChildMembership[];
  /** Memberships, attendance, questionnaires or dose exist: deactivate instead of delete. */
  hasData: boolean;
}

export interface ChildQuery {
  schoolId?: string;
  grade?: string;
  className?: string;
  leftBehindStatus?: string;
  active?: 'true' | 'false' | 'all';
  q?: string;
  page?: number;
  pageSize?: number;
}

export interface RowIssue {
  line: number;
  column: string;
  columnLetter: string;
  field: RosterColumnKey;
  code: ImportIssueCode;
  message: string;
  value: string;
}

export type DuplicateOf = { kind: 'file'; line: number } | { kind: 'roster'; childId: string; code: string; active: boolean };

export interface PreviewRow {
  line: number;
  status: 'new' | 'error' | 'duplicate';
  cells: Partial<Record<RosterColumnKey, string>>;
  child: ChildFields | null;
  errors: RowIssue[];
  duplicateOf: DuplicateOf | null;
}

export interface ImportPreview {
  token: string | null;
  schoolId: string;
  expiresAt: string | null;
  delimiter: string;
  headerLine: number;
  columns: { key: RosterColumnKey; header: string; letter: string }[];
  ignoredHeaders: string[];
  counts: { rows: number; new: number; errors: number; duplicates: number };
  rows: PreviewRow[];
}

export interface ImportResult {
  token: string;
  schoolId: string;
  imported: number;
  skippedDuplicates: number;
  errors: number;
  children: { line: number; id: string; code: string }[];
  replayed: boolean;
}

export interface Coach {
  id: string;
  displayName: string;
}

export interface Member {
  childId: string;
  joinedOn: string;
  leftOn: string | null;
  current: boolean;
  child: {
    code: string;
    displayName?: string;
    grade: number;
    className: string;
    sex: Sex;
    leftBehindStatus: LeftBehindStatus;
    active: boolean;
  } | null;
}

export interface GroupSummary {
  id: string;
  schoolId: string;
  name: string;
  activityCode: string;
  coachIds: string[];
  coaches: Coach[];
  currentMembers: number;
  membershipEntries: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface GroupDetail extends Omit<GroupSummary, 'membershipEntries'> {
  today: string;
  members: Member[];
}


function call<T>(method: Method, path: string, body?: unknown, contentType?: string): Promise<T> {
  return request<T>(method, path, contentType ? { body, contentType } : { body });
}

const enc = encodeURIComponent;
function qs(query: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const childrenApi = {
  list: (query: ChildQuery) => call<Page<Child>>('GET', `/api/v1/children${qs({ ...query })}`),
  get: (id: string) => call<ChildDetail>('GET', `/api/v1/children/${enc(id)}`),
  create: (body: ChildFields & { schoolId: string }) => call<Child>('POST', '/api/v1/children', body),
  update: (id: string, body: Partial<ChildFields> & { version: number }) => call<Child>('PATCH', `/api/v1/children/${enc(id)}`, body),
  deactivate: (id: string, body: { version: number; leftOn?: string }) =>
    call<Child & { endedMemberships: number }>('POST', `/api/v1/children/${enc(id)}/deactivate`, body),
  reactivate: (id: string, body: { version: number }) => call<Child>('POST', `/api/v1/children/${enc(id)}/reactivate`, body),
  remove: (id: string, version: number) => call<void>('DELETE', `/api/v1/children/${enc(id)}?version=${version}`),
  templateUrl: (lang: 'zh-CN' | 'en') => `/api/v1/children/import/template?lang=${lang}`,
  previewImport: (schoolId: string, csv: string) =>
    call<ImportPreview>('POST', `/api/v1/children/import/preview?schoolId=${enc(schoolId)}`, csv, 'text/csv; charset=utf-8'),
  confirmImport: (token: string) => call<ImportResult>('POST', '/api/v1/children/import/confirm', { token }),
};

export const groupsApi = {
  list: (query: { schoolId?: string; childId?: string; coachId?: string } = {}) =>
    call<Page<GroupSummary>>('GET', `/api/v1/groups${qs({ ...query, pageSize: 200 })}`),
  get: (id: string) => call<GroupDetail>('GET', `/api/v1/groups/${enc(id)}`),
  coaches: (schoolId: string) => call<List<Coach>>('GET', `/api/v1/groups/coaches?schoolId=${enc(schoolId)}`),
  create: (body: { schoolId: string; name: string; activityCode: string; coachIds: string[] }) => call<GroupDetail>('POST', '/api/v1/groups', body),
  update: (id: string, body: { version: number; name?: string; activityCode?: string; coachIds?: string[] }) =>
    call<GroupDetail>('PATCH', `/api/v1/groups/${enc(id)}`, body),
  remove: (id: string, version: number) => call<void>('DELETE', `/api/v1/groups/${enc(id)}?version=${version}`),
  addMembers: (id: string, body: { version: number; childIds: string[]; joinedOn: string }) =>
    call<GroupDetail>('POST', `/api/v1/groups/${enc(id)}/members`, body),
  endMembership: (id: string, body: { version: number; childId: string; leftOn: string }) =>
    call<GroupDetail>('POST', `/api/v1/groups/${enc(id)}/members/leave`, body),
  removeMember: (id: string, body: { version: number; childId: string }) =>
    call<GroupDetail>('POST', `/api/v1/groups/${enc(id)}/members/remove`, body),
};

/**
 * Reads an uploaded CSV as text. Excel's "CSV UTF-8" is UTF-8 with a BOM; its plain "CSV" on a
 * Chinese Windows is GBK. Strict UTF-8 first, GBK (GB18030, its superset) when that fails.
 */
export async function readCsvFile(file: Blob): Promise<{ text: string; encoding: 'utf-8' | 'gb18030' }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}
