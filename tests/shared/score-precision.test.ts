// Issue 10 item 14: scores without float noise — one rounding rule (3 decimals) for scoring,
// exports and results.
import { describe, expect, it } from 'vitest';
import { SCARED } from '../../shared/domain/instruments.ts';
import { changeScore, formatNumber } from '../../shared/domain/export-columns.ts';
import { roundScore, scoreAssessment, SCORE_DECIMALS } from '../../shared/domain/scoring.ts';

describe('score precision', () => {
  it('when a prorated SCARED total is 37/40 × 41, then it is stored as 37.925, not 37.925000000000004', () => {
    expect(37 / 40 * 41).not.toBe(37.925); // the float noise the issue saw
    // 40 answered items summing to 37 (one item missing): prorated to 37/40 × 41.
    const answers: (number | null)[] = SCARED.items.map((_, i) => (i === 0 ? null : i <= 37 ? 1 : 0));
    const score = scoreAssessment(SCARED, answers);
    expect(score.prorated).toBe(true);
    expect(score.total).toBe(37.925);
    expect(formatNumber(score.total)).toBe('37.925');
  });

  it('when scores are rounded, then it is half away from zero at the documented precision, and change scores carry no noise', () => {
    expect(SCORE_DECIMALS).toBe(3);
    expect(roundScore(37.925000000000004)).toBe(37.925);
    expect(roundScore(17 / 7)).toBe(2.429);
    expect(roundScore(1.0005)).toBe(1.001);
    expect(roundScore(-1.0005)).toBe(-1.001);
    expect(roundScore(-0.0001)).toBe(0);
    expect(Object.is(roundScore(-0.0001), -0)).toBe(false);
    expect(37.925 - 20.5).not.toBe(17.425);
    expect(changeScore(20.5, 37.925)).toBe(17.425);
  });
});
