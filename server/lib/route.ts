// Declarative routes: each declares its access rule and its input schemas. `mount` wires the
// policy check, validation and JSON response, so no route can forget one of them; the registry
// lets the tests walk every route in the role × endpoint matrix.
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { badRequest, unauthenticated } from './errors.ts';
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
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
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
  path: string;
  access: Access;
}
export const routeRegistry: RegisteredRoute[] = [];

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

export function mount(router: Router, basePath: string, defs: RouteDef<any, any, any, any>[]): void {
  for (const def of defs) {
    routeRegistry.push({ method: def.method, path: basePath + def.path, access: def.access });
    router[def.method](def.path, async (req: Request, res: Response) => {
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
    });
  }
}
