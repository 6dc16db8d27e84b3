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
  | 'audit:read'
  /** Roster with names (teachers and counsellors of the school; never researchers). */
  | 'child:read'
  | 'child:write'
  | 'group:read'
  | 'group:write'
  | 'programme:read'
  | 'programme:write'
  /** Session log and attendance register. */
  | 'session:read'
  | 'session:write'
  /** Dose summaries and the delivery dashboard (attendance-derived, no scores). */
  | 'delivery:read'
  | 'instrument:read'
  | 'instrument:manage'
  /** Questionnaire answers and scores with names: counsellors only (and admins). */
  | 'assessment:read'
  | 'assessment:write'
  /** De-identified results and statistics. */
  | 'results:read'
  | 'export:create';

const all: Permission[] = [
  'school:read', 'school:manage', 'user:manage', 'audit:read', 'child:read', 'child:write', 'group:read', 'group:write',
  'programme:read', 'programme:write', 'session:read', 'session:write', 'delivery:read', 'instrument:read',
  'instrument:manage', 'assessment:read', 'assessment:write', 'results:read', 'export:create',
];

const grants: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set<Permission>(all),
  // PE teachers run the programmes: roster, groups, plans, sessions, attendance; never scores.
  pe_teacher: new Set<Permission>([
    'school:read', 'child:read', 'child:write', 'group:read', 'group:write', 'programme:read', 'programme:write',
    'session:read', 'session:write', 'delivery:read',
  ]),
  // Counsellors enter and read questionnaires and see attendance for their worklist.
  counsellor: new Set<Permission>([
    'school:read', 'child:read', 'child:write', 'group:read', 'programme:read', 'session:read', 'delivery:read',
    'instrument:read', 'assessment:read', 'assessment:write',
  ]),
  // Researchers see de-identified results and exports only: no names, no raw registers.
  researcher: new Set<Permission>(['school:read', 'programme:read', 'delivery:read', 'instrument:read', 'results:read', 'export:create']),
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

/** Roles that hold a permission (for the API reference: it names who may call each route). */
export function rolesWith(permission: Permission): Role[] {
  return (Object.keys(grants) as Role[]).filter((role) => grants[role].has(permission));
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

/**
 * A programme may span schools. `all`: every one of its schools must be reachable (changing it,
 * or reading its plan and schedule); `any`: one is enough (reading records of one's own school
 * inside it — the caller filters out the other schools' records). Admins reach every school.
 */
export function authorizeProgramme(
  actor: Actor | null,
  permission: Permission,
  programme: { schoolIds: readonly unknown[] },
  mode: 'any' | 'all',
): asserts actor is Actor {
  authorize(actor, permission);
  if (!canReachProgramme(actor, programme, mode)) {
    throw forbidden('This programme includes a school you do not have access to.');
  }
}

/** The same rule as a filter for lists (see authorizeProgramme). */
export function canReachProgramme(actor: Actor, programme: { schoolIds: readonly unknown[] }, mode: 'any' | 'all'): boolean {
  const reach = (id: unknown) => canReachSchool(actor, String(id));
  return mode === 'any' ? programme.schoolIds.some(reach) : programme.schoolIds.every(reach);
}
