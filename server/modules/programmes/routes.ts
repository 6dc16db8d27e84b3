// /api/v1/programmes: plan a programme; every answer carries the plan check (shared/domain/plan-check.ts).
import { Router } from 'express';
import { idParamsSchema } from '../../../shared/schemas/accounts.ts';
import { createProgrammeSchema, listProgrammesQuerySchema, updateProgrammeSchema } from '../../../shared/schemas/programmes-api.ts';
import { DELETE_VERSION_NOTE, deleteVersionOf } from '../../lib/delete-version.ts';
import { mount, route } from '../../lib/route.ts';
import { createProgramme, deleteProgramme, formOptions, getProgramme, listProgrammes, updateProgramme } from './service.ts';

export function programmeRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/programmes', [
    route({ method: 'get', path: '/', summary: 'List programmes', access: 'programme:read', query: listProgrammesQuerySchema, handle: ({ actor, query }) => listProgrammes(actor, query) }),
    route({ method: 'post', path: '/', summary: 'Plan a programme (the answer carries the plan check)', errors: ['unknown_school', 'unknown_group', 'group_outside_schools', 'unknown_activity'], access: 'programme:write', body: createProgrammeSchema, status: 201, handle: ({ actor, body }) => createProgramme(actor, body) }),
    // Schools and groups the user may plan for (before '/:id', which would read it as an id).
    route({ method: 'get', path: '/form-options', summary: 'Schools and groups you may plan for', access: 'programme:read', handle: ({ actor }) => formOptions(actor) }),
    route({ method: 'get', path: '/:id', summary: 'Read a programme with its plan check', access: 'programme:read', params: idParamsSchema, handle: ({ actor, params }) => getProgramme(actor, params.id) }),
    route({
      method: 'patch',
      path: '/:id',
      summary: "Change a programme's plan",
      errors: ['version_conflict', 'unknown_school', 'unknown_group', 'group_outside_schools', 'unknown_activity', 'schedule_busy'],
      access: 'programme:write',
      params: idParamsSchema,
      body: updateProgrammeSchema,
      handle: ({ actor, params, body }) => updateProgramme(actor, params.id, body),
    }),
    route({
      method: 'delete',
      path: '/:id',
      summary: 'Delete a programme without held sessions',
      status: 204,
      description: DELETE_VERSION_NOTE,
      errors: ['version_required', 'version_conflict', 'programme_has_held_sessions'],
      access: 'programme:write',
      params: idParamsSchema,
      handle: ({ req, actor, params }) => deleteProgramme(actor, params.id, deleteVersionOf(req)),
    }),
  ]);
  return router;
}
