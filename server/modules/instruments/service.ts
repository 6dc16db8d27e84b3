// Instrument library: built-ins seeded at start, admin-added definitions, and the version rule
// (DESIGN §3, issue 6): a version that already has answers is never changed in place — an edit
// becomes the next version, and stored scores keep the version they were computed with.
import { BUILT_IN_INSTRUMENTS } from '../../../shared/domain/instruments.ts';
import { parseStoredDefinition, type InstrumentDefinition } from '../../../shared/schemas/instrument.ts';
import { findUnportableKey, type UpdateInstrumentInput } from '../../../shared/schemas/instruments-api.ts';
import { AppError, badRequest, conflict, isDuplicateKeyError, notFound, versionConflict } from '../../lib/errors.ts';
import type { Actor } from '../../lib/policy.ts';
import { Assessment } from '../assessments/model.ts';
import { recordAudit } from '../audit/service.ts';
import { Instrument, type InstrumentDoc } from './model.ts';
import { compareAndSet } from '../../db/compare-and-set.ts';

export interface InstrumentJson {
  id: string;
  code: string;
  version: number;
  revision: number;
  builtIn: boolean;
  retired: boolean;
  definition: InstrumentDefinition;
  /** Answers stored with this version (an edit then creates a new version). */
  answerCount?: number;
  createdAt: string | null;
  updatedAt: string | null;
}

export function toInstrumentJson(doc: InstrumentDoc, answerCount?: number): InstrumentJson {
  const json: InstrumentJson = {
    id: String(doc._id),
    code: doc.code,
    version: doc.version,
    revision: doc.revision ?? 0,
    builtIn: doc.builtIn ?? false,
    retired: doc.retired ?? false,
    definition: doc.definition as InstrumentDefinition,
    createdAt: doc.createdAt ? new Date(doc.createdAt).toISOString() : null,
    updatedAt: doc.updatedAt ? new Date(doc.updatedAt).toISOString() : null,
  };
  if (answerCount !== undefined) json.answerCount = answerCount;
  return json;
}

/**
 * Puts the built-in definitions into the library as version 1 when their code is not there yet.
 * Idempotent (upsert with $setOnInsert), safe to run at every start and from several processes.
 */
export async function seedBuiltInInstruments(): Promise<number> {
  let inserted = 0;
  for (const definition of BUILT_IN_INSTRUMENTS) {
    try {
      const res = await Instrument.updateOne(
        { code: definition.code, version: 1 },
        { $setOnInsert: { definition: JSON.parse(JSON.stringify(definition)), builtIn: true, retired: false, revision: 0, createdBy: null } },
        { upsert: true },
      );
      inserted += res.upsertedCount;
    } catch (err) {
      // Another process inserted it between our read and write: that is the same outcome.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  return inserted;
}

/** Rejects keys that cannot be stored portably before zod strips unknown keys silently. */
export function assertPortable(raw: unknown): void {
  const bad = findUnportableKey(raw);
  if (bad) throw badRequest('invalid_input', `Invalid body: the key "${bad}" contains "." or "$", which cannot be stored.`);
}

export async function latestVersion(code: string): Promise<InstrumentDoc | null> {
  return Instrument.findOne({ code }).sort({ version: -1 }).lean<InstrumentDoc>();
}

export async function instrumentVersion(code: string, version: number): Promise<InstrumentDoc | null> {
  return Instrument.findOne({ code, version }).lean<InstrumentDoc>();
}

/** The definition of a stored version, re-validated (stored data is data; never trust it blindly). */
export function definitionOf(doc: InstrumentDoc): InstrumentDefinition {
  const parsed = parseStoredDefinition(doc.definition);
  if (!parsed.success) throw new AppError(500, 'instrument_corrupt', `The stored definition of ${doc.code} v${doc.version} is not valid.`);
  return parsed.data;
}

async function answerCount(code: string, version: number): Promise<number> {
  return Assessment.countDocuments({ instrumentCode: code, instrumentVersion: version });
}

export async function listInstruments(allVersions: boolean) {
  const docs = await Instrument.find().sort({ code: 1, version: 1 }).lean<InstrumentDoc[]>();
  let chosen = docs;
  if (!allVersions) {
    const latest = new Map<string, InstrumentDoc>();
    for (const d of docs) latest.set(d.code, d); // sorted by version: the last one wins
    chosen = [...latest.values()];
  }
  const items = await Promise.all(chosen.map(async (d) => toInstrumentJson(d, await answerCount(d.code, d.version))));
  return { items };
}

export async function getInstrument(code: string, version?: number) {
  const doc = version === undefined ? await latestVersion(code) : await instrumentVersion(code, version);
  if (!doc) throw notFound(version === undefined ? `The instrument ${code}` : `Version ${version} of the instrument ${code}`);
  const versions = await Instrument.find({ code }).sort({ version: 1 }).lean<InstrumentDoc[]>();
  return {
    ...toInstrumentJson(doc, await answerCount(doc.code, doc.version)),
    versions: versions.map((v) => ({ version: v.version, retired: v.retired ?? false, createdAt: v.createdAt ? new Date(v.createdAt).toISOString() : null })),
  };
}

export async function createInstrument(actor: Actor, definition: InstrumentDefinition) {
  // Codes are compared case-insensitively: "scared" next to "SCARED" would confuse everyone.
  const codes = (await Instrument.distinct('code')) as string[];
  if (codes.some((c) => c.toUpperCase() === definition.code.toUpperCase())) {
    throw conflict('instrument_code_taken', `An instrument with the code ${definition.code} already exists. Edit it instead, or choose another code.`);
  }
  let doc;
  try {
    doc = await Instrument.create({ code: definition.code, version: 1, definition: JSON.parse(JSON.stringify(definition)), builtIn: false, createdBy: actor.id });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw conflict('instrument_code_taken', `An instrument with the code ${definition.code} already exists.`);
    throw err;
  }
  const json = toInstrumentJson(doc.toObject() as InstrumentDoc, 0);
  await recordAudit({ actor, action: 'create', entity: 'instrument', entityId: json.id, after: json });
  return json;
}

/**
 * Edits the latest version. With answers stored against it, the edit is saved as version + 1
 * (the unique index on code+version makes a concurrent second "new version" lose with 409);
 * without answers the version is replaced in place under its revision counter.
 */
export async function updateInstrument(actor: Actor, code: string, input: UpdateInstrumentInput) {
  if (input.definition.code !== code) {
    throw badRequest('instrument_code_mismatch', `The definition's code (${input.definition.code}) must stay ${code}. Create a new instrument for a new code.`);
  }
  const latest = await latestVersion(code);
  if (!latest) throw notFound(`The instrument ${code}`);
  if (latest.version !== input.basedOnVersion || (latest.revision ?? 0) !== input.revision) {
    throw versionConflict(toInstrumentJson(latest));
  }
  const definition = JSON.parse(JSON.stringify(input.definition)) as InstrumentDefinition;
  const used = await answerCount(code, latest.version);
  if (used > 0) {
    let doc;
    try {
      doc = await Instrument.create({ code, version: latest.version + 1, definition, builtIn: false, createdBy: actor.id });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const current = await latestVersion(code);
      throw versionConflict(current ? toInstrumentJson(current) : null);
    }
    const json = toInstrumentJson(doc.toObject() as InstrumentDoc, 0);
    await recordAudit({
      actor,
      action: 'create',
      entity: 'instrument',
      entityId: json.id,
      before: toInstrumentJson(latest),
      after: json,
      meta: { reason: 'edit of a version with answers', previousVersion: latest.version, answersKeepVersion: used },
    });
    return { ...json, createdNewVersion: true };
  }
  const updated = await compareAndSet<InstrumentDoc>(Instrument, latest._id, { revision: latest.revision ?? 0 }, { $set: { definition }, $inc: { revision: 1 } });
  if (!updated) {
    const current = await latestVersion(code);
    throw versionConflict(current ? toInstrumentJson(current) : null);
  }
  const json = toInstrumentJson(updated, 0);
  await recordAudit({ actor, action: 'update', entity: 'instrument', entityId: json.id, before: toInstrumentJson(latest), after: json });
  return { ...json, createdNewVersion: false };
}
