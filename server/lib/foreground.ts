// Foreground work (API requests) as a counter, so background jobs can tell whether requests came
// in while they ran and step aside for them (the dose recompute's turns, dose/service.ts) — and
// not slow themselves down when nobody is waiting.
let requests = 0;

/** Counts one API request (app.ts, before any route). */
export function noteForegroundRequest(): void {
  requests++;
}

/** A reading to compare with later: foreground work happened in between when it differs. */
export function foregroundCount(): number {
  return requests;
}
