import { expect } from 'vitest';

/** Agreement to 1e-6 relative (so tiny p-values are compared on their own scale), 1e-12 absolute near zero. */
export function expectClose(actual: number | null | undefined, expected: number, tol = 1e-6): void {
  expect(typeof actual, `expected a number close to ${expected}, got ${String(actual)}`).toBe('number');
  const a = actual as number;
  const err = Math.abs(a - expected);
  expect(err <= tol * Math.abs(expected) || err <= 1e-12, `${a} vs ${expected} (|Δ| = ${err})`).toBe(true);
}
