import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RSES, SASC_CN_10, SCARED } from '../../shared/domain/instruments.ts';
import { reverseScore, scoreAssessment, ScoringError, totalRange, validateAnswers } from '../../shared/domain/scoring.ts';
import { instrumentDefinitionSchema } from '../../shared/schemas/instrument.ts';

describe('built-in instruments', () => {
  it('when SCARED is loaded, then its five subscales cover items 1–41 exactly once with the published sizes and cut-offs', () => {
    const all = SCARED.subscales.flatMap((s) => s.items).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(SCARED.subscales.map((s) => [s.code, s.items.length, s.cutoff])).toEqual([
      ['PANIC', 13, 7], ['GAD', 9, 9], ['SEPARATION', 8, 5], ['SOCIAL', 7, 8], ['SCHOOL', 4, 3],
    ]);
    expect(totalRange(SCARED)).toEqual({ min: 0, max: 82 });
    expect(SCARED.cutoffs[0]?.value).toBe(25);
  });
  it('when SASC and RSES are loaded, then FNE/SAD and the reverse items match DESIGN §3', () => {
    expect(SASC_CN_10.subscales.find((s) => s.code === 'FNE')?.items).toEqual([1, 2, 5, 6, 8, 10]);
    expect(SASC_CN_10.subscales.find((s) => s.code === 'SAD')?.items).toEqual([3, 4, 7, 9]);
    expect(totalRange(SASC_CN_10)).toEqual({ min: 0, max: 20 });
    expect(RSES.reverseItems).toEqual([2, 5, 6, 8, 9]);
    expect(RSES.polarity).toBe('higher-is-better');
  });
  it('when a definition has a subscale item that does not exist, then the schema rejects it', () => {
    const bad = { ...SASC_CN_10, subscales: [{ code: 'X', name: { en: 'x', zh: 'x' }, items: [11] }] };
    expect(instrumentDefinitionSchema.safeParse(bad).success).toBe(false);
  });
});

describe('scoreAssessment', () => {
  it('when RSES is answered fully, then reverse items are keyed as min + max − x', () => {
    // answers 4,1,4,4,1,1,4,1,1,4 → every item keyed 4 → 40 (maximum self-esteem)
    const r = scoreAssessment(RSES, [4, 1, 4, 4, 1, 1, 4, 1, 1, 4]);
    expect(r.total).toBe(40);
    expect(r.prorated).toBe(false);
    expect(r.flags).toEqual([]);
    // all 2s → positive items 2, reversed items 1+4−2 = 3: 5·2 + 5·3 = 25
    expect(scoreAssessment(RSES, Array(10).fill(2)).total).toBe(25);
  });

  it('when SCARED totals 25 or more, then the total and subscale cut-off flags are raised', () => {
    const answers = Array<number>(41).fill(0);
    for (const n of [1, 6, 9, 12, 15, 18, 19, 22, 24, 27, 30, 34, 38]) answers[n - 1] = 1; // panic 13
    for (const n of [5, 7, 14, 21, 23, 28]) answers[n - 1] = 2; // GAD 12
    const r = scoreAssessment(SCARED, answers);
    expect(r.total).toBe(25);
    expect(r.subscales.map((s) => [s.code, s.score, s.atOrBeyondCutoff])).toEqual([
      ['PANIC', 13, true], ['GAD', 12, true], ['SEPARATION', 0, false], ['SOCIAL', 0, false], ['SCHOOL', 0, false],
    ]);
    expect(r.flags.filter((f) => f.code === 'cutoff').map((f) => f.scope)).toEqual(['total', 'PANIC', 'GAD']);
  });

  it('when one SASC item is missing, then the total is prorated (mean of answered × 10) and flagged', () => {
    const r = scoreAssessment(SASC_CN_10, [2, 1, 1, 0, null, 2, 1, 1, 0, 1]);
    // answered sum 9 over 9 items → 1 × 10 = 10
    expect(r.total).toBe(10);
    expect(r.prorated).toBe(true);
    expect(r.missingItems).toEqual([5]);
    expect(r.flags[0]).toMatchObject({ code: 'prorated', scope: 'total', messageKey: 'scoring.flag.prorated' });
    // FNE has 6 items: default subscale limit floor(6·1/10) = 0 → not scored; SAD complete
    expect(r.subscales[0]).toMatchObject({ code: 'FNE', score: null });
    expect(r.subscales[1]).toMatchObject({ code: 'SAD', score: 2 });
  });

  it('when more items are missing than allowed, then there is no score and the reason says why', () => {
    const r = scoreAssessment(SASC_CN_10, [2, null, 1, 0, null, 2, 1, 1, 0, 1]);
    expect(r.total).toBeNull();
    expect(r.notScoredReason).toMatch(/2 items missing \(items 2, 5\); at most 1/);
  });

  it('when all items are missing, then there is no score', () => {
    const r = scoreAssessment(RSES, Array(10).fill(null));
    expect(r.total).toBeNull();
    expect(r.notScoredMessageKey).toBe('scoring.notScored.allMissing');
  });

  it('when an answer is out of range or not whole, then scoring is rejected with the item number, never clamped', () => {
    expect(() => scoreAssessment(SCARED, [...Array(40).fill(0), 3])).toThrow(/item 41: answer 3 is outside the allowed answers 0–2/);
    expect(() => scoreAssessment(RSES, [0, ...Array(9).fill(1)])).toThrow(ScoringError);
    expect(() => scoreAssessment(RSES, [1.5, ...Array(9).fill(1)])).toThrow(/item 1/);
    expect(() => scoreAssessment(RSES, [1, 1])).toThrow(/10 items but 2 answers/);
    expect(validateAnswers(RSES, [5, ...Array(8).fill(1), -1]).map((e) => e.itemNumber)).toEqual([1, 10]);
  });
});

describe('scoring properties', () => {
  const defs = [SCARED, SASC_CN_10, RSES];
  it('reverse keying twice is the identity', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 10 }), (min, width, off) => {
        const max = min + width;
        const x = min + (off % (width + 1));
        expect(reverseScore(reverseScore(x, min, max), min, max)).toBe(x);
        const r = reverseScore(x, min, max);
        expect(r >= min && r <= max).toBe(true);
      }),
    );
  });
  it('a (prorated) total always stays within the instrument range', () => {
    fc.assert(
      fc.property(fc.constantFrom(...defs), fc.array(fc.option(fc.integer({ min: 0, max: 100 }), { nil: null, freq: 6 }), { minLength: 41, maxLength: 41 }), (def, raw) => {
        const { min, max } = def.response;
        const answers = raw.slice(0, def.items.length).map((v) => (v === null ? null : min + (v % (max - min + 1))));
        const r = scoreAssessment(def, answers);
        const range = totalRange(def);
        if (r.total !== null) {
          expect(r.total).toBeGreaterThanOrEqual(range.min - 1e-9);
          expect(r.total).toBeLessThanOrEqual(range.max + 1e-9);
        } else {
          expect(r.notScoredReason).toBeTruthy();
        }
        for (const s of r.subscales) {
          if (s.score !== null) {
            const sub = def.subscales.find((x) => x.code === s.code);
            expect(s.score).toBeLessThanOrEqual(max * (sub?.items.length ?? 0) + 1e-9);
            expect(s.score).toBeGreaterThanOrEqual(min * (sub?.items.length ?? 0) - 1e-9);
          }
        }
      }),
    );
  });
});
