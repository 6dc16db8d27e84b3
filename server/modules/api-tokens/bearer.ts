// Requests from scripts: `Authorization: Bearer <personal API token>`. This is the one place that
// decides what such a request is:
// - it is authenticated by the token alone (a session cookie sent along is ignored), and a refused
//   token is a 401 (never a silent fall-back to anonymous);
// - it is exempt from CSRF: a browser never attaches an Authorization header to a cross-site
//   request by itself, so a forged request cannot carry the token (OWASP CSRF Prevention Cheat
//   Sheet); auth/middleware.ts asks `carriesBearerToken` before demanding the CSRF header;
// - it is rate-limited per token.
import type { NextFunction, Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AppError } from '../../lib/errors.ts';
import { actorOf } from '../auth/middleware.ts';
import { hashApiToken, userForApiToken } from './service.ts';

/** Requests per token per minute: a script paging through a county is well below it. */
export const API_TOKEN_REQUESTS_PER_MINUTE = 600;

const bearerPattern = /^Bearer[ ]+(\S+)\s*$/i;

export function carriesBearerToken(req: Request): boolean {
  return /^Bearer\b/i.test(req.get('authorization') ?? '');
}

function bearerTokenOf(req: Request): string {
  return bearerPattern.exec(req.get('authorization') ?? '')?.[1] ?? '';
}

export function apiTokenAuth(options: { requestsPerMinute?: number } = {}) {
  const limiter = rateLimit({
    windowMs: 60 * 1000,
    limit: options.requestsPerMinute ?? API_TOKEN_REQUESTS_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (req) => !carriesBearerToken(req),
    keyGenerator: (req) => hashApiToken(bearerTokenOf(req)),
    handler: (_req, _res, next) =>
      next(new AppError(429, 'rate_limited', 'Too many requests with this API token. Wait a minute and try again.')),
  });
  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    if (!carriesBearerToken(req)) return next();
    const { user, tokenId } = await userForApiToken(bearerTokenOf(req));
    res.locals.actor = actorOf(user);
    res.locals.user = user;
    res.locals.apiTokenId = tokenId;
    next();
  };
  return [limiter, authenticate];
}

/** Managing tokens needs the person at the browser: a token cannot mint or revoke tokens. */
export function assertBrowserSession(res: Response): void {
  if (res.locals.apiTokenId) {
    throw new AppError(403, 'session_required', 'Manage API tokens in the app, signed in, not with an API token.');
  }
}
