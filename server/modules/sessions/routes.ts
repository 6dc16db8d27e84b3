import { Router } from 'express';
import { listSessionsQuerySchema, saveSessionLogSchema, sessionIdParamsSchema } from '../../../shared/schemas/register.ts';
import { idempotencyKeyOf, onceRecognisingItsWrite } from '../../lib/idempotency.ts';
import { mount, RESPONDED, route } from '../../lib/route.ts';
import { getSessionForRegister, listSessions, saveSessionLog } from './service.ts';

export function sessionRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/sessions', [
    route({ method: 'get', path: '/', summary: 'List sessions (for the register)', access: 'session:read', query: listSessionsQuerySchema, handle: ({ actor, query }) => listSessions(actor, query) }),
    route({
      method: 'get',
      path: '/:id',
      summary: 'Read a session with its register',
      access: 'session:read',
      params: sessionIdParamsSchema,
      handle: ({ actor, params }) => getSessionForRegister(actor, params.id),
    }),
    route({
      method: 'put',
      path: '/:id/log',
      summary: 'Save a session log: duration, activities, intensity and the register',
      idempotencyKey: 'required',
      errors: ['version_conflict', 'session_cancelled', 'session_in_future', 'unknown_activity', 'not_a_member'],
      access: 'session:write',
      params: sessionIdParamsSchema,
      body: saveSessionLogSchema,
      // A phone may resend the same save: the Idempotency-Key makes the retry a replay, not a second
      // write. The save stores the request id with its conditional write, so no claim is needed first.
      handle: async ({ req, res, actor, params, body }) => {
        const key = idempotencyKeyOf(req, true);
        const result = await onceRecognisingItsWrite(actor, key, { sessionId: params.id, body }, async (requestId) => ({ status: 200, body: await saveSessionLog(actor, params.id, body, new Date(), requestId) }));
        if (result.replayed) res.set('Idempotent-Replayed', 'true');
        res.status(result.status).json(result.body);
        return RESPONDED;
      },
    }),
  ]);
  return router;
}
