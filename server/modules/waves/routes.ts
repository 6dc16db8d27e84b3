import { Router } from 'express';
import { programmeIdParamsSchema, updateWavesSchema } from '../../../shared/schemas/assessments-api.ts';
import { mount, route } from '../../lib/route.ts';
import { getProgrammeWaves, listProgrammeWaves, updateProgrammeWaves } from './service.ts';

export function waveRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/programme-waves', [
    route({ method: 'get', path: '/', summary: 'List programmes with their questionnaire waves', access: 'programme:read', handle: ({ actor }) => listProgrammeWaves(actor) }),
    route({
      method: 'get',
      path: '/:programmeId',
      summary: "Read a programme's waves and instruments",
      access: 'programme:read',
      params: programmeIdParamsSchema,
      handle: ({ actor, params }) => getProgrammeWaves(actor, params.programmeId),
    }),
    route({
      method: 'put',
      path: '/:programmeId',
      summary: "Set a programme's waves and instruments",
      errors: ['version_conflict', 'unknown_instrument'],
      access: 'assessment:write',
      params: programmeIdParamsSchema,
      body: updateWavesSchema,
      handle: ({ actor, params, body }) => updateProgrammeWaves(actor, params.programmeId, body),
    }),
  ]);
  return router;
}
