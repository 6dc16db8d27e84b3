import { Router } from 'express';
import { deliveryChildrenQuerySchema, programmeIdParamsSchema } from '../../../shared/schemas/register.ts';
import { mount, route } from '../../lib/route.ts';
import { programmeChildren, programmeDeliveryReport, recomputeProgramme } from './service.ts';

export function deliveryRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/delivery', [
    route({
      method: 'get',
      path: '/programmes/:id',
      summary: 'Delivery report of a programme: dose delivered vs the evidence profile',
      access: 'delivery:read',
      params: programmeIdParamsSchema,
      handle: ({ actor, params }) => programmeDeliveryReport(actor, params.id),
    }),
    route({
      method: 'get',
      path: '/programmes/:id/children',
      summary: 'Per-child dose and adherence in a programme',
      access: 'delivery:read',
      params: programmeIdParamsSchema,
      query: deliveryChildrenQuerySchema,
      handle: ({ actor, params, query }) => programmeChildren(actor, params.id, query),
    }),
    route({
      method: 'post',
      path: '/programmes/:id/recompute',
      summary: "Recompute a programme's dose summaries",
      access: 'programme:write',
      params: programmeIdParamsSchema,
      handle: ({ actor, params }) => recomputeProgramme(actor, params.id),
    }),
  ]);
  return router;
}
