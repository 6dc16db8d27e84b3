import { Router } from 'express';
import { childIdParamsSchema, worklistQuerySchema } from '../../../shared/schemas/assessments-api.ts';
import { mount, route } from '../../lib/route.ts';
import { childProfile, worklist } from './service.ts';

export function worklistRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/worklist', [
    // Scores are part of the worklist: only those with assessment:read (counsellors, admins).
    route({ method: 'get', path: '/', summary: 'Worklist: children who worsen, reliably improve or stopped coming', access: 'assessment:read', query: worklistQuerySchema, handle: ({ actor, query }) => worklist(actor, query.schoolId) }),
    route({
      method: 'get',
      path: '/children/:childId',
      summary: "A child's profile: scores over the waves and attendance",
      access: 'assessment:read',
      params: childIdParamsSchema,
      handle: ({ actor, params }) => childProfile(actor, params.childId),
    }),
  ]);
  return router;
}
