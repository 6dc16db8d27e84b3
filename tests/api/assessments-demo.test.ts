// The demo answer generator: valid answers for every built-in, deterministic, with a visible
// effect in the intervention arm and a few missing items and waves.
import { describe, expect, it } from 'vitest';
import { BUILT_IN_INSTRUMENTS, RSES, SCARED } from '../../shared/domain/instruments.ts';
import { scoreAssessment, validateAnswers } from '../../shared/domain/scoring.ts';
import { mean } from '../../shared/domain/statistics/basic.ts';
import { demoAnswers, demoDate } from '../../server/modules/assessments/demo-answers.ts';

describe('demo answers', () => {
  it('when answers are generated for every built-in and wave, then each is in range with a reason for each blank, and repeatable', () => {
    for (const definition of BUILT_IN_INSTRUMENTS) {
      for (const wave of ['pre', 'post', 'followup'] as const) {
        for (let c = 0; c < 40; c++) {
          const a = demoAnswers({ definition, wave, arm: c % 2 ? 'intervention' : 'control', childKey: `S001-${c}` });
          if (!a) continue;
          expect(validateAnswers(definition, a.answers)).toEqual([]);
          expect(a.missing.map((m) => m.item)).toEqual(a.answers.flatMap((x, i) => (x === null ? [i + 1] : [])));
          expect(demoAnswers({ definition, wave, arm: c % 2 ? 'intervention' : 'control', childKey: `S001-${c}` })).toEqual(a);
        }
      }
    }
  });

  it('when 300 children per arm are simulated, then the intervention arm improves clearly more than control on SCARED and RSES', () => {
    const change = (definition: typeof SCARED, arm: 'intervention' | 'control') => {
      const diffs: number[] = [];
      for (let c = 0; c < 300; c++) {
        const key = `${arm}-${c}`;
        const pre = demoAnswers({ definition, wave: 'pre', arm, childKey: key, missingWaveRate: 0 });
        const post = demoAnswers({ definition, wave: 'post', arm, childKey: key, missingWaveRate: 0 });
        const a = scoreAssessment(definition, pre!.answers).total;
        const b = scoreAssessment(definition, post!.answers).total;
        if (a !== null && b !== null) diffs.push(b - a);
      }
      return mean(diffs);
    };
    expect(change(SCARED, 'intervention')).toBeLessThan(change(SCARED, 'control') - 2);
    expect(change(RSES, 'intervention')).toBeGreaterThan(change(RSES, 'control') + 0.5);
  });

  it('when many children are simulated, then a few items and a few waves are missing', () => {
    let blanks = 0;
    let items = 0;
    let notCollected = 0;
    for (let c = 0; c < 400; c++) {
      const a = demoAnswers({ definition: SCARED, wave: 'post', arm: 'control', childKey: `k${c}` });
      if (!a) notCollected++;
      else {
        blanks += a.missing.length;
        items += a.answers.length;
      }
    }
    expect(blanks / items).toBeGreaterThan(0.005);
    expect(blanks / items).toBeLessThan(0.05);
    expect(notCollected).toBeGreaterThan(10);
    expect(notCollected).toBeLessThan(70);
    expect(demoDate({ opensOn: '2025-03-01', closesOn: '2025-03-14' }, 'k1') >= '2025-03-01').toBe(true);
  });
});
