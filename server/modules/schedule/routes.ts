// /api/v1/schedule: the recurring schedule of a programme (read, generate) and per-occurrence
// edits (cancel, restore, reschedule, add an extra session). Saving a register is the sessions
// module's; these routes never set a session to 'held'.
import { Router } from 'express';
import { idParamsSchema } from '../../../shared/schemas/accounts.ts';
import {
  cancelSessionSchema,
  extraSessionSchema,
  generateScheduleSchema,
  rescheduleSessionSchema,
  restoreSessionSchema,
  scheduleQuerySchema,
} from '../../../shared/schemas/programmes-api.ts';
import { idempotencyKeyOf, once } from '../../lib/idempotency.ts';
import { mount, RESPONDED, route } from '../../lib/route.ts';
import { addExtraSession, cancelSession, generateSchedule, listSchedule, rescheduleSession, restoreSession } from './service.ts';

export function scheduleRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/schedule', [
    route({ method: 'get', path: '/', summary: "A programme's scheduled sessions", access: 'session:read', query: scheduleQuerySchema, handle: ({ actor, query }) => listSchedule(actor, query) }),
    route({
      method: 'post',
      path: '/generate',
      summary: 'Generate the recurring sessions from the plan',
      errors: ['schedule_busy'],
      access: 'programme:write',
      body: generateScheduleSchema,
      handle: ({ actor, body }) => generateSchedule(actor, body.programmeId),
    }),
    route({
      method: 'post',
      path: '/extra',
      summary: 'Add an extra session',
      idempotencyKey: 'optional',
      status: 201,
      errors: ['group_not_in_programme', 'slot_taken'],
      access: 'programme:write',
      body: extraSessionSchema,
      // A phone may retry the add: with an Idempotency-Key the retry returns the first answer.
      handle: async ({ actor, body, req, res }) => {
        const result = await once(actor, idempotencyKeyOf(req, false), body, async () => ({ status: 201, body: await addExtraSession(actor, body) }));
        res.status(result.status).json(result.body);
        return RESPONDED;
      },
    }),
    route({
      method: 'post',
      path: '/sessions/:id/cancel',
      summary: 'Cancel a scheduled session',
      errors: ['version_conflict', 'session_not_scheduled', 'session_logged', 'session_changed'],
      access: 'programme:write',
      params: idParamsSchema,
      body: cancelSessionSchema,
      handle: ({ actor, params, body }) => cancelSession(actor, params.id, body),
    }),
    route({
      method: 'post',
      path: '/sessions/:id/restore',
      summary: 'Restore a cancelled session',
      errors: ['version_conflict', 'session_not_cancelled', 'slot_taken', 'session_changed'],
      access: 'programme:write',
      params: idParamsSchema,
      body: restoreSessionSchema,
      handle: ({ actor, params, body }) => restoreSession(actor, params.id, body),
    }),
    route({
      method: 'post',
      path: '/sessions/:id/reschedule',
      summary: 'Move a scheduled session to another date or time',
      errors: ['version_conflict', 'session_not_scheduled', 'session_logged', 'slot_taken', 'session_changed'],
      access: 'programme:write',
      params: idParamsSchema,
      body: rescheduleSessionSchema,
      handle: ({ actor, params, body }) => rescheduleSession(actor, params.id, body),
    }),
  ]);
  return router;
}

