import { Router } from 'express';
import { auditQuerySchema } from '../../../shared/schemas/accounts.ts';
import { mount, route } from '../../lib/route.ts';
import { listAudit } from './service.ts';

export function auditRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/audit', [
    route({
      method: 'get',
      path: '/',
      summary: 'Read the audit trail (filter by entity, action, actor, day)',
      access: 'audit:read',
      query: auditQuerySchema,
      handle: ({ query }) => listAudit(query),
    }),
  ]);
  return router;
}
