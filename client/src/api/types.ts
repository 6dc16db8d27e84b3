// Resource shapes as the API returns them (JSON: dates are ISO strings).

export const ROLES = ['admin', 'pe_teacher', 'counsellor', 'researcher'] as const;
export type Role = (typeof ROLES)[number];

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const SETTINGS = ['rural', 'urban'] as const;
export type Setting = (typeof SETTINGS)[number];

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  schoolIds: string[];
  active: boolean;
  locale?: Locale;
  /** Sent by the server (not in the first contract): null until the first sign-in. */
  lastLoginAt?: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Session {
  setupRequired: boolean;
  user: User | null;
  csrfToken: string;
}

export interface Health {
  status: 'ok';
  database: { engine: 'mongod' | 'ferretdb' | 'external'; version: string };
}

export interface School {
  id: string;
  code: string;
  name: string;
  region: string;
  county: string;
  setting: Setting;
  timeZone: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface SchoolInput {
  name: string;
  region: string;
  county: string;
  setting: Setting;
  timeZone?: string;
}

export type SchoolPatch = Partial<SchoolInput> & { version: number };

export interface UserInput {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  schoolIds: string[];
  locale?: Locale;
}

export type UserPatch = Partial<{
  displayName: string;
  role: Role;
  schoolIds: string[];
  active: boolean;
  password: string;
  locale: Locale;
}> & { version: number };

export const AUDIT_ACTIONS = [
  'create',
  'update',
  'delete',
  'login',
  'logout',
  'login_failed',
  'export',
  'revoke',
  'first_use',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Entities the audit trail records so far; later features add more (the filter takes any). */
export const AUDIT_ENTITIES = [
  'user', 'school', 'sign_in', 'child', 'roster_import', 'group', 'programme', 'schedule', 'session', 'dose',
  'instrument', 'programme_waves', 'assessment', 'export', 'api_token',
] as const;

export interface AuditEntry {
  id: string;
  at: string;
  actor: { id: string; username: string } | null;
  action: AuditAction;
  entity: string;
  /** null for events without a record, e.g. a failed sign-in. */
  entityId: string | null;
  schoolId?: string | null;
  /** The server sends null (not absent) when there is no before/after state. */
  before?: unknown;
  after?: unknown;
  /** Extra facts, e.g. { username } of a failed sign-in. */
  meta?: Record<string, unknown> | null;
}

export interface AuditQuery {
  entity?: string;
  action?: string;
  actorId?: string;
  entityId?: string;
  /** yyyy-MM-dd (UTC day); `to` is inclusive. */
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface List<T> {
  items: T[];
}

/** Body of every non-2xx response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

// Limits live once in shared/ (also used by the API schemas and models); forms check them so
// people see a problem before submitting.
export { accountLimits } from '../../../shared/limits.ts';
import { accountLimits } from '../../../shared/limits.ts';
export const PASSWORD_MIN = accountLimits.passwordMin;
export const PASSWORD_MAX = accountLimits.passwordMax;
