// Reads what the exports and the results page need, with constant memory: per programme, three
// cursors sorted by child id (assessments, children of the programme's schools, dose summaries)
// are merge-joined, so nothing grows with the number of children. `$in` lookups per batch are
// avoided on purpose: FerretDB (SQLite) does not push `$in` down and would scan the collection
// for every batch. Sorting by the child id is index-backed on MongoDB (the assessments' unique
// index starts with childId; children by _id; dose summaries have a childId index).
import { randomInt } from 'node:crypto';
import mongoose from 'mongoose';
import type { Collection, Document, FindCursor } from 'mongodb';
import { WAVES, type Arm, type Wave } from '../../../shared/domain/analysis.ts';
import { exportInstrumentOf, type CodebookInstrument } from '../../../shared/domain/codebook.ts';
import { addDays, ageOn } from '../../../shared/domain/dates.ts';
import type { DateMode, LongRowValues, WideRowValues, WideWaveValues } from '../../../shared/domain/export-columns.ts';
import { BUILT_IN_INSTRUMENTS } from '../../../shared/domain/instruments.ts';
import { roundScore } from '../../../shared/domain/scoring.ts';
import { parseStoredDefinition, type InstrumentDefinition } from '../../../shared/schemas/instrument.ts';
import { badRequest, notFound } from '../../lib/errors.ts';
import { authorizeProgramme, canReachProgramme, type Actor, type Permission } from '../../lib/policy.ts';
import { Assessment } from '../assessments/model.ts';
import { Child } from '../children/model.ts';
import { DoseSummary } from '../dose/model.ts';
import { Instrument } from '../instruments/model.ts';
import { Programme } from '../programmes/model.ts';
import { School } from '../schools/model.ts';
import { ExportDateShift, MAX_DATE_SHIFT_DAYS } from './model.ts';

export interface ProgrammeInfo {
  id: string;
  name: string;
  arm: Arm;
  schoolIds: string[];
  startDate: string;
  instrumentCodes: string[];
}

export interface ExportScope {
  programmes: ProgrammeInfo[];
  instruments: CodebookInstrument[];
  waves: Wave[];
  dates: DateMode;
  schoolCodes: Map<string, string>;
}

export interface ScopeRequest {
  programmeIds: string[];
  instrument?: string | undefined;
  waves?: Wave[] | undefined;
  dates: DateMode;
}

type LeanProgramme = {
  _id: mongoose.Types.ObjectId;
  name: string;
  arm: Arm;
  schoolIds: mongoose.Types.ObjectId[];
  startDate: string;
  instruments: { code: string; version: number }[];
};

/**
 * Results and exports of a programme need every school it runs in (policy.ts, mode 'all'): a
 * multi-school programme's statistics would otherwise include children of schools the researcher
 * may not see.
 */
export const reachesProgramme = (actor: Actor, p: { schoolIds: readonly unknown[] }): boolean => canReachProgramme(actor, p, 'all');

export function toProgrammeInfo(p: LeanProgramme): ProgrammeInfo {
  return {
    id: String(p._id),
    name: p.name,
    arm: p.arm,
    schoolIds: p.schoolIds.map(String),
    startDate: p.startDate,
    instrumentCodes: [...new Set((p.instruments ?? []).map((i) => i.code))],
  };
}

export async function loadProgrammes(actor: Actor, permission: Permission, ids: readonly string[]): Promise<ProgrammeInfo[]> {
  const found = await Programme.find({ _id: { $in: ids } }).lean<LeanProgramme[]>();
  const byId = new Map(found.map((p) => [String(p._id), p]));
  return ids.map((id) => {
    const p = byId.get(id);
    if (!p) throw notFound(`Programme ${id}`);
    authorizeProgramme(actor, permission, p, 'all');
    return toProgrammeInfo(p);
  });
}

/** Every stored version of the codes (instruments collection), else the built-in definition. */
export async function loadInstruments(codes: readonly string[]): Promise<CodebookInstrument[]> {
  const docs = codes.length === 0 ? [] : await Instrument.find({ code: { $in: [...codes] } }).lean<{ code: string; version: number; definition: unknown }[]>();
  return codes.map((code) => {
    const stored = docs
      .filter((d) => d.code === code)
      .map((d) => {
        const parsed = parseStoredDefinition(d.definition);
        return parsed.success ? { version: d.version, definition: parsed.data } : null;
      })
      .filter((d): d is { version: number; definition: InstrumentDefinition } => d !== null)
      .sort((a, b) => a.version - b.version);
    if (stored.length > 0) return { code, definitions: stored };
    const builtIn = BUILT_IN_INSTRUMENTS.find((d) => d.code.toUpperCase() === code.toUpperCase());
    return { code, definitions: builtIn ? [{ version: 1, definition: builtIn }] : [] };
  });
}

export async function resolveScope(actor: Actor, permission: Permission, req: ScopeRequest): Promise<ExportScope> {
  const programmes = await loadProgrammes(actor, permission, req.programmeIds);
  let codes = [...new Set(programmes.flatMap((p) => p.instrumentCodes))];
  if (req.instrument !== undefined) {
    const want = req.instrument.toUpperCase();
    const hit = codes.find((c) => c.toUpperCase() === want);
    if (!hit) {
      throw badRequest('unknown_instrument', `Instrument "${req.instrument}" is not used by the selected programme(s) (they use: ${codes.join(', ') || 'none'}).`);
    }
    codes = [hit];
  }
  const instruments = await loadInstruments(codes);
  const schoolIds = [...new Set(programmes.flatMap((p) => p.schoolIds))];
  const schools = await School.find({ _id: { $in: schoolIds } }, { code: 1 }).lean<{ _id: mongoose.Types.ObjectId; code: string }[]>();
  return {
    programmes,
    instruments,
    waves: req.waves ? WAVES.filter((w) => req.waves!.includes(w)) : [...WAVES],
    dates: req.dates,
    schoolCodes: new Map(schools.map((s) => [String(s._id), s.code])),
  };
}

// ---------- merge-join ----------

/** One step ahead of a cursor sorted by a key; refuses to go backwards (a silent mis-join otherwise). */
class Peekable<T extends Document> {
  private head: T | null | undefined;
  private lastKey = '';
  constructor(
    private readonly cursor: FindCursor<T>,
    private readonly keyOf: (doc: T) => string,
  ) {}
  async peek(): Promise<T | null> {
    if (this.head === undefined) {
      this.head = await this.cursor.next();
      if (this.head) {
        const k = this.keyOf(this.head);
        if (k < this.lastKey) throw new Error(`export cursor not sorted by child id (${k} after ${this.lastKey})`);
        this.lastKey = k;
      }
    }
    return this.head;
  }
  async take(): Promise<T | null> {
    const h = await this.peek();
    this.head = undefined;
    return h;
  }
  /** Skips to the document with this key and consumes it; null when there is none. */
  async seek(key: string): Promise<T | null> {
    for (;;) {
      const h = await this.peek();
      if (!h) return null;
      const k = this.keyOf(h);
      if (k < key) {
        this.head = undefined;
        continue;
      }
      if (k !== key) return null;
      this.head = undefined;
      return h;
    }
  }
  async close(): Promise<void> {
    await this.cursor.close();
  }
}

export interface ChildInfo {
  code: string;
  schoolId: string;
  sex: string | null;
  birthYear: number | null;
  birthMonth: number | null;
  leftBehindStatus: string | null;
  caregiver: string | null;
}
export interface DoseInfo {
  sessionsAttended: number | null;
  attendanceRate: number | null;
  qualifyingSessions: number | null;
  aerobicMinutes: number | null;
  qualifyingMinutes: number | null;
}
export interface AssessmentInfo {
  instrument: string;
  instrumentVersion: number;
  wave: Wave;
  date: string | null;
  total: number | null;
  subscales: Map<string, number | null>;
  answers: (number | null)[];
}
export interface ChildGroup {
  programme: ProgrammeInfo;
  childId: string;
  child: ChildInfo | null;
  dose: DoseInfo | null;
  /** Shift in days (dates: 'shifted'), else 0. */
  shiftDays: number;
  /** In instrument order, then pre, post, follow-up. */
  assessments: AssessmentInfo[];
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const hex = (x: unknown): string => (x instanceof mongoose.Types.ObjectId ? x.toHexString() : String(x));

function collection(model: mongoose.Model<any>): Collection<Document> {
  return model.collection as unknown as Collection<Document>;
}

const BATCH = 2000;

function scoreOf(v: unknown): number | null {
  const n = num(v);
  return n === null ? null : roundScore(n);
}

function toAssessment(doc: Document): AssessmentInfo {
  const score = (doc.score ?? {}) as { total?: unknown; subscales?: { code?: unknown; score?: unknown }[] };
  const subscales = new Map<string, number | null>();
  // Scores stored before the rounding rule are read with it, so exports, results and scripts agree.
  for (const s of Array.isArray(score.subscales) ? score.subscales : []) if (typeof s?.code === 'string') subscales.set(s.code, scoreOf(s.score));
  return {
    instrument: String(doc.instrumentCode),
    instrumentVersion: Number(doc.instrumentVersion),
    wave: doc.wave as Wave,
    date: str(doc.date),
    total: scoreOf(score.total),
    subscales,
    answers: Array.isArray(doc.answers) ? (doc.answers as unknown[]).map(num) : [],
  };
}

/**
 * Stored per-child shifts for every child of these schools; draws and stores the missing ones
 * first. Runs before a shifted export so that the export itself is a pure read.
 */
export async function ensureDateShifts(schoolIds: readonly string[]): Promise<number> {
  const oids = schoolIds.map((s) => new mongoose.Types.ObjectId(s));
  const children = new Peekable(collection(Child).find({ schoolId: { $in: oids } }, { projection: { schoolId: 1 } }).sort({ _id: 1 }).batchSize(BATCH), (d) => hex(d._id));
  const shifts = new Peekable(collection(ExportDateShift).find({ schoolId: { $in: oids } }, { projection: { _id: 1 } }).sort({ _id: 1 }).batchSize(BATCH), (d) => String(d._id));
  let created = 0;
  let pending: { _id: string; schoolId: mongoose.Types.ObjectId; days: number; createdAt: Date }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    try {
      await collection(ExportDateShift).insertMany(pending as unknown as Document[], { ordered: false });
      created += pending.length;
    } catch (e) {
      // A concurrent export stored some of them first: theirs stand (duplicate key, rule 7).
      const err = e as { code?: number; writeErrors?: { code?: number }[]; insertedCount?: number };
      const dupOnly = err.code === 11000 || (Array.isArray(err.writeErrors) && err.writeErrors.every((w) => w.code === 11000));
      if (!dupOnly) throw e;
      created += err.insertedCount ?? 0;
    }
    pending = [];
  };
  try {
    for (let c = await children.take(); c; c = await children.take()) {
      const id = hex(c._id);
      if (!(await shifts.seek(id))) {
        pending.push({ _id: id, schoolId: c.schoolId as mongoose.Types.ObjectId, days: randomInt(1, MAX_DATE_SHIFT_DAYS + 1), createdAt: new Date() });
        if (pending.length >= 500) await flush();
      }
    }
    await flush();
  } finally {
    await Promise.all([children.close(), shifts.close()]);
  }
  return created;
}

export interface GroupOptions {
  /** Only children with at least one assessment (the long file). */
  assessedOnly: boolean;
}

/** Child groups of every programme in the scope, programme by programme, children by id. */
export async function* childGroups(scope: ExportScope, options: GroupOptions): AsyncGenerator<ChildGroup> {
  const codes = scope.instruments.map((i) => i.code);
  const order = new Map(codes.map((c, i) => [c, i]));
  for (const programme of scope.programmes) {
    const pid = new mongoose.Types.ObjectId(programme.id);
    const schoolOids = programme.schoolIds.map((s) => new mongoose.Types.ObjectId(s));
    const assessments = new Peekable(
      collection(Assessment)
        .find(
          { programmeId: pid, instrumentCode: { $in: codes }, wave: { $in: scope.waves } },
          { projection: { childId: 1, instrumentCode: 1, instrumentVersion: 1, wave: 1, date: 1, answers: 1, 'score.total': 1, 'score.subscales.code': 1, 'score.subscales.score': 1 } },
        )
        .sort({ childId: 1 })
        .batchSize(BATCH),
      (d) => hex(d.childId),
    );
    const children = new Peekable(
      collection(Child)
        .find({ schoolId: { $in: schoolOids } }, { projection: { code: 1, schoolId: 1, sex: 1, birthYear: 1, birthMonth: 1, leftBehindStatus: 1, caregiver: 1 } })
        .sort({ _id: 1 })
        .batchSize(BATCH),
      (d) => hex(d._id),
    );
    const doses = new Peekable(
      collection(DoseSummary)
        .find({ programmeId: pid }, { projection: { childId: 1, sessionsAttended: 1, attendanceRate: 1, qualifyingSessions: 1, aerobicMinutes: 1, qualifyingMinutes: 1 } })
        .sort({ childId: 1 })
        .batchSize(BATCH),
      (d) => hex(d.childId),
    );
    const shifts =
      scope.dates === 'shifted'
        ? new Peekable(collection(ExportDateShift).find({ schoolId: { $in: schoolOids } }, { projection: { days: 1 } }).sort({ _id: 1 }).batchSize(BATCH), (d) => String(d._id))
        : null;
    try {
      // Start the three (or four) queries together: the engine works on them in parallel.
      await Promise.all([assessments.peek(), children.peek(), doses.peek(), shifts?.peek()]);
      for (;;) {
        const a = await assessments.peek();
        const d = options.assessedOnly ? null : await doses.peek();
        if (!a && !d) break;
        const ka = a ? hex(a.childId) : null;
        const kd = d ? hex(d.childId) : null;
        const childId = ka !== null && (kd === null || ka <= kd) ? ka : (kd as string);
        const group: AssessmentInfo[] = [];
        while ((await assessments.peek()) && hex((await assessments.peek())!.childId) === childId) group.push(toAssessment((await assessments.take())!));
        group.sort((x, y) => (order.get(x.instrument) ?? 0) - (order.get(y.instrument) ?? 0) || WAVES.indexOf(x.wave) - WAVES.indexOf(y.wave));
        const doseDoc = await doses.seek(childId);
        const childDoc = await children.seek(childId);
        const shiftDoc = shifts ? await shifts.seek(childId) : null;
        yield {
          programme,
          childId,
          child: childDoc
            ? {
                code: String(childDoc.code),
                schoolId: hex(childDoc.schoolId),
                sex: str(childDoc.sex),
                birthYear: num(childDoc.birthYear),
                birthMonth: num(childDoc.birthMonth),
                leftBehindStatus: str(childDoc.leftBehindStatus),
                caregiver: str(childDoc.caregiver),
              }
            : null,
          dose: doseDoc
            ? {
                sessionsAttended: num(doseDoc.sessionsAttended),
                attendanceRate: num(doseDoc.attendanceRate),
                qualifyingSessions: num(doseDoc.qualifyingSessions),
                aerobicMinutes: num(doseDoc.aerobicMinutes),
                qualifyingMinutes: num(doseDoc.qualifyingMinutes),
              }
            : null,
          shiftDays: shiftDoc ? Number(shiftDoc.days) : 0,
          assessments: group,
        };
      }
    } finally {
      await Promise.all([assessments.close(), children.close(), doses.close(), shifts?.close()]);
    }
  }
}

function ageAt(child: ChildInfo, date: string | null): number | null {
  if (!date || child.birthYear === null || child.birthMonth === null) return null;
  return ageOn(child.birthYear, child.birthMonth, date);
}

function shifted(date: string | null, days: number): string | null {
  return date && days ? addDays(date, -days) : date;
}

const doseValues = (dose: DoseInfo | null) => ({
  sessionsAttended: dose?.sessionsAttended ?? null,
  attendanceRate: dose?.attendanceRate ?? null,
  qualifyingSessions: dose?.qualifyingSessions ?? null,
  aerobicMinutes: dose?.aerobicMinutes ?? null,
  qualifyingMinutes: dose?.qualifyingMinutes ?? null,
});

export interface Skipped {
  /** Assessments whose child is not on the roster of the programme's schools (left out). */
  orphanAssessments: number;
}

/** Long rows of one child group (none when the child is not found: no code, no row). */
export function longRowsOf(g: ChildGroup, scope: ExportScope, skipped: Skipped): LongRowValues[] {
  if (!g.child) {
    skipped.orphanAssessments += g.assessments.length;
    return [];
  }
  const child = g.child;
  return g.assessments.map((a) => ({
    childCode: child.code,
    schoolCode: scope.schoolCodes.get(child.schoolId) ?? '',
    arm: g.programme.arm,
    programme: g.programme.id,
    instrument: a.instrument,
    instrumentVersion: a.instrumentVersion,
    wave: a.wave,
    date: scope.dates === 'omit' ? null : shifted(a.date, g.shiftDays),
    // Age from the true date: shifting moves dates, not ages.
    ageYears: ageAt(child, a.date),
    sex: child.sex,
    leftBehindStatus: child.leftBehindStatus,
    caregiver: child.caregiver,
    ...doseValues(g.dose),
    total: a.total,
    subscales: a.subscales,
    answers: a.answers,
  }));
}

export function wideRowOf(g: ChildGroup, scope: ExportScope, skipped: Skipped): WideRowValues | null {
  if (!g.child) {
    skipped.orphanAssessments += g.assessments.length;
    return null;
  }
  const waves = new Map<string, Partial<Record<Wave, WideWaveValues>>>();
  for (const a of g.assessments) {
    const byWave = waves.get(a.instrument) ?? {};
    byWave[a.wave] = { date: scope.dates === 'omit' ? null : shifted(a.date, g.shiftDays), total: a.total, subscales: a.subscales };
    waves.set(a.instrument, byWave);
  }
  return {
    childCode: g.child.code,
    schoolCode: scope.schoolCodes.get(g.child.schoolId) ?? '',
    arm: g.programme.arm,
    programme: g.programme.id,
    ageYears: ageAt(g.child, g.programme.startDate),
    sex: g.child.sex,
    leftBehindStatus: g.child.leftBehindStatus,
    caregiver: g.child.caregiver,
    ...doseValues(g.dose),
    waves,
  };
}

export const exportInstruments = (scope: ExportScope) => scope.instruments.map(exportInstrumentOf);
