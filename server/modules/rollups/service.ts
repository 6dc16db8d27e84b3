// Report rollups: the delivery report of a programme (a county's, too) reads one document per
// school — the report rows of its groups — instead of every group summary plus every group.
//
// Kept up to date by the dose recompute: after it writes the group summaries
// (server/modules/dose), `applyGroupDoses` copies those plain outputs into the rows of the
// groups' schools. So a register save → its group's recompute → that school's rollup, and a
// reader's freshness check (ensureFreshDose with the rows' asOf/sourceReadAt/stamp) recomputes
// what is stale, which rewrites the rows. Idempotent: the same summaries give the same rows; a
// row is only replaced by one computed from a later read (same rule as the summaries). The full
// rebuild (`rebuildProgrammeRollups`, `npm run rollups:recompute`) derives every row again from
// the stored group summaries.
import mongoose from 'mongoose';
import { statusCounts, type Check, type CheckStatus } from '../../../shared/domain/check.ts';
import type { GroupWeek } from '../../../shared/schemas/register.ts';
import { compareAndDelete, compareAndSet } from '../../db/compare-and-set.ts';
import { findByIds } from '../../db/find-by-ids.ts';
import { isDuplicateKeyError } from '../../lib/errors.ts';
import { GroupDose } from '../dose/group-model.ts';
import { Group } from '../groups/model.ts';
import type { ProgrammeDoc } from '../programmes/model.ts';
import { SchoolRollup, type SchoolRollupDoc } from './model.ts';

type Counts = Record<CheckStatus, number>;

export interface GroupChildren {
  count: number;
  byWorst: Counts;
  byCheck: Record<string, Counts>;
}

/** One group of the report, as the dose recompute computed it (GroupDose), with its name. */
export interface RollupRow {
  groupId: string;
  schoolId: string;
  name: string;
  activityCode: string | null;
  asOf: string;
  /** When the recompute read its sources (a later read wins). */
  sourceReadAt: Date;
  stamp: unknown;
  summary: unknown;
  checks: Check[];
  weekly: GroupWeek[];
  children: GroupChildren;
}

type ProgrammeRef = Pick<ProgrammeDoc, '_id' | 'schoolIds'>;
interface GroupInfo {
  _id: unknown;
  name?: string | null;
  activityCode?: string | null;
}

const rollupId = (programmeId: string, schoolId: string) => `${programmeId}:${schoolId}`;

/** A stored group summary (GroupDose document) as a report row. */
export function rowFromGroupDose(doc: Record<string, unknown>, group: GroupInfo | undefined): RollupRow {
  const groupId = String(doc.groupId);
  return {
    groupId,
    schoolId: String(doc.schoolId),
    name: group?.name ?? groupId,
    activityCode: group?.activityCode ?? null,
    asOf: doc.asOf as string,
    sourceReadAt: new Date(doc.sourceReadAt as Date),
    stamp: doc.stamp ?? null,
    summary: doc.summary,
    checks: doc.checks as Check[],
    weekly: doc.weekly as GroupWeek[],
    children: doc.children as GroupChildren,
  };
}

/** The school's weeks: per week, the sums of its groups' weekly figures. */
export function schoolWeeks(rows: readonly RollupRow[]): GroupWeek[] {
  const weeks = new Map<number, GroupWeek>();
  for (const row of rows) {
    for (const w of row.weekly) {
      const t = weeks.get(w.week) ?? { week: w.week, held: 0, cancelled: 0, aerobicMinutes: 0, qualifyingMinutes: 0, qualifyingSessions: 0, marks: 0, attended: 0 };
      t.held += w.held;
      t.cancelled += w.cancelled;
      t.aerobicMinutes += w.aerobicMinutes;
      t.qualifyingMinutes += w.qualifyingMinutes;
      t.qualifyingSessions += w.qualifyingSessions;
      t.marks += w.marks;
      t.attended += w.attended;
      weeks.set(w.week, t);
    }
  }
  return [...weeks.values()].sort((a, b) => a.week - b.week);
}

/** The school's children: the sums of its groups' children counts. */
export function schoolChildren(rows: readonly RollupRow[]): GroupChildren {
  const total: GroupChildren = { count: 0, byWorst: statusCounts(), byCheck: {} };
  for (const row of rows) {
    total.count += row.children.count;
    for (const [k, v] of Object.entries(row.children.byWorst)) total.byWorst[k as CheckStatus] += v;
    for (const [check, counts] of Object.entries(row.children.byCheck)) {
      const target = (total.byCheck[check] ??= statusCounts());
      for (const [k, v] of Object.entries(counts)) target[k as CheckStatus] += v;
    }
  }
  return total;
}

/**
 * Updates of one school's rollup run one after another in this process. Between processes the
 * version guard below decides (atomic on MongoDB; FerretDB's updates are read-modify-write, so
 * there the embedded engine's single app process relies on this queue, shared/DESIGN.md §2.7).
 */
const schoolQueues = new Map<string, Promise<unknown>>();
function inSchoolQueue<T>(id: string, work: () => Promise<T>): Promise<T> {
  const next = (schoolQueues.get(id) ?? Promise.resolve()).then(work);
  const tail = next.catch(() => undefined);
  schoolQueues.set(id, tail);
  void tail.then(() => {
    if (schoolQueues.get(id) === tail) schoolQueues.delete(id);
  });
  return next;
}

/**
 * Changes one school's rollup by read, change, conditional write (version): the loser of a race
 * reads again and re-applies its change, so no update loses another's rows.
 */
function updateSchool(programmeId: string, schoolId: string, change: (rows: RollupRow[]) => RollupRow[]): Promise<void> {
  const id = rollupId(programmeId, schoolId);
  return inSchoolQueue(id, () => writeSchool(programmeId, schoolId, id, change));
}

async function writeSchool(programmeId: string, schoolId: string, id: string, change: (rows: RollupRow[]) => RollupRow[]): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await SchoolRollup.findById(id).lean<SchoolRollupDoc & { _id: string }>();
    const rows = change(current ? parseRows(current.rowsJson) : []);
    rows.sort((a, b) => a.name.localeCompare(b.name) || a.groupId.localeCompare(b.groupId));
    const fields = { rowsJson: JSON.stringify(rows), weekly: schoolWeeks(rows), children: schoolChildren(rows), updatedAt: new Date() };
    if (!current) {
      if (rows.length === 0) return;
      try {
        await SchoolRollup.create({ _id: id, programmeId, schoolId, ...fields, version: 0 });
        return;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        continue; // created meanwhile by another process: read it and apply again
      }
    }
    if (rows.length === 0) {
      if (await compareAndDelete(SchoolRollup, id, { version: current.version })) return;
      continue;
    }
    if (await compareAndSet(SchoolRollup, id, { version: current.version }, { $set: fields, $inc: { version: 1 } })) return;
  }
  throw new Error(`The rollup ${id} kept changing under 20 attempts to update it.`);
}

/** Rows merged: a new row replaces the stored one unless the stored one was computed from a later read. */
function merge(rows: RollupRow[], incoming: readonly RollupRow[], removed: ReadonlySet<string>): RollupRow[] {
  const byGroup = new Map(rows.filter((r) => !removed.has(r.groupId)).map((r) => [r.groupId, r]));
  for (const row of incoming) {
    const stored = byGroup.get(row.groupId);
    if (!stored || stored.sourceReadAt.getTime() <= row.sourceReadAt.getTime()) byGroup.set(row.groupId, row);
  }
  return [...byGroup.values()];
}

/**
 * Called by the dose recompute after it wrote `groupDoses` (GroupDose documents) and deleted the
 * summaries `goneGroupDoseIds` (`programme:group`). `full`: every group of the programme was
 * recomputed, so rollups are rebuilt from these rows alone (a school left without groups loses
 * its rollup).
 */
export async function applyGroupDoses(
  programme: ProgrammeRef,
  groupDoses: readonly Record<string, unknown>[],
  groups: readonly (GroupInfo & { schoolId?: unknown })[],
  goneGroupDoseIds: readonly string[],
  full: boolean,
): Promise<void> {
  const pid = String(programme._id);
  const info = new Map(groups.map((g) => [String(g._id), g]));
  const bySchool = new Map<string, RollupRow[]>();
  for (const doc of groupDoses) {
    const school = String(doc.schoolId);
    const list = bySchool.get(school) ?? [];
    list.push(rowFromGroupDose(doc, info.get(String(doc.groupId))));
    bySchool.set(school, list);
  }
  const removed = new Set(goneGroupDoseIds.map((id) => id.split(':')[1] ?? ''));
  // Schools whose rollup may hold a removed group (or, for a full rebuild, any group): all of
  // the programme's schools, read by _id; otherwise only the recomputed groups' schools.
  const schools = new Set(bySchool.keys());
  if (full || removed.size > 0) for (const s of programme.schoolIds) schools.add(String(s));
  if (full) {
    const existing = await findByIds<{ _id: string; schoolId: unknown }>(SchoolRollup, programme.schoolIds.map((s) => rollupId(pid, String(s))), { schoolId: 1 });
    for (const doc of existing) schools.add(String(doc.schoolId));
  }
  for (const school of schools) {
    const incoming = bySchool.get(school) ?? [];
    await updateSchool(pid, school, (rows) => (full ? merge([], incoming, removed) : merge(rows, incoming, removed)));
  }
}

/** The report rows of a programme: one read per school. */
export async function readRollupRows(programme: ProgrammeRef): Promise<RollupRow[]> {
  const pid = String(programme._id);
  const docs = await findByIds<SchoolRollupDoc>(SchoolRollup, programme.schoolIds.map((s) => rollupId(pid, String(s))));
  return docs.flatMap((d) => parseRows(d.rowsJson));
}

/** Stored rows (JSON text; dates as ISO strings) back as rows. */
export function parseRows(json: string): RollupRow[] {
  return (JSON.parse(json) as RollupRow[]).map((r) => ({ ...r, sourceReadAt: new Date(r.sourceReadAt) }));
}

/** The schools' weekly totals and children counts of a programme (for county views). */
export async function readSchoolRollups(programme: ProgrammeRef) {
  const pid = String(programme._id);
  const docs = await findByIds<SchoolRollupDoc>(SchoolRollup, programme.schoolIds.map((s) => rollupId(pid, String(s))), { schoolId: 1, weekly: 1, children: 1 });
  return docs.map((d) => ({ schoolId: String(d.schoolId), weekly: d.weekly as GroupWeek[], children: d.children as GroupChildren }));
}

/**
 * Rebuilds a programme's rollups from its stored group summaries (no dose recompute): for the
 * recompute command, and after restoring a backup.
 */
export async function rebuildProgrammeRollups(programme: ProgrammeRef & Pick<ProgrammeDoc, 'groupIds'>): Promise<{ schools: number; groups: number }> {
  const pid = String(programme._id);
  const docs = await findByIds<Record<string, unknown>>(GroupDose, programme.groupIds.map((g) => `${pid}:${String(g)}`));
  const groups = await findByIds<GroupInfo & { schoolId: unknown }>(Group, programme.groupIds, { name: 1, activityCode: 1, schoolId: 1 });
  await applyGroupDoses(programme, docs, groups, [], true);
  return { schools: new Set(docs.map((d) => String(d.schoolId))).size, groups: docs.length };
}

/** Removes a programme's rollups (the programme is gone). */
export async function deleteProgrammeRollups(programmeId: string | mongoose.Types.ObjectId): Promise<void> {
  await SchoolRollup.deleteMany({ programmeId });
}
