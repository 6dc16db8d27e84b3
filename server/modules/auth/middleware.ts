// Reads the session cookie into `res.locals.actor`, and enforces CSRF on state-changing requests.
import { parse as parseCookies } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../lib/errors.ts';
import type { Actor } from '../../lib/policy.ts';
import { carriesBearerToken } from '../api-tokens/bearer.ts';
import type { UserDoc } from '../users/model.ts';
import { userForSessionToken } from './sessions.ts';
import { hashSessionToken, isValidCsrfToken, sameToken } from './tokens.ts';

export const SESSION_COOKIE = 'ag_session';
export const CSRF_COOKIE = 'ag_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** httpOnly random id of a browser that is not signed in; CSRF tokens before sign-in are bound to it. */
export const BROWSER_COOKIE = 'ag_browser';

export function cookiesOf(req: Request): Record<string, string | undefined> {
  return parseCookies(req.headers.cookie ?? '');
}

export function actorOf(user: UserDoc): Actor {
  return { id: String(user._id), username: user.username, role: user.role, schoolIds: user.schoolIds.map(String) };
}

export function loadActor() {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = cookiesOf(req)[SESSION_COOKIE];
    res.locals.actor = null;
    if (token && token.length <= 100) {
      const user = await userForSessionToken(token);
      if (user) {
        res.locals.actor = actorOf(user);
        res.locals.user = user;
      }
    }
    next();
  };
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What a CSRF token of this request must be bound to: the sign-in session (its cookie, hashed),
 * or before sign-in the browser's own random id; null when the request carries neither.
 */
export function csrfBindingOf(cookies: Record<string, string | undefined>): string | null {
  const session = cookies[SESSION_COOKIE];
  if (session && session.length <= 100) return `session:${hashSessionToken(session)}`;
  const browser = cookies[BROWSER_COOKIE];
  if (browser && browser.length <= 100) return `browser:${hashSessionToken(browser)}`;
  return null;
}

/** The one CSRF gate of the API: every state-changing request passes here. */
export function requireCsrf(secret: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    // Requests with an API token are authenticated by that token alone, never by a cookie (bearer.ts).
    if (safeMethods.has(req.method) || carriesBearerToken(req)) return next();
    const cookies = cookiesOf(req);
    const cookie = cookies[CSRF_COOKIE];
    const header = req.get(CSRF_HEADER);
    if (!isValidCsrfToken(secret, header, csrfBindingOf(cookies)) || !sameToken(cookie, header)) {
      return next(
        new AppError(403, 'csrf_invalid', 'Security token missing or expired. Reload the page and try again.'),
      );
    }
    next();
  };
}
