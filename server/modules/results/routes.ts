import { Router } from 'express';
import { resultsParamsSchema, resultsQuerySchema } from '../../../shared/schemas/results-api.ts';
import { mount, route } from '../../lib/route.ts';
import { getProgrammeResults, listResultProgrammes } from './service.ts';

export function resultsRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/results', [
    route({ method: 'get', path: '/programmes', summary: 'Programmes with results you may read', access: 'results:read', handle: ({ actor }) => listResultProgrammes(actor) }),
    route({
      method: 'get',
      path: '/programmes/:id',
      summary: 'Pre/post results of a programme (de-identified statistics)',
      errors: ['same_arm', 'inconsistent_data', 'unknown_instrument'],
      access: 'results:read',
      params: resultsParamsSchema,
      query: resultsQuerySchema,
      handle: ({ actor, params, query }) => getProgrammeResults(actor, params.id, query),
    }),
  ]);
  return router;
}
