// The Go heap cap of the embedded FerretDB (server/db/ferretdb.ts): a quarter of memory, ≥ 1 GiB.
import { describe, expect, it } from 'vitest';
import { goMemLimitFor } from '../../server/db/ferretdb.ts';

const GiB = 2 ** 30;

describe('the embedded FerretDB heap cap', () => {
  it('when the machine has 24 GiB, then the cap is 6 GiB (room for an in-memory sort of a county export)', () => {
    expect(goMemLimitFor(24 * GiB)).toBe('6GiB');
  });
  it('when the machine has little memory, then the cap is never under 1 GiB', () => {
    expect(goMemLimitFor(2 * GiB)).toBe('1GiB');
    expect(goMemLimitFor(512 * 2 ** 20)).toBe('1GiB');
  });
  it('when a quarter is not a whole number of GiB, then the cap rounds down (Go reads whole units)', () => {
    expect(goMemLimitFor(15.5 * GiB)).toBe('3GiB');
  });
});
