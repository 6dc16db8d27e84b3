// Reads the session cookie into `res.locals.actor`, and enforces CSRF on state-changing requests.
import { parse as parseCookies } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../lib/errors.ts';
import type { Actor } from '../../lib/policy.ts';
import { carriesBearerToken } from '../api-tokens/bearer.ts';
import type { UserDoc } from '../users/model.ts';
import { userForSessionToken } from './sessions.ts';
import { isValidCsrfToken, sameToken } from './tokens.ts';

export const SESSION_COOKIE = 'ag_session';
export const CSRF_COOKIE = 'ag_csrf';
export const CSRF_HEADER = 'x-csrf-token';

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

export function requireCsrf(secret: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    // Requests with an API token are authenticated by that token alone, never by a cookie (bearer.ts).
    if (safeMethods.has(req.method) || carriesBearerToken(req)) return next();
    const cookie = cookiesOf(req)[CSRF_COOKIE];
    const header = req.get(CSRF_HEADER);
    if (!isValidCsrfToken(secret, cookie) || !sameToken(cookie, header)) {
      return next(
        new AppError(403, 'csrf_invalid', 'Security token missing or expired. Reload the page and try again.'),
      );
    }
    next();
  };
}
