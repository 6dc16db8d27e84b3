// Declarative routes: each declares its access rule and its input schemas. `mount` wires the
// policy check, validation and JSON response, so no route can forget one of them; the registry
// lets the tests walk every route in the role × endpoint matrix.
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { errorCatalog, type ErrorCode } from './error-catalog.ts';
import { AppError, badRequest, unauthenticated } from './errors.ts';
import { authorize, type Actor, type Permission } from './policy.ts';

/** `public`: anyone (login, setup); `authenticated`: any signed-in user; else a policy permission. */
export type Access = 'public' | 'authenticated' | Permission;

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface RouteContext<P, Q, B, A extends Access> {
  req: Request;
  res: Response;
  actor: [A] extends [Exclude<Access, 'public'>] ? Actor : Actor | null;
  params: P;
  query: Q;
  body: B;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown, A extends Access = Access> {
  method: Method;
  path: string;
  access: A;
  /** One line for the API reference (/api/docs), in the users' words. */
  summary: string;
  /** More for the API reference (Markdown), when one line is not enough. */
  description?: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Media type of the body when it is not JSON (the roster import takes CSV text). */
  bodyType?: 'text/csv';
  /** Shape of a successful JSON answer, where one is declared (documentation only). */
  response?: z.ZodType;
  /** Media types of a successful answer that is a file rather than JSON (downloads). */
  produces?: readonly string[];
  /** Saves a phone may retry: the Idempotency-Key header (see lib/idempotency.ts). */
  idempotencyKey?: 'required' | 'optional';
  /**
   * Error codes this route can return besides the ones every route of its kind can (bad input,
   * not signed in, no permission, not found: see `commonErrorsOf`). Listed in the API reference.
   */
  errors?: readonly ErrorCode[];
  /** Status for a successful response with a body (default 200; 204 when the handler returns undefined). */
  status?: number;
  handle(ctx: RouteContext<P, Q, B, A>): Promise<unknown>;
}

/** Returned by handlers that wrote the response themselves (streams). */
export const RESPONDED = Symbol('responded');

/** Helper for type inference of a route definition. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined, const A extends Access = Access>(
  def: RouteDef<P, Q, B, A>,
): RouteDef<P, Q, B, A> {
  return def;
}

export interface RegisteredRoute {
  method: Method;
  /** Full path as Express sees it, e.g. /api/v1/schools/:id */
  path: string;
  access: Access;
  /** The declaration itself: the API reference is generated from the same schemas that validate. */
  def: RouteDoc;
  /** The router (or app) it is served by: lets a test find routes Express serves undeclared. */
  router: unknown;
}
export type RouteDoc = Omit<RouteDef<any, any, any, any>, 'handle'>;
export const routeRegistry: RegisteredRoute[] = [];

/**
 * A route Express serves by hand rather than through `mount` (e.g. /api/health): declared here so
 * it is in the route table and the API reference like every other route.
 */
export function declareRoute(router: unknown, fullPath: string, def: RouteDoc): void {
  routeRegistry.push({ method: def.method, path: fullPath, access: def.access, def, router });
}

/** The codes a route can return because of what it is, whatever its handler does. */
export function commonErrorsOf(def: Pick<RouteDef, 'access' | 'method' | 'params' | 'query' | 'body' | 'bodyType' | 'idempotencyKey'>): ErrorCode[] {
  // Every request: the server's guards (http-guards.ts) answer these before any route runs.
  const codes: ErrorCode[] = ['request_too_large', 'database_unavailable'];
  if (def.params || def.query || def.body) codes.push('invalid_input');
  if (def.body) codes.push(...(def.bodyType ? [] : (['malformed_json'] as const)), 'payload_too_large');
  if (def.access !== 'public') codes.push('unauthenticated', 'token_invalid', 'token_expired', 'token_revoked', 'token_user_inactive', 'rate_limited');
  if (def.access !== 'public' && def.access !== 'authenticated') codes.push('forbidden');
  if (def.method !== 'get') codes.push('csrf_invalid');
  if (def.params) codes.push('not_found');
  if (def.idempotencyKey) codes.push('invalid_idempotency_key', 'idempotency_key_reused', 'request_in_progress');
  if (def.idempotencyKey === 'required') codes.push('idempotency_key_required');
  return codes;
}

export function formatIssues(error: z.ZodError): { message: string; details: { path: string; message: string }[] } {
  const details = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  const first = details[0];
  const message = first ? `${first.path}: ${first.message}` : 'Invalid input.';
  return { message: details.length > 1 ? `${message} (and ${details.length - 1} more)` : message, details };
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return (where === 'body' ? undefined : {}) as T;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) {
    const { message, details } = formatIssues(result.error);
    throw badRequest('invalid_input', `Invalid ${where}: ${message}`, details);
  }
  return result.data;
}

/**
 * Error codes a route returned without declaring them: the API reference would be missing them.
 * Reported on stderr under tests (so a test run shows what to add to the route's `errors`).
 */
export const undocumentedErrors = new Set<string>();

function noteUndocumented(def: RouteDef<any, any, any, any>, fullPath: string, err: unknown): void {
  if (!(err instanceof AppError)) return;
  const documented: readonly string[] = [...commonErrorsOf(def), ...(def.errors ?? [])];
  const catalogued = (errorCatalog as Record<string, { status: number } | undefined>)[err.code];
  if (documented.includes(err.code) && catalogued?.status === err.status) return;
  const entry = `${def.method.toUpperCase()} ${fullPath} → ${err.status} ${err.code}`;
  if (undocumentedErrors.has(entry)) return;
  undocumentedErrors.add(entry);
  if (process.env.NODE_ENV === 'test') process.stderr.write(`undocumented error code: ${entry}\n`);
}

export function mount(router: Router, basePath: string, defs: RouteDef<any, any, any, any>[]): void {
  for (const def of defs) {
    const fullPath = basePath + def.path;
    routeRegistry.push({ method: def.method, path: fullPath, access: def.access, def, router });
    const run = async (req: Request, res: Response) => {
      const actor = (res.locals.actor as Actor | undefined) ?? null;
      if (def.access === 'authenticated') {
        if (!actor) throw unauthenticated();
      } else if (def.access !== 'public') {
        authorize(actor, def.access);
      }
      const params = parse(def.params, req.params, 'path');
      const query = parse(def.query, req.query, 'query');
      const body = parse(def.body, req.body, 'body');
      // Non-public routes were checked above, so `actor` is set wherever the type says so.
      const result = await def.handle({ req, res, actor: actor as Actor, params, query, body });
      if (result === RESPONDED) return;
      if (result === undefined) res.status(204).end();
      else res.status(def.status ?? 200).json(result);
    };
    router[def.method](def.path, async (req: Request, res: Response) => {
      try {
        await run(req, res);
      } catch (err) {
        noteUndocumented(def, fullPath, err);
        throw err;
      }
    });
  }
}
