// Error factories: every error the API returns has a stable code, a clear message and optional details.
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(400, code, message, details);
export const unauthenticated = (message = 'Please sign in.') => new AppError(401, 'unauthenticated', message);
export const forbidden = (message = 'You do not have access to this.') => new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found.`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
/** Optimistic concurrency: someone else saved first; `current` lets the client merge. */
export const versionConflict = (current: unknown) =>
  new AppError(409, 'version_conflict', 'Someone else changed this in the meantime. Review their version and save again.', {
    current,
  });

/** MongoDB duplicate-key error on insert (shared/DESIGN.md §2 rule 7). */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
