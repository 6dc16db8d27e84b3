import { Router } from 'express';
import { resultsParamsSchema, resultsQuerySchema } from '../../../shared/schemas/results-api.ts';
import { mount, route } from '../../lib/route.ts';
import { getProgrammeResults, listResultProgrammes } from './service.ts';

export function resultsRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/results', [
    route({ method: 'get', path: '/programmes', access: 'results:read', handle: ({ actor }) => listResultProgrammes(actor) }),
    route({
      method: 'get',
      path: '/programmes/:id',
      access: 'results:read',
      params: resultsParamsSchema,
      query: resultsQuerySchema,
      handle: ({ actor, params, query }) => getProgrammeResults(actor, params.id, query),
    }),
  ]);
  return router;
}
