// The counsellor's worklist (issue 6): children of the counsellor's schools who need attention —
// a due questionnaire wave not entered, a score at/beyond an instrument cut-off, reliable worsening
// between waves (RCI, Jacobson & Truax 1991), attendance falling or stopped — each with its
// reason and a link; and the child page (scores across waves and weekly attendance).
import mongoose from 'mongoose';
import { addDays, dayNumber, schoolToday } from '../../../shared/domain/dates.ts';
import { reverseScore, type AssessmentScore } from '../../../shared/domain/scoring.ts';
import { sd } from '../../../shared/domain/statistics/basic.ts';
import { cronbachAlpha, reliableChange, type ChangeClass } from '../../../shared/domain/statistics/reliability.ts';
import {
  ATTENDANCE_FALLING_BELOW,
  ATTENDANCE_WINDOW_WEEKS,
  programmeEndDate,
  type WorklistItem,
  type WorklistKind,
} from '../../../shared/schemas/assessments-api.ts';
import { waves as waveOrder, type Wave } from '../../../shared/schemas/child.ts';
import type { InstrumentDefinition } from '../../../shared/schemas/instrument.ts';
import { notFound } from '../../lib/errors.ts';
import { authorizeSchool, schoolScope, type Actor } from '../../lib/policy.ts';
import { Assessment, type AssessmentDoc } from '../assessments/model.ts';
import { programmeChildren } from '../assessments/service.ts';
import { Child, type ChildDoc } from '../children/model.ts';
import { DoseSummary, type DoseSummaryDoc } from '../dose/model.ts';
import { Instrument, type InstrumentDoc } from '../instruments/model.ts';
import { definitionOf } from '../instruments/service.ts';
import { Programme, type ProgrammeDoc } from '../programmes/model.ts';
import { toWavesJson } from '../waves/service.ts';

/** Attendance flags stay on for this long after a programme ends (product default), then drop off. */
const ATTENDANCE_FLAG_DAYS_AFTER_END = 14;
/** Fewest pre-wave scores for an SD worth an RCI (product default; 2 is the arithmetic minimum). */
const RCI_MIN_REFERENCE_N = 5;

/** Prorated totals carry long decimals; people read one. */
const round1 = (x: number) => Math.round(x * 10) / 10;


const waveRank = (w: string) => waveOrder.indexOf(w as Wave);

async function definitionsFor(assessments: readonly AssessmentDoc[], programme: ProgrammeDoc): Promise<Map<string, InstrumentDefinition>> {
  const keys = new Set<string>();
  for (const a of assessments) keys.add(`${a.instrumentCode}:${a.instrumentVersion}`);
  for (const i of programme.instruments ?? []) keys.add(`${i.code}:${i.version}`);
  const or = [...keys].map((k) => {
    const [code, v] = k.split(':') as [string, string];
    return { code, version: Number(v) };
  });
  const docs = or.length ? await Instrument.find({ $or: or }).lean<InstrumentDoc[]>() : [];
  return new Map(docs.map((d) => [`${d.code}:${d.version}`, definitionOf(d)]));
}

/** Items keyed as scored (reverse-keyed items turned), for Cronbach's α of the pre wave. */
function keyedItems(definition: InstrumentDefinition, answers: readonly (number | null)[]): (number | null)[] {
  const reverse = new Set(definition.reverseItems);
  return definition.items.map((item, i) => {
    const a = answers[i] ?? null;
    return a === null ? null : reverse.has(item.number) ? reverseScore(a, definition.response.min, definition.response.max) : a;
  });
}

export interface ChangeStats {
  sdPre: number | null;
  reliability: number | null;
  reliabilitySource: 'published' | 'pre-wave alpha' | null;
  n: number;
  reason?: string;
}

/**
 * Reference values of the RCI for one programme × instrument (DESIGN §3): SD of the pre-wave
 * totals, and r_xx = the published α if the definition gives one, else α of the pre wave.
 */
export function changeStats(preAssessments: readonly AssessmentDoc[], definition: InstrumentDefinition): ChangeStats {
  const totals = preAssessments.map((a) => (a.score as AssessmentScore).total).filter((t): t is number => typeof t === 'number');
  const n = totals.length;
  if (n < RCI_MIN_REFERENCE_N) return { sdPre: null, reliability: null, reliabilitySource: null, n, reason: `needs at least ${RCI_MIN_REFERENCE_N} pre-wave scores (found ${n})` };
  const sdPre = sd(totals);
  if (definition.reliability?.alpha !== undefined) return { sdPre, reliability: definition.reliability.alpha, reliabilitySource: 'published', n };
  const alpha = cronbachAlpha(preAssessments.map((a) => keyedItems(definition, (a.answers ?? []) as (number | null)[]))).alpha;
  if (alpha === null) return { sdPre, reliability: null, reliabilitySource: null, n, reason: 'α of the pre wave not computable' };
  return { sdPre, reliability: alpha, reliabilitySource: 'pre-wave alpha', n };
}

export interface ChangeBetweenWaves {
  from: Wave;
  to: Wave;
  fromTotal: number;
  toTotal: number;
  rci: number | null;
  classification: ChangeClass | null;
  reason?: string;
}

/** Each later wave compared with the pre wave (the baseline). */
export function changesOf(childAssessments: readonly AssessmentDoc[], stats: ChangeStats, definition: InstrumentDefinition): ChangeBetweenWaves[] {
  const pre = childAssessments.find((a) => a.wave === 'pre');
  const preTotal = pre ? (pre.score as AssessmentScore).total : null;
  if (preTotal === null || preTotal === undefined) return [];
  const out: ChangeBetweenWaves[] = [];
  for (const later of childAssessments.filter((a) => a.wave !== 'pre').sort((a, b) => waveRank(a.wave) - waveRank(b.wave))) {
    const total = (later.score as AssessmentScore).total;
    if (total === null || total === undefined) continue;
    const base = { from: 'pre' as Wave, to: later.wave as Wave, fromTotal: preTotal, toTotal: total };
    if (stats.sdPre === null || stats.reliability === null) {
      out.push({ ...base, rci: null, classification: null, reason: stats.reason ?? 'not computable' });
      continue;
    }
    const r = reliableChange({ pre: preTotal, post: total, sdPre: stats.sdPre, reliability: stats.reliability, polarity: definition.polarity });
    out.push({ ...base, rci: r.rci, classification: r.classification, ...(r.reason ? { reason: r.reason } : {}) });
  }
  return out;
}

interface AttendanceSignal {
  kind: 'attendance_falling' | 'attendance_stopped';
  attended: number;
  scheduled: number;
  weeks: number[];
}

/**
 * Last 3 weeks with logged sessions (issue 6: < 60 % over the last 3 weeks, or stopped). Only
 * sessions with a register mark for the child count (issue 9: unlogged ≠ absent), so a flag waits
 * until sessions are logged — a teacher who logs only this week's sessions flags nobody for the
 * weeks before.
 */
export function attendanceSignal(weekly: ReadonlyArray<{ week: number; scheduled: number; logged?: number; attended: number }>): AttendanceSignal | null {
  const withSessions = weekly
    // (a summary written before `logged` existed counted every scheduled session as logged)
    .map((w) => ({ week: w.week, logged: w.logged ?? w.scheduled, attended: w.attended }))
    .filter((w) => w.logged > 0)
    .sort((a, b) => a.week - b.week);
  const last = withSessions.slice(-ATTENDANCE_WINDOW_WEEKS);
  if (last.length < ATTENDANCE_WINDOW_WEEKS) return null;
  const scheduled = last.reduce((s, w) => s + w.logged, 0);
  const attended = last.reduce((s, w) => s + w.attended, 0);
  const weeks = last.map((w) => w.week);
  if (attended === 0) return { kind: 'attendance_stopped', attended, scheduled, weeks };
  if (attended / scheduled < ATTENDANCE_FALLING_BELOW) return { kind: 'attendance_falling', attended, scheduled, weeks };
  return null;
}

function scopeIds(actor: Actor, schoolId: string | undefined): 'all' | readonly string[] {
  if (schoolId) {
    authorizeSchool(actor, 'assessment:read', schoolId);
    return [schoolId];
  }
  return schoolScope(actor);
}

export async function worklist(actor: Actor, schoolId?: string, now = new Date()) {
  const scope = scopeIds(actor, schoolId);
  const filter = scope === 'all' ? {} : { schoolIds: { $in: scope.map((s) => new mongoose.Types.ObjectId(s)) } };
  const programmes = await Programme.find(filter).lean<ProgrammeDoc[]>();
  const items: WorklistItem[] = [];
  for (const programme of programmes) {
    const children = await programmeChildren(programme, scope);
    if (children.length === 0) continue;
    const pid = String(programme._id);
    const today = schoolToday(now, programme.timeZone ?? undefined);
    // All of the programme's assessments: the RCI reference (pre-wave SD, α) is the whole programme.
    const all = await Assessment.find({ programmeId: programme._id }).lean<AssessmentDoc[]>();
    const definitions = await definitionsFor(all, programme);
    const byChild = new Map<string, AssessmentDoc[]>();
    for (const a of all) byChild.set(String(a.childId), [...(byChild.get(String(a.childId)) ?? []), a]);
    const item = (child: ChildDoc, kind: WorklistKind, params: WorklistItem['params'], reason: string, priority: number, link?: string): WorklistItem => ({
      kind,
      childId: String(child._id),
      childCode: child.code,
      childName: child.displayName,
      schoolId: String(child.schoolId),
      programmeId: pid,
      programmeName: programme.name,
      params,
      reason,
      link: link ?? `/child-profile/${child._id}`,
      priority,
    });

    // 1. Due waves not entered (window opened; overdue once it has closed).
    for (const w of toWavesJson(programme).waves) {
      if (w.opensOn > today) continue;
      const overdue = w.closesOn < today;
      for (const instr of programme.instruments ?? []) {
        for (const child of children) {
          const has = (byChild.get(String(child._id)) ?? []).some((a) => a.wave === w.wave && a.instrumentCode === instr.code);
          if (has) continue;
          const link = `/assessments/enter?programmeId=${pid}&wave=${w.wave}&instrument=${encodeURIComponent(instr.code)}&childId=${child._id}`;
          items.push(
            item(
              child,
              'missing_wave',
              { wave: w.wave, instrument: instr.code, opensOn: w.opensOn, closesOn: w.closesOn, overdue, consentMissing: !child.guardianConsentDate },
              `${instr.code} ${w.wave} questionnaire not entered (window ${w.opensOn} to ${w.closesOn}${overdue ? ', closed' : ', open'})`,
              overdue ? 3 : 1,
              link,
            ),
          );
        }
      }
    }

    // 2. Cut-offs in the latest wave, 3. reliable worsening since the pre wave.
    const codes = [...new Set(all.map((a) => a.instrumentCode))];
    for (const code of codes) {
      const ofCode = all.filter((a) => a.instrumentCode === code);
      const pre = ofCode.filter((a) => a.wave === 'pre');
      const latestDef = definitions.get(`${code}:${Math.max(...ofCode.map((a) => a.instrumentVersion))}`);
      const stats = latestDef ? changeStats(pre, latestDef) : null;
      for (const child of children) {
        const mine = ofCode.filter((a) => String(a.childId) === String(child._id)).sort((a, b) => waveRank(a.wave) - waveRank(b.wave));
        const latest = mine.at(-1);
        if (!latest) continue;
        const score = latest.score as AssessmentScore;
        for (const flag of score.flags.filter((f) => f.code === 'cutoff')) {
          items.push(
            item(
              child,
              'above_cutoff',
              { instrument: code, wave: latest.wave, scope: flag.scope, score: String(round1(Number(flag.params.score))), cutoff: Number(flag.params.cutoff), polarity: score.polarity },
              `${code} ${latest.wave}: ${flag.message}`,
              2,
            ),
          );
        }
        const def = definitions.get(`${code}:${latest.instrumentVersion}`);
        if (!def || !stats) continue;
        for (const change of changesOf(mine, stats, def)) {
          if (change.classification !== 'worsened' || change.rci === null) continue;
          items.push(
            item(
              child,
              'reliable_worsening',
              { instrument: code, from: change.from, to: change.to, fromTotal: round1(change.fromTotal), toTotal: round1(change.toTotal), rci: Math.round(change.rci * 100) / 100 },
              `${code}: reliable worsening from ${change.from} (${round1(change.fromTotal)}) to ${change.to} (${round1(change.toTotal)}), RCI ${change.rci.toFixed(2)}`,
              3,
            ),
          );
        }
      }
    }

    // 4. Attendance falling or stopped, while the programme runs (and shortly after).
    const end = programmeEndDate(programme.startDate, programme.plannedWeeks);
    if (today >= programme.startDate && today <= addDays(end, ATTENDANCE_FLAG_DAYS_AFTER_END)) {
      const summaries = await DoseSummary.find({ programmeId: programme._id, childId: { $in: children.map((c) => c._id) } }).lean<DoseSummaryDoc[]>();
      const childById = new Map(children.map((c) => [String(c._id), c]));
      for (const s of summaries) {
        const child = childById.get(String(s.childId));
        const signal = child ? attendanceSignal(s.weekly ?? []) : null;
        if (!child || !signal) continue;
        const pct = Math.round((signal.attended / signal.scheduled) * 100);
        items.push(
          item(
            child,
            signal.kind,
            { attended: signal.attended, scheduled: signal.scheduled, percent: pct, weeks: signal.weeks.join(', '), lastAttendedOn: s.lastAttendedOn ?? null },
            signal.kind === 'attendance_stopped'
              ? `Attended none of the ${signal.scheduled} sessions of the last ${ATTENDANCE_WINDOW_WEEKS} weeks`
              : `Attended ${signal.attended} of ${signal.scheduled} sessions (${pct} %) over the last ${ATTENDANCE_WINDOW_WEEKS} weeks (below ${ATTENDANCE_FALLING_BELOW * 100} %)`,
            signal.kind === 'attendance_stopped' ? 3 : 2,
          ),
        );
      }
    }
  }
  items.sort((a, b) => b.priority - a.priority || a.childName.localeCompare(b.childName) || a.kind.localeCompare(b.kind));
  return { items, generatedOn: schoolToday(now) };
}

/** The child page: scores across waves (with cut-offs and change) and weekly attendance, per programme. */
export async function childProfile(actor: Actor, childId: string) {
  const child = await Child.findById(childId).lean<ChildDoc>();
  if (!child) throw notFound('The child');
  authorizeSchool(actor, 'assessment:read', String(child.schoolId));
  const mine = await Assessment.find({ childId: child._id }).lean<AssessmentDoc[]>();
  const summaries = await DoseSummary.find({ childId: child._id }).lean<DoseSummaryDoc[]>();
  const programmeIds = [...new Set([...mine.map((a) => String(a.programmeId)), ...summaries.map((s) => String(s.programmeId))])];
  const programmes = await Programme.find({ _id: { $in: programmeIds } }).sort({ startDate: 1 }).lean<ProgrammeDoc[]>();
  const out = [];
  for (const programme of programmes) {
    const pid = String(programme._id);
    const ofProgramme = mine.filter((a) => String(a.programmeId) === pid);
    const all = await Assessment.find({ programmeId: programme._id, wave: 'pre' }).lean<AssessmentDoc[]>();
    const definitions = await definitionsFor(ofProgramme, programme);
    const codes = [...new Set([...ofProgramme.map((a) => a.instrumentCode), ...(programme.instruments ?? []).map((i) => i.code)])];
    const series = codes.map((code) => {
      const list = ofProgramme.filter((a) => a.instrumentCode === code).sort((a, b) => waveRank(a.wave) - waveRank(b.wave));
      const version = list.at(-1)?.instrumentVersion ?? (programme.instruments ?? []).find((i) => i.code === code)?.version ?? 1;
      const def = definitions.get(`${code}:${version}`);
      const stats = def ? changeStats(all.filter((a) => a.instrumentCode === code), def) : null;
      const week = (date: string) => Math.floor((dayNumber(date) - dayNumber(programme.startDate)) / 7) + 1;
      return {
        instrumentCode: code,
        name: def?.name ?? { en: code, zh: code },
        polarity: def?.polarity ?? 'higher-is-worse',
        cutoffs: (def?.cutoffs ?? []).map((c) => ({ value: c.value, label: c.label })),
        range: def ? { min: def.response.min * (def.scoring === 'sum' ? def.items.length : 1), max: def.response.max * (def.scoring === 'sum' ? def.items.length : 1) } : null,
        points: list.map((a) => {
          const s = a.score as AssessmentScore;
          return {
            assessmentId: String(a._id),
            wave: a.wave as Wave,
            date: a.date,
            week: week(a.date),
            instrumentVersion: a.instrumentVersion,
            total: s.total,
            prorated: s.prorated,
            notScoredReason: s.notScoredReason ?? null,
            flags: s.flags.map((f) => ({ code: f.code, scope: f.scope, messageKey: f.messageKey, params: f.params, message: f.message })),
          };
        }),
        changes: def && stats ? changesOf(list, stats, def) : [],
      };
    });
    const summary = summaries.find((s) => String(s.programmeId) === pid);
    out.push({
      ...toWavesJson(programme),
      weekly: (summary?.weekly ?? []).map((w) => ({
        week: w.week,
        weekStart: addDays(programme.startDate, (w.week - 1) * 7),
        scheduled: w.scheduled,
        logged: w.logged ?? 0,
        notLogged: w.notLogged ?? 0,
        attended: w.attended,
      })),
      attendanceRate: summary?.attendanceRate ?? null,
      series,
    });
  }
  return {
    child: {
      id: String(child._id),
      code: child.code,
      displayName: child.displayName,
      schoolId: String(child.schoolId),
      grade: child.grade,
      guardianConsentDate: child.guardianConsentDate ?? null,
    },
    programmes: out,
  };
}
