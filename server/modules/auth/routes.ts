import type { Request, Response } from 'express';
import { Router } from 'express';
import { loginSchema } from '../../../shared/schemas/accounts.ts';
import { setupSchema } from '../../../shared/schemas/users.ts';
import { AppError } from '../../lib/errors.ts';
import { mount, route } from '../../lib/route.ts';
import { recordAudit } from '../audit/service.ts';
import { toUserJson, type UserDoc } from '../users/model.ts';
import { beginLoginAttempt, DEFAULT_LOGIN_LIMITS, LOGIN_WINDOW_MS, type LoginLimits } from './login-limit.ts';
import { BROWSER_COOKIE, CSRF_COOKIE, SESSION_COOKIE, cookiesOf, csrfBindingOf } from './middleware.ts';
import { deleteLoginSession, SESSION_MAX_MS } from './sessions.ts';
import { isSetupRequired, login, setupFirstAdmin } from './service.ts';
import { hashSessionToken, isValidCsrfToken, newBrowserId, newCsrfToken } from './tokens.ts';

export interface AuthRouteOptions {
  sessionSecret: string;
  /** Failed sign-ins allowed per username and per client address in 15 minutes (login-limit.ts). */
  loginLimits?: Partial<LoginLimits>;
}

function setCsrfCookie(req: Request, res: Response, token: string) {
  res.cookie(CSRF_COOKIE, token, { httpOnly: false, sameSite: 'strict', secure: req.secure, path: '/' });
}

/** A new session gets a new CSRF token bound to it (the sign-in form's token was the browser's). */
function csrfTokenForSession(req: Request, res: Response, secret: string, sessionToken: string): string {
  const token = newCsrfToken(secret, `session:${hashSessionToken(sessionToken)}`);
  setCsrfCookie(req, res, token);
  return token;
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
  const limits: LoginLimits = { ...DEFAULT_LOGIN_LIMITS, ...options.loginLimits };

  mount(router, '/api/v1/auth', [
    route({
      method: 'get',
      path: '/session',
      summary: 'Current user and CSRF token (browser sign-in state)',
      access: 'public',
      handle: async ({ req, res }) => {
        // Reuse a valid CSRF cookie so several open tabs keep working. Before sign-in the token is
        // bound to a random browser id (httpOnly cookie), after it to the session.
        const cookies = cookiesOf(req);
        let binding = csrfBindingOf(cookies);
        if (!binding) {
          const browserId = newBrowserId();
          res.cookie(BROWSER_COOKIE, browserId, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
          binding = csrfBindingOf({ [BROWSER_COOKIE]: browserId });
        }
        let csrfToken = cookies[CSRF_COOKIE];
        if (!isValidCsrfToken(options.sessionSecret, csrfToken, binding)) {
          csrfToken = newCsrfToken(options.sessionSecret, binding!);
          setCsrfCookie(req, res, csrfToken);
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
        return { user, csrfToken: csrfTokenForSession(req, res, options.sessionSecret, token) };
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
        let attempt: Awaited<ReturnType<typeof beginLoginAttempt>>;
        try {
          attempt = await beginLoginAttempt(body.username, req.ip, limits);
        } catch (err) {
          if (err instanceof AppError && err.status === 429) res.setHeader('Retry-After', String(LOGIN_WINDOW_MS / 1000));
          throw err;
        }
        // A wrong password throws 401 here and its attempt stays counted; a right one does not count.
        const { user, token } = await login(body.username, body.password);
        await attempt.succeeded();
        setSessionCookie(req, res, token);
        return { user, csrfToken: csrfTokenForSession(req, res, options.sessionSecret, token) };
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
