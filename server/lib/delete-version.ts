// Deletes are guarded like edits (issue 10): the client says which version it saw, in the body
// (`{ "version": 3 }`), the query (`?version=3`) or an `If-Match: "3"` header, and a delete of a
// record someone changed since answers 409 with the current record instead of destroying it.
import type { Request } from 'express';
import { z } from 'zod';
import { AppError, badRequest } from './errors.ts';

/** For the API reference of every DELETE that reads `deleteVersionOf`. */
export const DELETE_VERSION_NOTE =
  'Name the version you read — body `{"version": 3}`, query `?version=3` or header `If-Match: "3"` (without it: 428 `version_required`). A record someone changed since is not deleted: 409 `version_conflict` with the current record.';

const versionSchema = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The version a DELETE expects, or undefined when the request names none; 400 when malformed or contradictory. */
export function deleteVersionOf(req: Request): number | undefined {
  const ifMatch = req.get('If-Match');
  const query = (req.query as Record<string, unknown>).version;
  const body = (req.body as { version?: unknown } | undefined)?.version;
  const given = [
    ifMatch !== undefined ? { where: 'If-Match', value: ifMatch.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1') } : null,
    query !== undefined ? { where: 'version (query)', value: query } : null,
    body !== undefined ? { where: 'version (body)', value: body } : null,
  ].filter((g) => g !== null);
  const versions = given.map(({ where, value }) => {
    const parsed = versionSchema.safeParse(typeof value === 'string' && value.trim() === '' ? undefined : value);
    if (!parsed.success) throw badRequest('invalid_input', `${where}: the version must be a whole number ≥ 0.`, [{ path: 'version', message: 'a whole number ≥ 0' }]);
    return parsed.data;
  });
  if (new Set(versions).size > 1) throw badRequest('invalid_input', 'The version is given twice with different values.', [{ path: 'version', message: 'contradictory' }]);
  return versions[0];
}

/** Called after the access check, so a caller without access still gets 403, not this. */
export function requireDeleteVersion(version: number | undefined): number {
  if (version === undefined) {
    throw new AppError(428, 'version_required', 'Say which version you are deleting (body or query "version", or an If-Match header), so a record someone changed meanwhile is not deleted unseen.');
  }
  return version;
}
