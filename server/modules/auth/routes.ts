import type { Request, Response } from 'express';
import { Router } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { loginSchema, setupSchema } from '../../../shared/schemas/accounts.ts';
import { AppError } from '../../lib/errors.ts';
import { mount, route } from '../../lib/route.ts';
import { recordAudit } from '../audit/service.ts';
import { toUserJson, type UserDoc } from '../users/model.ts';
import { CSRF_COOKIE, SESSION_COOKIE, cookiesOf } from './middleware.ts';
import { deleteLoginSession, SESSION_MAX_MS } from './sessions.ts';
import { isSetupRequired, login, setupFirstAdmin } from './service.ts';
import { isValidCsrfToken, newCsrfToken } from './tokens.ts';

export interface AuthRouteOptions {
  sessionSecret: string;
  /** Failed and successful sign-ins allowed per IP and username in the window (default 10 / 15 min). */
  loginLimit?: number;
}

function setSessionCookie(req: Request, res: Response, token: string) {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    maxAge: SESSION_MAX_MS,
  });
}

export function authRoutes(options: AuthRouteOptions): Router {
  const router = Router();
  // OWASP Authentication Cheat Sheet: throttle guessing per account and source.
  const loginLimiter = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: options.loginLimit ?? 10,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => {
      const body = req.body as { username?: unknown } | undefined;
      const username = typeof body?.username === 'string' ? body.username.trim().toLowerCase().slice(0, 40) : '';
      return `${ipKeyGenerator(req.ip ?? '')}|${username}`;
    },
    handler: (_req, _res, next) =>
      next(new AppError(429, 'rate_limited', 'Too many sign-in attempts. Wait 15 minutes and try again.')),
  });
  router.use('/login', loginLimiter);

  mount(router, '/api/v1/auth', [
    route({
      method: 'get',
      path: '/session',
      summary: 'Current user and CSRF token (browser sign-in state)',
      access: 'public',
      handle: async ({ req, res }) => {
        // Reuse a valid CSRF cookie so several open tabs keep working.
        let csrfToken = cookiesOf(req)[CSRF_COOKIE];
        if (!isValidCsrfToken(options.sessionSecret, csrfToken)) {
          csrfToken = newCsrfToken(options.sessionSecret);
          res.cookie(CSRF_COOKIE, csrfToken, { httpOnly: false, sameSite: 'strict', secure: req.secure, path: '/' });
        }
        const user = res.locals.user as UserDoc | undefined;
        return {
          setupRequired: user ? false : await isSetupRequired(),
          user: user ? toUserJson(user) : null,
          csrfToken,
        };
      },
    }),
    route({
      method: 'post',
      path: '/setup',
      summary: 'Create the first admin (only while no account exists)',
      errors: ['setup_done', 'username_taken'],
      access: 'public',
      body: setupSchema,
      status: 201,
      handle: async ({ req, res, body }) => {
        const { user, token } = await setupFirstAdmin(body);
        setSessionCookie(req, res, token);
        return { user };
      },
    }),
    route({
      method: 'post',
      path: '/login',
      summary: 'Sign in with username and password (browser session cookie)',
      errors: ['invalid_credentials', 'rate_limited'],
      access: 'public',
      body: loginSchema,
      handle: async ({ req, res, body }) => {
        const { user, token } = await login(body.username, body.password);
        setSessionCookie(req, res, token);
        return { user };
      },
    }),
    route({
      method: 'post',
      path: '/logout',
      summary: 'Sign out (ends the browser session)',
      status: 204,
      access: 'public',
      handle: async ({ req, res, actor }) => {
        const token = cookiesOf(req)[SESSION_COOKIE];
        if (token) await deleteLoginSession(token);
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        if (actor) await recordAudit({ actor, action: 'logout', entity: 'sign_in', entityId: actor.id });
        return undefined;
      },
    }),
  ]);
  return router;
}
