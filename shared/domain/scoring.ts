// Scoring of one completed questionnaire (DESIGN §3, Instruments):
//   reverse-keyed item: min + max − x;
//   missing ≤ limit → prorate: mean of the answered (keyed) items × number of items for 'sum',
//     the mean of the answered items for 'mean'; flagged;
//   missing > limit → no score, with the reason;
//   out-of-range or non-integer answers are rejected (ScoringError), never clamped;
//   cut-off flags follow polarity: at/above the cut-off for higher-is-worse, at/below otherwise.
import type { InstrumentDefinition } from '../schemas/instrument.ts';
import { sum } from './statistics/basic.ts';

/**
 * Scores (totals, subscales, change scores) are kept to 3 decimals — product precision, documented
 * in the codebook. A prorated sum (mean of answered × items, e.g. 37/40 × 41) or a mean score is
 * otherwise a binary fraction with float noise such as 37.925000000000004; three decimals keep
 * every prorated sum of ≤ 200 items apart to well below any published scale's resolution, and
 * the results page, the exports and the scripts read the same rounded values.
 */
export const SCORE_DECIMALS = 3;

/** The one rounding rule for scores: half away from zero at SCORE_DECIMALS. */
export function roundScore(x: number): number {
  const f = 10 ** SCORE_DECIMALS;
  // toPrecision(15) first drops representation noise (37.9249999… → 37.925) before rounding.
  const r = Math.round(Math.abs(Number((x * f).toPrecision(15)))) / f;
  return x < 0 && r !== 0 ? -r : r;
}

export class ScoringError extends Error {
  readonly code: 'OUT_OF_RANGE' | 'WRONG_ITEM_COUNT' | 'NOT_A_NUMBER';
  readonly itemNumber?: number;
  readonly messageKey: string;
  readonly params: Record<string, string | number>;
  constructor(
    code: ScoringError['code'],
    message: string,
    messageKey: string,
    params: Record<string, string | number>,
    itemNumber?: number,
  ) {
    super(message);
    this.name = 'ScoringError';
    this.code = code;
    this.messageKey = messageKey;
    this.params = params;
    if (itemNumber !== undefined) this.itemNumber = itemNumber;
  }
}

export interface ScoreFlag {
  code: 'prorated' | 'cutoff';
  /** 'total' or a subscale code. */
  scope: string;
  message: string;
  messageKey: string;
  params: Record<string, string | number>;
}

export interface SubscaleScore {
  code: string;
  score: number | null;
  prorated: boolean;
  missingItems: number[];
  atOrBeyondCutoff: boolean | null;
  notScoredReason?: string;
  /** Translate the reason with this key + notScoredParams (issue 9: no English in the zh-CN UI). */
  notScoredMessageKey?: string;
  notScoredParams?: { missing: number; items: string; max: number };
}

export interface AssessmentScore {
  instrument: string;
  total: number | null;
  subscales: SubscaleScore[];
  /** The total was prorated from answered items. */
  prorated: boolean;
  missingItems: number[];
  flags: ScoreFlag[];
  polarity: InstrumentDefinition['polarity'];
  notScoredReason?: string;
  notScoredMessageKey?: string;
  notScoredParams?: { missing: number; items: string; max: number };
}

/** Reverse-keys one answer: min + max − x. */
export function reverseScore(x: number, min: number, max: number): number {
  return min + max - x;
}

/** Checks answers against the definition; returns one problem per bad item (empty when fine). */
export function validateAnswers(definition: InstrumentDefinition, answers: ReadonlyArray<number | null | undefined>): ScoringError[] {
  const problems: ScoringError[] = [];
  const k = definition.items.length;
  if (answers.length !== k) {
    problems.push(
      new ScoringError(
        'WRONG_ITEM_COUNT',
        `${definition.code} has ${k} items but ${answers.length} answers were given`,
        'scoring.wrongItemCount',
        { instrument: definition.code, expected: k, actual: answers.length },
      ),
    );
    return problems;
  }
  const { min, max } = definition.response;
  answers.forEach((a, i) => {
    if (a === null || a === undefined) return;
    const item = definition.items[i]?.number ?? i + 1;
    if (typeof a !== 'number' || !Number.isFinite(a)) {
      problems.push(new ScoringError('NOT_A_NUMBER', `item ${item}: answer is not a number`, 'scoring.notANumber', { item }, item));
    } else if (!Number.isInteger(a) || a < min || a > max) {
      problems.push(
        new ScoringError(
          'OUT_OF_RANGE',
          `item ${item}: answer ${a} is outside the allowed answers ${min}–${max}`,
          'scoring.outOfRange',
          { item, value: a, min, max },
          item,
        ),
      );
    }
  });
  return problems;
}

function defaultSubscaleMissing(definition: InstrumentDefinition, subscaleItems: number): number {
  // Scale the instrument's limit to the subscale's length (product rule; no source gives one).
  return Math.floor((subscaleItems * definition.maxMissingItems) / definition.items.length);
}

interface PartScore {
  score: number | null;
  prorated: boolean;
  missing: number[];
  reason?: string;
  maxMissing: number;
}

function scorePart(definition: InstrumentDefinition, keyed: ReadonlyMap<number, number | null>, items: readonly number[], maxMissing: number): PartScore {
  const answered: number[] = [];
  const missing: number[] = [];
  for (const n of items) {
    const v = keyed.get(n);
    if (v === null || v === undefined) missing.push(n);
    else answered.push(v);
  }
  if (answered.length === 0) {
    return { score: null, prorated: false, missing, reason: 'no items answered', maxMissing };
  }
  if (missing.length > maxMissing) {
    return {
      score: null,
      prorated: false,
      missing,
      reason: `${missing.length} items missing (items ${missing.join(', ')}); at most ${maxMissing} may be missing`,
      maxMissing,
    };
  }
  const meanAnswered = sum(answered) / answered.length;
  const score = roundScore(definition.scoring === 'mean' ? meanAnswered : missing.length === 0 ? sum(answered) : meanAnswered * items.length);
  return { score, prorated: missing.length > 0, missing, maxMissing };
}

function beyondCutoff(score: number, cutoff: number, polarity: InstrumentDefinition['polarity']): boolean {
  return polarity === 'higher-is-worse' ? score >= cutoff : score <= cutoff;
}

/**
 * Scores one questionnaire. `answers[i]` is the answer to `definition.items[i]` (null = missing).
 * Throws ScoringError for a wrong number of answers or an out-of-range answer.
 */
export function scoreAssessment(definition: InstrumentDefinition, answers: ReadonlyArray<number | null | undefined>): AssessmentScore {
  const problems = validateAnswers(definition, answers);
  if (problems.length > 0) throw problems[0];
  const { min, max } = definition.response;
  const reverse = new Set(definition.reverseItems);
  const keyed = new Map<number, number | null>();
  definition.items.forEach((item, i) => {
    const a = answers[i];
    keyed.set(item.number, a === null || a === undefined ? null : reverse.has(item.number) ? reverseScore(a, min, max) : a);
  });
  const allItems = definition.items.map((i) => i.number);
  const total = scorePart(definition, keyed, allItems, definition.maxMissingItems);
  const flags: ScoreFlag[] = [];
  const word = definition.polarity === 'higher-is-worse' ? 'at or above' : 'at or below';
  if (total.prorated) {
    flags.push({
      code: 'prorated',
      scope: 'total',
      message: `Total prorated: ${total.missing.length} item(s) missing (${total.missing.join(', ')})`,
      messageKey: 'scoring.flag.prorated',
      params: { count: total.missing.length, items: total.missing.join(', ') },
    });
  }
  if (total.score !== null) {
    for (const c of definition.cutoffs) {
      if (beyondCutoff(total.score, c.value, definition.polarity)) {
        flags.push({
          code: 'cutoff',
          scope: 'total',
          message: `Total ${fmt(total.score)} is ${word} the cut-off ${c.value}: ${c.label.en}`,
          messageKey: 'scoring.flag.cutoff',
          params: { scope: 'total', score: fmt(total.score), cutoff: c.value },
        });
      }
    }
  }
  const subscales: SubscaleScore[] = definition.subscales.map((s) => {
    const part = scorePart(definition, keyed, s.items, s.maxMissingItems ?? defaultSubscaleMissing(definition, s.items.length));
    const beyond = part.score === null || s.cutoff === undefined ? null : beyondCutoff(part.score, s.cutoff, definition.polarity);
    if (part.prorated) {
      flags.push({
        code: 'prorated',
        scope: s.code,
        message: `${s.name.en} prorated: item(s) ${part.missing.join(', ')} missing`,
        messageKey: 'scoring.flag.proratedSubscale',
        params: { subscale: s.code, items: part.missing.join(', ') },
      });
    }
    if (beyond && part.score !== null && s.cutoff !== undefined) {
      flags.push({
        code: 'cutoff',
        scope: s.code,
        message: `${s.name.en}: ${fmt(part.score)} is ${word} the cut-off ${s.cutoff}`,
        messageKey: 'scoring.flag.cutoff',
        params: { scope: s.code, score: fmt(part.score), cutoff: s.cutoff },
      });
    }
    const out: SubscaleScore = { code: s.code, score: part.score, prorated: part.prorated, missingItems: part.missing, atOrBeyondCutoff: beyond };
    if (part.reason) {
      out.notScoredReason = part.reason;
      out.notScoredMessageKey = part.missing.length === s.items.length ? 'scoring.notScored.allMissing' : 'scoring.notScored.tooManyMissing';
      out.notScoredParams = { missing: part.missing.length, items: part.missing.join(', '), max: part.maxMissing };
    }
    return out;
  });
  const result: AssessmentScore = {
    instrument: definition.code,
    total: total.score,
    subscales,
    prorated: total.prorated,
    missingItems: total.missing,
    flags,
    polarity: definition.polarity,
  };
  if (total.reason) {
    result.notScoredReason = `Not scored: ${total.reason}`;
    result.notScoredMessageKey = total.missing.length === allItems.length ? 'scoring.notScored.allMissing' : 'scoring.notScored.tooManyMissing';
    result.notScoredParams = { missing: total.missing.length, items: total.missing.join(', '), max: total.maxMissing };
  }
  return result;
}

/** Possible range of the total (for charts and property checks). */
export function totalRange(definition: InstrumentDefinition): { min: number; max: number } {
  const k = definition.scoring === 'sum' ? definition.items.length : 1;
  return { min: definition.response.min * k, max: definition.response.max * k };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
