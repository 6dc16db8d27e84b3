// The one place that decides who may do what on which school's data. Every route declares the
// permission it needs (see route.ts); services call `authorizeSchool` for the school a record
// belongs to. Children are minors and their scores are sensitive (shared/DESIGN.md §1): users
// see only their own schools, and only admins manage accounts or read the audit trail.
import type { Role } from '../../shared/schemas/accounts.ts';
import { forbidden, unauthenticated } from './errors.ts';

export type Permission =
  | 'school:read'
  | 'school:manage'
  | 'user:manage'
  | 'audit:read';

const grants: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set<Permission>(['school:read', 'school:manage', 'user:manage', 'audit:read']),
  pe_teacher: new Set<Permission>(['school:read']),
  counsellor: new Set<Permission>(['school:read']),
  researcher: new Set<Permission>(['school:read']),
};

export interface Actor {
  id: string;
  username: string;
  role: Role;
  schoolIds: readonly string[];
}

export function hasPermission(actor: Actor, permission: Permission): boolean {
  return grants[actor.role].has(permission);
}

export function authorize(actor: Actor | null, permission: Permission): asserts actor is Actor {
  if (!actor) throw unauthenticated();
  if (!hasPermission(actor, permission)) throw forbidden();
}

/** Admins reach every school; everyone else only the schools on their account. */
export function canReachSchool(actor: Actor, schoolId: string): boolean {
  return actor.role === 'admin' || actor.schoolIds.includes(schoolId);
}

export function authorizeSchool(actor: Actor | null, permission: Permission, schoolId: string): asserts actor is Actor {
  authorize(actor, permission);
  if (!canReachSchool(actor, schoolId)) throw forbidden('This belongs to a school you do not have access to.');
}

/** Schools whose records a listing may include: `'all'` for admins. */
export function schoolScope(actor: Actor): 'all' | readonly string[] {
  return actor.role === 'admin' ? 'all' : actor.schoolIds;
}
