// Small-cell suppression for aggregates shown to researchers or exported.
// Product default: a cell with fewer than 5 children is suppressed (DESIGN §3; common
// statistical-disclosure practice, not a cited rule — configurable).
export const SMALL_CELL_MIN_N = 5;

export type Suppressed<T> = { [K in keyof T]: T[K] | null } & { suppressed: boolean; reason?: string };

/**
 * Returns the cells with every field except `keep` set to null where the count field is below
 * `minN`. The count itself is nulled too (showing "n = 3" would reveal the small cell).
 */
export function suppressSmallCells<T extends Record<string, unknown>>(
  cells: readonly T[],
  countKey: keyof T,
  options: { minN?: number; keep?: readonly (keyof T)[] } = {},
): Suppressed<T>[] {
  const minN = options.minN ?? SMALL_CELL_MIN_N;
  const keep = new Set<keyof T>(options.keep ?? []);
  return cells.map((cell) => {
    const n = cell[countKey];
    if (typeof n === 'number' && n >= minN) return { ...cell, suppressed: false } as Suppressed<T>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(cell)) out[key] = keep.has(key as keyof T) ? cell[key] : null;
    out.suppressed = true;
    out.reason = `fewer than ${minN} children in this cell`;
    return out as Suppressed<T>;
  });
}
