import { Router } from 'express';
import { exportParamsSchema, exportQuerySchema } from '../../../shared/schemas/results-api.ts';
import { mount, RESPONDED, route } from '../../lib/route.ts';
import { contentTypeOf, runExport } from './service.ts';

export function exportRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/exports', [
    // A download started by a link (GET), streamed to disk by the browser; audited as 'export'.
    route({
      method: 'get',
      path: '/:format',
      summary: 'Download a de-identified export (long CSV, wide CSV, codebook, R or SPSS script)',
      errors: ['unknown_instrument'],
      produces: [...new Set(Object.values(contentTypeOf))],
      access: 'export:create',
      params: exportParamsSchema,
      query: exportQuerySchema,
      handle: async ({ actor, params, query, res }) => {
        await runExport(actor, params.format, query, res);
        return RESPONDED;
      },
    }),
  ]);
  return router;
}
