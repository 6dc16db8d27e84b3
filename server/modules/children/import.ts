// CSV roster import: preview (parse, validate, find duplicates; nothing written to the roster),
// then confirm with the preview's token (creates the valid, non-duplicate rows once).
//
// Once-only: the token is claimed by inserting a claim document keyed by the token (atomic on
// every engine); a retried confirm of a finished import gets the stored result and imports nothing. Each row's child id is
// chosen at preview time, so a confirm interrupted half-way (process killed) can be resumed by
// the same token without creating anyone twice.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { schoolToday } from '../../../shared/domain/dates.ts';
import { ROSTER_COLUMNS, ROSTER_TEMPLATE_KEYS, rosterLimits, type ChildFields } from '../../../shared/schemas/roster.ts';
import '../../db/counters.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import { authorizeSchool, type Actor } from '../../lib/policy.ts';
import { AuditEvent } from '../audit/model.ts';
import { auditSnapshot, recordAudit } from '../audit/service.ts';
import { duplicateKey, parseRosterCsv, type RowIssue } from './csv.ts';
import { RosterImport, RosterImportClaim } from './import-model.ts';
import { isDuplicateKeyError } from '../../lib/errors.ts';
import { Child, toChildJson, type ChildDoc } from './model.ts';
import { childCode, childCounterName, loadSchool } from './service.ts';
import { compareAndDelete } from '../../db/compare-and-set.ts';
import { reserveSequence } from '../../db/counters.ts';

const PREVIEW_MS = rosterLimits.importPreviewMinutes * 60_000;
/** A confirm stuck in "importing" this long (its process died) may be resumed by a retry. */
const STALE_CLAIM_MS = 2 * 60_000;
/** A finished import's result is kept this long for retried confirms, then deleted (product choice). */
const DONE_RETENTION_MS = 24 * 60 * 60_000;

export type DuplicateOf = { kind: 'file'; line: number } | { kind: 'roster'; childId: string; code: string; active: boolean };

export interface PreviewRow {
  line: number;
  status: 'new' | 'error' | 'duplicate';
  cells: Record<string, string>;
  child: ChildFields | null;
  errors: RowIssue[];
  duplicateOf: DuplicateOf | null;
}

/** Deletes expired previews and old finished imports (periodic delete instead of a TTL index). */
export async function deleteExpiredRosterImports(now = Date.now()): Promise<number> {
  await RosterImportClaim.deleteMany({ claimedAt: { $lt: new Date(now - DONE_RETENTION_MS) } });
  const res = await RosterImport.deleteMany({
    $or: [
      { state: { $in: ['ready', 'importing'] }, createdAt: { $lt: new Date(now - PREVIEW_MS - STALE_CLAIM_MS) } },
      { state: 'done', createdAt: { $lt: new Date(now - DONE_RETENTION_MS) } },
    ],
  });
  return res.deletedCount;
}

/** Duplicate keys of a school's roster (every child, active or not) → the child. */
async function rosterKeys(schoolId: string, exceptImport?: string) {
  const filter: Record<string, unknown> = { schoolId: new mongoose.Types.ObjectId(schoolId) };
  if (exceptImport) filter.importId = { $ne: exceptImport };
  const children = await Child.find(filter)
    .select({ displayName: 1, birthYear: 1, birthMonth: 1, grade: 1, className: 1, code: 1, active: 1 })
    .lean<ChildDoc[]>();
  const map = new Map<string, ChildDoc>();
  for (const c of children) map.set(duplicateKey({ ...c, className: c.className ?? '' }), c);
  return map;
}

export async function previewRosterImport(actor: Actor, schoolId: string, csvText: string) {
  authorizeSchool(actor, 'child:write', schoolId);
  const school = await loadSchool(schoolId);
  if (Buffer.byteLength(csvText, 'utf8') > rosterLimits.importBytes) {
    throw new AppError(413, 'payload_too_large', `The CSV is larger than ${rosterLimits.importBytes / 1_000_000} MB. Split it (for example by grade).`);
  }
  const today = schoolToday(new Date(), school.timeZone);
  const parsed = parseRosterCsv(csvText, today);

  const roster = await rosterKeys(schoolId);
  const firstLineOf = new Map<string, number>();
  const rows: PreviewRow[] = parsed.rows.map((row) => {
    let duplicateOf: DuplicateOf | null = null;
    if (row.child) {
      const key = duplicateKey(row.child);
      const existing = roster.get(key);
      if (existing) duplicateOf = { kind: 'roster', childId: String(existing._id), code: existing.code, active: existing.active ?? true };
      else if (firstLineOf.has(key)) duplicateOf = { kind: 'file', line: firstLineOf.get(key)! };
      else firstLineOf.set(key, row.line);
    }
    return {
      line: row.line,
      status: row.errors.length > 0 ? 'error' : duplicateOf ? 'duplicate' : 'new',
      cells: row.cells as Record<string, string>,
      child: row.child,
      errors: row.errors,
      duplicateOf,
    };
  });
  const toImport = rows.filter((r) => r.status === 'new');
  const counts = {
    rows: rows.length,
    new: toImport.length,
    errors: rows.filter((r) => r.status === 'error').length,
    duplicates: rows.filter((r) => r.status === 'duplicate').length,
  };

  await deleteExpiredRosterImports();
  let token: string | null = null;
  const createdAt = new Date();
  if (toImport.length > 0) {
    token = randomBytes(16).toString('hex');
    await RosterImport.create({
      _id: token,
      schoolId,
      createdBy: actor.id,
      createdAt,
      state: 'ready',
      rows: toImport.map((r) => ({ childId: new mongoose.Types.ObjectId(), line: r.line, child: r.child })),
      counts,
    });
  }
  return {
    token,
    schoolId,
    expiresAt: token ? new Date(createdAt.getTime() + PREVIEW_MS).toISOString() : null,
    delimiter: parsed.delimiter === '\t' ? 'tab' : parsed.delimiter,
    headerLine: parsed.headerLine,
    columns: parsed.columns,
    ignoredHeaders: parsed.ignoredHeaders,
    counts,
    rows,
  };
}

interface ImportResult {
  token: string;
  schoolId: string;
  imported: number;
  skippedDuplicates: number;
  errors: number;
  children: { line: number; id: string; code: string }[];
}

type ImportDoc = {
  _id: string;
  schoolId: mongoose.Types.ObjectId;
  createdBy: mongoose.Types.ObjectId;
  createdAt: Date;
  state: 'ready' | 'importing' | 'done';
  claimedAt: Date | null;
  rows: { childId: mongoose.Types.ObjectId; line: number; child: ChildFields }[];
  counts: { rows: number; new: number; errors: number; duplicates: number };
  result: ImportResult | null;
};

export async function confirmRosterImport(actor: Actor, token: string) {
  const found = await RosterImport.findById(token).lean<ImportDoc>();
  if (!found) throw new AppError(404, 'preview_not_found', 'This import preview is unknown or has expired. Upload the file again.');
  const schoolId = String(found.schoolId);
  authorizeSchool(actor, 'child:write', schoolId);
  if (String(found.createdBy) !== actor.id) throw forbidden('Only the person who previewed this import can confirm it.');
  if (found.state === 'done') return { ...found.result!, replayed: true };
  if (found.state === 'ready' && found.createdAt.getTime() + PREVIEW_MS < Date.now()) {
    await RosterImport.deleteOne({ _id: token, state: 'ready' });
    throw new AppError(410, 'preview_expired', `This preview is older than ${rosterLimits.importPreviewMinutes} minutes. Upload the file again.`);
  }

  // Claim the token: only one confirm runs the import.
  const now = new Date();
  if (!(await claim(token, now))) {
    const current = await RosterImport.findById(token).lean<ImportDoc>();
    if (current?.state === 'done') return { ...current.result!, replayed: true };
    throw new AppError(409, 'import_in_progress', 'This import is being confirmed right now. Wait a moment and reload the roster.');
  }
  // Another confirm may have finished between our first read and our claim.
  const claimed = await RosterImport.findById(token).lean<ImportDoc>();
  if (!claimed) throw new AppError(404, 'preview_not_found', 'This import preview is unknown or has expired. Upload the file again.');
  if (claimed.state === 'done') return { ...claimed.result!, replayed: true };
  await RosterImport.updateOne({ _id: token }, { $set: { state: 'importing', claimedAt: now } });

  try {
    const result = await runImport(actor, claimed);
    await RosterImport.updateOne({ _id: token }, { $set: { state: 'done', result, rows: [] } });
    return { ...result, replayed: false };
  } catch (err) {
    // Release the claim so the same token can be confirmed again; rows already inserted are kept
    // (their ids were fixed at preview time, so the retry skips them).
    await RosterImport.updateOne({ _id: token, state: 'importing' }, { $set: { state: 'ready', claimedAt: null } });
    await RosterImportClaim.deleteOne({ _id: token });
    throw err;
  }
}

/** True when this request now holds the token; takes over a claim left by a process that died. */
async function claim(token: string, now: Date): Promise<boolean> {
  try {
    await RosterImportClaim.create({ _id: token, claimedAt: now });
    return true;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const existing = await RosterImportClaim.findById(token).lean<{ claimedAt: Date }>();
  if (existing && existing.claimedAt.getTime() >= now.getTime() - STALE_CLAIM_MS) return false;
  if (existing) await compareAndDelete(RosterImportClaim, token, { claimedAt: existing.claimedAt });
  try {
    await RosterImportClaim.create({ _id: token, claimedAt: now });
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

async function runImport(actor: Actor, doc: ImportDoc): Promise<ImportResult> {
  const schoolId = String(doc.schoolId);
  const school = await loadSchool(schoolId);
  const ids = doc.rows.map((r) => r.childId);
  // Resume after an interrupted confirm: children of this import that already exist stay as they are.
  const already = await Child.find({ _id: { $in: ids } }).select({ _id: 1, code: 1 }).lean<ChildDoc[]>();
  const existingById = new Map(already.map((c) => [String(c._id), c.code]));
  // Someone may have added the same child by hand since the preview: check the roster again.
  const roster = await rosterKeys(schoolId, doc._id);
  const pending = doc.rows.filter((r) => !existingById.has(String(r.childId)));
  const toInsert = pending.filter((r) => !roster.has(duplicateKey(r.child)));
  const lateDuplicates = pending.length - toInsert.length;

  const created: ChildDoc[] = [];
  if (toInsert.length > 0) {
    const first = await reserveSequence(childCounterName(schoolId), toInsert.length);
    const now = new Date();
    const docs = toInsert.map((r, i) => ({
      _id: r.childId,
      ...r.child,
      schoolId: doc.schoolId,
      code: childCode(school.code, first + i),
      active: true,
      deactivatedOn: null,
      importId: doc._id,
      version: 0,
      createdAt: now,
      updatedAt: now,
    }));
    for (let i = 0; i < docs.length; i += 500) {
      const inserted = await Child.insertMany(docs.slice(i, i + 500), { ordered: true });
      created.push(...inserted.map((d) => d.toObject() as ChildDoc));
    }
    // One audit entry per child (the roster's audit trail stays per record), written in batches.
    const events = created.map((c) => ({
      at: now,
      actorId: new mongoose.Types.ObjectId(actor.id),
      actorUsername: actor.username,
      action: 'create',
      entity: 'child',
      entityId: String(c._id),
      schoolId: doc.schoolId,
      before: null,
      after: auditSnapshot(toChildJson(c)),
      meta: { importId: doc._id },
    }));
    for (let i = 0; i < events.length; i += 500) await AuditEvent.insertMany(events.slice(i, i + 500));
  }

  const codeById = new Map([...existingById, ...created.map((c) => [String(c._id), c.code] as const)]);
  const children = doc.rows
    .filter((r) => codeById.has(String(r.childId)))
    .map((r) => ({ line: r.line, id: String(r.childId), code: codeById.get(String(r.childId))! }));
  const result: ImportResult = {
    token: doc._id,
    schoolId,
    imported: children.length,
    skippedDuplicates: doc.counts.duplicates + lateDuplicates,
    errors: doc.counts.errors,
    children,
  };
  await recordAudit({
    actor,
    action: 'create',
    entity: 'roster_import',
    entityId: doc._id,
    schoolId,
    meta: { rows: doc.counts.rows, imported: result.imported, skippedDuplicates: result.skippedDuplicates, errors: result.errors },
  });
  return result;
}

/** The CSV template: header row only, in the chosen language, with a BOM so Excel reads UTF-8. */
export function rosterTemplateCsv(lang: 'zh-CN' | 'en'): string {
  const headers = ROSTER_TEMPLATE_KEYS.map((key) => {
    const col = ROSTER_COLUMNS.find((c) => c.key === key)!;
    return lang === 'en' ? col.en : col.zh;
  });
  return `\uFEFF${headers.join(',')}\r\n`;
}
