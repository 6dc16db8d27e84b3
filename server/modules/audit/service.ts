import { TZDate } from '@date-fns/tz';
import mongoose from 'mongoose';
import { badRequest } from '../../lib/errors.ts';
import type { AuditQuery, auditActions } from '../../../shared/schemas/accounts.ts';
import type { Actor } from '../../lib/policy.ts';
import { AuditEvent, type AuditEventDoc } from './model.ts';

export type AuditAction = (typeof auditActions)[number];

/** Keys never written to the audit trail, at any depth. */
const secretKeys = new Set(['passwordHash', 'password', 'token', 'tokenHash', 'csrfToken']);

/**
 * Plain JSON copy without secrets. Keys starting with `$` or containing `.` cannot be stored
 * portably (shared/DESIGN.md §2 rule 6), so they are escaped.
 */
export function auditSnapshot(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const plain = JSON.parse(JSON.stringify(value)) as unknown;
  const clean = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) {
        if (secretKeys.has(k)) continue;
        out[k.replace(/^\$/, '＄').replace(/\./g, '．')] = clean(inner);
      }
      return out;
    }
    return v;
  };
  return clean(plain);
}

export interface AuditEntry {
  actor: Pick<Actor, 'id' | 'username'> | null;
  action: AuditAction;
  entity: string;
  entityId?: string | null;
  schoolId?: string | null;
  before?: unknown;
  after?: unknown;
  meta?: unknown;
}

/**
 * The stored audit document of an entry, with every field of the schema (model.ts) already in its
 * stored type, so recordAudit can insert it through the driver (tests pin it to mongoose's cast).
 */
export function auditEventDocument(entry: AuditEntry, at = new Date()): AuditEventDoc {
  const objectId = (id: string | null | undefined) => (id ? new mongoose.Types.ObjectId(id) : null);
  return {
    _id: new mongoose.Types.ObjectId(),
    at,
    actorId: objectId(entry.actor?.id),
    actorUsername: entry.actor?.username ?? null,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId ?? null,
    schoolId: objectId(entry.schoolId),
    before: auditSnapshot(entry.before),
    after: auditSnapshot(entry.after),
    meta: auditSnapshot(entry.meta),
  };
}

/**
 * Appends an entry. Inserted through the driver, not Model.create: a mongoose document of two
 * whole session snapshots cost the register save about half a millisecond of the app's CPU to
 * build, validate and serialise (issue 11, bench/register-save.ts profile).
 */
export async function recordAudit(entry: AuditEntry): Promise<void> {
  await AuditEvent.collection.insertOne(auditEventDocument(entry));
}

export function toAuditJson(doc: AuditEventDoc) {
  return {
    id: String(doc._id),
    at: doc.at.toISOString(),
    actor: doc.actorId ? { id: String(doc.actorId), username: doc.actorUsername } : null,
    action: doc.action,
    entity: doc.entity,
    entityId: doc.entityId,
    schoolId: doc.schoolId ? String(doc.schoolId) : null,
    before: doc.before,
    after: doc.after,
    meta: doc.meta,
  };
}

/** The instant a calendar day (plus `addDays`) starts in a time zone. */
function startOfDayIn(day: string, timeZone: string, addDays = 0): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const start = new TZDate(y, m - 1, d + addDays, timeZone);
  if (Number.isNaN(start.getTime())) throw badRequest('invalid_input', `Invalid query: timeZone: "${timeZone}" is not a known time zone`);
  return new Date(start.getTime());
}

export async function listAudit(query: AuditQuery) {
  const filter: Record<string, unknown> = {};
  if (query.entity) filter.entity = query.entity;
  if (query.action) filter.action = query.action;
  if (query.entityId) filter.entityId = query.entityId;
  if (query.actorId) filter.actorId = new mongoose.Types.ObjectId(query.actorId);
  if (query.from || query.to) {
    const at: Record<string, Date> = {};
    if (query.from) at.$gte = startOfDayIn(query.from, query.timeZone);
    // `to` is inclusive: everything before the start of the following day.
    if (query.to) at.$lt = startOfDayIn(query.to, query.timeZone, 1);
    filter.at = at;
  }
  const [items, total] = await Promise.all([
    AuditEvent.find(filter)
      .sort({ at: -1, _id: -1 })
      .skip((query.page - 1) * query.pageSize)
      .limit(query.pageSize)
      .lean<AuditEventDoc[]>(),
    AuditEvent.countDocuments(filter),
  ]);
  return { items: items.map(toAuditJson), total, page: query.page, pageSize: query.pageSize };
}
