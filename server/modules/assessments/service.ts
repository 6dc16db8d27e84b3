// Questionnaire entry (issue 6): one assessment = one child × programme × instrument version ×
// wave. The server scores with the same shared `scoreAssessment` the entry grid shows live, so the
// stored score equals what the counsellor saw. No answer is stored without a recorded guardian
// consent (PIPL art. 28/31: personal information of children under 14 is sensitive and needs the
// guardian's consent).
import mongoose from 'mongoose';
import { schoolToday } from '../../../shared/domain/dates.ts';
import { ScoringError, scoreAssessment, validateAnswers, type AssessmentScore } from '../../../shared/domain/scoring.ts';
import {
  entryDifferences,
  isInWindow,
  windowOf,
  type CreateAssessmentInput,
  type ListAssessmentsQuery,
  type SecondEntryInput,
  type UpdateAssessmentInput,
} from '../../../shared/schemas/assessments-api.ts';
import type { Wave } from '../../../shared/schemas/child.ts';
import type { InstrumentDefinition } from '../../../shared/schemas/instrument.ts';
import { AppError, conflict, isDuplicateKeyError, notFound, versionConflict } from '../../lib/errors.ts';
import { writtenBy } from '../../lib/idempotency.ts';
import { authorizeSchool, schoolScope, type Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { Child, type ChildDoc } from '../children/model.ts';
import { Group, type GroupDoc } from '../groups/model.ts';
import { definitionOf, instrumentVersion } from '../instruments/service.ts';
import type { ProgrammeDoc } from '../programmes/model.ts';
import { authorizeProgramme, loadProgramme, toWavesJson } from '../waves/service.ts';
import { Assessment, type AssessmentDoc } from './model.ts';
import { compareAndDelete, compareAndSet } from '../../db/compare-and-set.ts';
import { requireDeleteVersion } from '../../lib/delete-version.ts';

const unprocessable = (code: string, message: string, details?: unknown) => new AppError(422, code, message, details);

interface SecondEntry {
  enteredBy: string;
  at: string;
  answers: (number | null)[];
  missing: { item: number; reason: string }[];
}

export function toAssessmentJson(doc: AssessmentDoc) {
  const answers = (doc.answers ?? []) as (number | null)[];
  const second = (doc.secondEntry ?? null) as SecondEntry | null;
  const differences = second ? entryDifferences(answers, second.answers) : null;
  return {
    id: String(doc._id),
    schoolId: String(doc.schoolId),
    childId: String(doc.childId),
    programmeId: String(doc.programmeId),
    instrumentCode: doc.instrumentCode,
    instrumentVersion: doc.instrumentVersion,
    wave: doc.wave as Wave,
    date: doc.date,
    answers,
    missing: (doc.missing ?? []).map((m) => ({ item: m.item, reason: m.reason })),
    score: doc.score as AssessmentScore,
    enteredBy: String(doc.enteredBy),
    outsideWindowConfirmed: doc.outsideWindowConfirmed ?? false,
    secondEntry: second ? { enteredBy: second.enteredBy, at: second.at, answers: second.answers, missing: second.missing, differences } : null,
    /** Double-entry status: null = no second entry yet; true = both entries agree. */
    verified: differences ? differences.length === 0 : null,
    version: doc.version ?? 0,
    createdAt: doc.createdAt ? new Date(doc.createdAt).toISOString() : null,
    updatedAt: doc.updatedAt ? new Date(doc.updatedAt).toISOString() : null,
  };
}
export type AssessmentJson = ReturnType<typeof toAssessmentJson>;

async function loadChild(childId: string): Promise<ChildDoc> {
  const child = await Child.findById(childId).lean<ChildDoc>();
  if (!child) throw notFound('The child');
  return child;
}

/** PIPL: no answers without the guardian's consent, recorded on the child before the questionnaire date. */
export function assertConsent(child: ChildDoc, date: string): void {
  const childId = String(child._id);
  if (!child.guardianConsentDate) {
    throw unprocessable(
      'guardian_consent_required',
      "No guardian consent is recorded for this child, so no answers can be saved. Record the guardian's consent date on the child's record first (China's PIPL treats the data of children under 14 as sensitive).",
      { childId },
    );
  }
  if (child.guardianConsentDate > date) {
    throw unprocessable(
      'consent_after_assessment',
      `The guardian's consent was recorded on ${child.guardianConsentDate}, after the questionnaire date ${date}. Answers can only be kept from the consent date on.`,
      { childId, guardianConsentDate: child.guardianConsentDate },
    );
  }
}

/** The instrument version the programme uses, with its definition. */
async function programmeInstrument(programme: ProgrammeDoc, code: string): Promise<{ version: number; definition: InstrumentDefinition }> {
  const entry = (programme.instruments ?? []).find((i) => i.code === code);
  if (!entry) {
    throw unprocessable('instrument_not_in_programme', `The programme "${programme.name}" does not use the instrument ${code}. Add it to the programme's waves first.`);
  }
  const doc = await instrumentVersion(entry.code, entry.version);
  if (!doc) throw notFound(`Version ${entry.version} of the instrument ${code}`);
  return { version: entry.version, definition: definitionOf(doc) };
}

function assertWindow(programme: ProgrammeDoc, wave: Wave, date: string, confirmed: boolean | undefined): boolean {
  const window = windowOf(toWavesJson(programme).waves, wave);
  if (!window) {
    throw unprocessable('wave_not_scheduled', `The programme "${programme.name}" has no ${wave} window yet. Set its waves first.`);
  }
  const inside = isInWindow(date, window);
  if (!inside && !confirmed) {
    throw conflict(
      'outside_wave_window',
      `${date} is outside the ${wave} window (${window.opensOn} to ${window.closesOn}). Confirm to save it anyway.`,
      { window },
    );
  }
  return !inside;
}

function assertNotFuture(programme: ProgrammeDoc, date: string): void {
  const today = schoolToday(new Date(), programme.timeZone ?? undefined);
  if (date > today) throw unprocessable('date_in_future', `The questionnaire date ${date} is in the future (today is ${today}).`);
}

/** Scores with the shared function; answers the definition refuses become a 422 with one detail per item. */
export function scoreOrReject(definition: InstrumentDefinition, answers: readonly (number | null)[], missing: readonly { item: number; reason: string }[]): AssessmentScore {
  const problems = validateAnswers(definition, answers);
  if (problems.length > 0) {
    throw unprocessable(
      'invalid_answers',
      problems.length === 1 ? (problems[0] as ScoringError).message : `${problems.length} answers are not allowed: ${problems.map((p) => p.message).join('; ')}`,
      problems.map((p) => ({ path: p.itemNumber ? `answers.${p.itemNumber - 1}` : 'answers', item: p.itemNumber ?? null, message: p.message, messageKey: p.messageKey, params: p.params })),
    );
  }
  const reasonFor = new Map(missing.map((m) => [m.item, m.reason]));
  if (reasonFor.size !== missing.length) throw unprocessable('invalid_missing', 'Each missing item may be listed only once.');
  const withoutReason: number[] = [];
  answers.forEach((a, i) => {
    if (a === null && !reasonFor.has(i + 1)) withoutReason.push(i + 1);
  });
  if (withoutReason.length > 0) {
    throw unprocessable('missing_reason_required', `Give a reason for each missing item (items ${withoutReason.join(', ')}).`, { items: withoutReason });
  }
  const answeredButListed = missing.filter((m) => answers[m.item - 1] !== null).map((m) => m.item);
  if (answeredButListed.length > 0) {
    throw unprocessable('invalid_missing', `Items ${answeredButListed.join(', ')} have an answer and cannot also be missing.`, { items: answeredButListed });
  }
  // Plain JSON: the stored score must not carry undefined or class instances.
  return JSON.parse(JSON.stringify(scoreAssessment(definition, answers))) as AssessmentScore;
}

export async function createAssessment(actor: Actor, input: CreateAssessmentInput, requestId?: string): Promise<AssessmentJson> {
  const child = await loadChild(input.childId);
  authorizeSchool(actor, 'assessment:write', String(child.schoolId));
  const programme = await loadProgramme(input.programmeId);
  if (!programme.schoolIds.some((s) => String(s) === String(child.schoolId))) {
    throw unprocessable('child_not_in_programme', 'This child\'s school does not take part in this programme.');
  }
  assertConsent(child, input.date);
  assertNotFuture(programme, input.date);
  const { version, definition } = await programmeInstrument(programme, input.instrumentCode);
  const outside = assertWindow(programme, input.wave, input.date, input.confirmOutsideWindow);
  const score = scoreOrReject(definition, input.answers, input.missing);
  let doc;
  try {
    doc = await Assessment.create({
      schoolId: child.schoolId,
      childId: child._id,
      programmeId: programme._id,
      instrumentCode: input.instrumentCode,
      instrumentVersion: version,
      wave: input.wave,
      date: input.date,
      answers: input.answers,
      missing: input.missing,
      score,
      enteredBy: actor.id,
      outsideWindowConfirmed: outside,
      lastRequestId: requestId ?? null,
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await Assessment.findOne({ childId: child._id, programmeId: programme._id, instrumentCode: input.instrumentCode, wave: input.wave }).lean<AssessmentDoc>();
    // This very request created it before its process died: answer it.
    if (existing && writtenBy(existing, requestId)) return toAssessmentJson(existing);
    throw conflict('assessment_exists', `This child already has a ${input.instrumentCode} ${input.wave} questionnaire in this programme. Open it to correct it.`, {
      id: existing ? String(existing._id) : null,
    });
  }
  const json = toAssessmentJson(doc.toObject() as AssessmentDoc);
  await recordAudit({ actor, action: 'create', entity: 'assessment', entityId: json.id, schoolId: json.schoolId, after: json });
  return json;
}

async function loadAssessment(actor: Actor, id: string, permission: 'assessment:read' | 'assessment:write'): Promise<AssessmentDoc> {
  const doc = await Assessment.findById(id).lean<AssessmentDoc>();
  if (!doc) throw notFound('The questionnaire');
  authorizeSchool(actor, permission, String(doc.schoolId));
  return doc;
}

/** One questionnaire with the child's name and consent (the entry screen shows both). */
export async function getAssessment(actor: Actor, id: string) {
  const doc = await loadAssessment(actor, id, 'assessment:read');
  const child = await Child.findById(doc.childId).lean<ChildDoc>();
  return {
    ...toAssessmentJson(doc),
    child: child ? { id: String(child._id), code: child.code, displayName: child.displayName, guardianConsentDate: child.guardianConsentDate ?? null } : null,
  };
}

export async function updateAssessment(actor: Actor, id: string, input: UpdateAssessmentInput, requestId?: string): Promise<AssessmentJson> {
  const before = await loadAssessment(actor, id, 'assessment:write');
  if (writtenBy(before, requestId)) return toAssessmentJson(before);
  const child = await loadChild(String(before.childId));
  const programme = await loadProgramme(String(before.programmeId));
  const date = input.date ?? before.date;
  assertConsent(child, date);
  assertNotFuture(programme, date);
  let outside = before.outsideWindowConfirmed ?? false;
  if (input.date !== undefined && input.date !== before.date) outside = assertWindow(programme, before.wave as Wave, date, input.confirmOutsideWindow);
  // Scores keep the version they were computed with: re-score with the stored version, never the latest.
  const instrument = await instrumentVersion(before.instrumentCode, before.instrumentVersion);
  if (!instrument) throw notFound(`Version ${before.instrumentVersion} of the instrument ${before.instrumentCode}`);
  const answers = input.answers ?? ((before.answers ?? []) as (number | null)[]);
  const missing = input.missing ?? (before.missing ?? []).map((m) => ({ item: m.item, reason: m.reason }));
  const score = scoreOrReject(definitionOf(instrument), answers, missing);
  const updated = await compareAndSet<AssessmentDoc>(Assessment, id, { version: input.version }, {
    $set: { date, answers, missing, score, outsideWindowConfirmed: outside, lastRequestId: requestId ?? null },
    $inc: { version: 1 },
  });
  if (!updated) {
    const current = await Assessment.findById(id).lean<AssessmentDoc>();
    if (!current) throw notFound('The questionnaire');
    if (writtenBy(current, requestId)) return toAssessmentJson(current);
    throw versionConflict(toAssessmentJson(current));
  }
  const json = toAssessmentJson(updated);
  await recordAudit({ actor, action: 'update', entity: 'assessment', entityId: id, schoolId: json.schoolId, before: toAssessmentJson(before), after: json });
  return json;
}

export async function deleteAssessment(actor: Actor, id: string, expectedVersion: number | undefined): Promise<void> {
  const before = await loadAssessment(actor, id, 'assessment:write');
  const version = requireDeleteVersion(expectedVersion);
  if (!(await compareAndDelete(Assessment, before._id, { version }))) {
    const current = await Assessment.findById(id).lean<AssessmentDoc>();
    if (!current) throw notFound('The questionnaire');
    throw versionConflict(toAssessmentJson(current));
  }
  await recordAudit({ actor, action: 'delete', entity: 'assessment', entityId: id, schoolId: String(before.schoolId), before: toAssessmentJson(before) });
}

/** Double data entry: a different person re-types the paper form; differences are listed for resolution. */
export async function recordSecondEntry(actor: Actor, id: string, input: SecondEntryInput, requestId?: string): Promise<AssessmentJson> {
  const before = await loadAssessment(actor, id, 'assessment:write');
  if (writtenBy(before, requestId)) return toAssessmentJson(before);
  if (String(before.enteredBy) === actor.id) {
    throw unprocessable('second_entry_same_person', 'The second entry must be typed by a different person than the first.');
  }
  // Answers again: not without the guardian's consent, which may have been withdrawn since the first entry.
  assertConsent(await loadChild(String(before.childId)), before.date);
  const instrument = await instrumentVersion(before.instrumentCode, before.instrumentVersion);
  if (!instrument) throw notFound(`Version ${before.instrumentVersion} of the instrument ${before.instrumentCode}`);
  scoreOrReject(definitionOf(instrument), input.answers, input.missing);
  const secondEntry: SecondEntry = { enteredBy: actor.id, at: new Date().toISOString(), answers: input.answers, missing: input.missing };
  const updated = await compareAndSet<AssessmentDoc>(Assessment, id, { version: before.version ?? 0 }, {
    $set: { secondEntry, lastRequestId: requestId ?? null },
    $inc: { version: 1 },
  });
  if (!updated) {
    const current = await Assessment.findById(id).lean<AssessmentDoc>();
    if (current && writtenBy(current, requestId)) return toAssessmentJson(current);
    throw versionConflict(current ? toAssessmentJson(current) : null);
  }
  const json = toAssessmentJson(updated);
  await recordAudit({
    actor,
    action: 'update',
    entity: 'assessment',
    entityId: id,
    schoolId: json.schoolId,
    before: toAssessmentJson(before),
    after: json,
    meta: { secondEntry: true, differences: json.secondEntry?.differences?.length ?? 0 },
  });
  return json;
}

export async function listAssessments(actor: Actor, query: ListAssessmentsQuery) {
  // Asking about a child or programme of another school is refused outright (not an empty list).
  if (query.childId) authorizeSchool(actor, 'assessment:read', String((await loadChild(query.childId)).schoolId));
  if (query.programmeId) authorizeProgramme(actor, 'assessment:read', await loadProgramme(query.programmeId), 'any');
  const filter: Record<string, unknown> = {};
  if (query.childId) filter.childId = new mongoose.Types.ObjectId(query.childId);
  if (query.programmeId) filter.programmeId = new mongoose.Types.ObjectId(query.programmeId);
  if (query.wave) filter.wave = query.wave;
  if (query.instrumentCode) filter.instrumentCode = query.instrumentCode;
  const scope = schoolScope(actor);
  if (scope !== 'all') filter.schoolId = { $in: scope.map((s) => new mongoose.Types.ObjectId(s)) };
  const docs = await Assessment.find(filter).sort({ date: 1, _id: 1 }).lean<AssessmentDoc[]>();
  return { items: docs.map(toAssessmentJson) };
}

/**
 * Children a programme assesses: members (past or present) of its groups; a programme without
 * groups (e.g. a control arm) assesses the active children of its schools. Limited to `schoolIds`.
 */
export async function programmeChildren(programme: ProgrammeDoc, schoolIds: 'all' | readonly string[]): Promise<ChildDoc[]> {
  const programmeSchools = programme.schoolIds.map(String).filter((s) => schoolIds === 'all' || schoolIds.includes(s));
  if (programmeSchools.length === 0) return [];
  const schoolFilter = { schoolId: { $in: programmeSchools.map((s) => new mongoose.Types.ObjectId(s)) } };
  if ((programme.groupIds ?? []).length > 0) {
    const groups = await Group.find({ _id: { $in: programme.groupIds } }).lean<GroupDoc[]>();
    const ids = [...new Set(groups.flatMap((g) => g.members.map((m) => String(m.childId))))];
    if (ids.length === 0) return [];
    return Child.find({ _id: { $in: ids }, ...schoolFilter }).sort({ displayName: 1 }).lean<ChildDoc[]>();
  }
  return Child.find({ active: true, ...schoolFilter }).sort({ displayName: 1 }).lean<ChildDoc[]>();
}

/** What the entry screen needs for one programme × wave × instrument: the children and who is done. */
export async function entrySheet(actor: Actor, programmeId: string, wave: Wave, instrumentCode: string) {
  const programme = await loadProgramme(programmeId);
  authorizeProgramme(actor, 'assessment:read', programme, 'any');
  const { version, definition } = await programmeInstrument(programme, instrumentCode);
  const children = await programmeChildren(programme, schoolScope(actor));
  const done = await Assessment.find({ programmeId: programme._id, instrumentCode, wave, childId: { $in: children.map((c) => c._id) } }).lean<AssessmentDoc[]>();
  const byChild = new Map(done.map((a) => [String(a.childId), a]));
  const waves = toWavesJson(programme);
  return {
    programme: waves,
    wave,
    window: windowOf(waves.waves, wave) ?? null,
    instrument: { code: instrumentCode, version, definition },
    children: children.map((c) => {
      const a = byChild.get(String(c._id));
      return {
        id: String(c._id),
        code: c.code,
        displayName: c.displayName,
        schoolId: String(c.schoolId),
        guardianConsentDate: c.guardianConsentDate ?? null,
        assessment: a ? { id: String(a._id), date: a.date, total: (a.score as AssessmentScore).total, version: a.version ?? 0 } : null,
      };
    }),
  };
}
