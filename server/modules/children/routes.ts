import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  childIdParamsSchema,
  childListQuerySchema,
  createChildSchema,
  deactivateChildSchema,
  reactivateChildSchema,
  rosterImportConfirmSchema,
  rosterImportQuerySchema,
  rosterLimits,
  rosterTemplateQuerySchema,
  updateChildSchema,
} from '../../../shared/schemas/roster.ts';
import { DELETE_VERSION_NOTE, deleteVersionOf } from '../../lib/delete-version.ts';
import { AppError } from '../../lib/errors.ts';
import { mount, RESPONDED, route } from '../../lib/route.ts';
import { confirmRosterImport, previewRosterImport, rosterTemplateCsv } from './import.ts';
import { createChild, deactivateChild, deleteChild, getChild, listChildren, reactivateChild, updateChild } from './service.ts';

/** The import takes the CSV text itself (Content-Type text/csv), up to rosterLimits.importBytes. */
const csvBodySchema = z.string({ error: 'send the CSV text itself with Content-Type: text/csv' });

export function childRoutes(): Router {
  const router = Router();
  router.use('/import/preview', express.text({ type: ['text/csv', 'text/plain'], limit: rosterLimits.importBytes, defaultCharset: 'utf-8' }));
  mount(router, '/api/v1/children', [
    route({ method: 'get', path: '/', summary: 'List children on the roster of a school', access: 'child:read', query: childListQuerySchema, handle: ({ actor, query }) => listChildren(actor, query) }),
    route({ method: 'post', path: '/', summary: 'Add a child to the roster', errors: ['unknown_school', 'duplicate_child'], access: 'child:write', body: createChildSchema, status: 201, handle: ({ actor, body }) => createChild(actor, body) }),
    route({
      method: 'get',
      path: '/import/template',
      summary: 'Download the roster CSV template',
      produces: ['text/csv'],
      access: 'child:write',
      query: rosterTemplateQuerySchema,
      handle: async ({ res, query }) => {
        const name = query.lang === 'en' ? 'roster-template.csv' : 'roster-template-zh.csv';
        res.set('Content-Type', 'text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="${name}"`).send(rosterTemplateCsv(query.lang));
        return RESPONDED;
      },
    }),
    route({
      method: 'post',
      path: '/import/preview',
      summary: 'Upload a roster CSV and preview the import',
      bodyType: 'text/csv',
      errors: ['unknown_school', 'invalid_csv', 'too_many_rows'],
      access: 'child:write',
      query: rosterImportQuerySchema,
      body: csvBodySchema,
      handle: ({ actor, query, body }) => previewRosterImport(actor, query.schoolId, body),
    }),
    route({
      method: 'post',
      path: '/import/confirm',
      summary: 'Confirm a previewed roster import',
      errors: ['preview_not_found', 'preview_expired', 'import_in_progress'],
      access: 'child:write',
      body: rosterImportConfirmSchema,
      handle: ({ actor, body }) => confirmRosterImport(actor, body.token),
    }),
    route({ method: 'get', path: '/:id', summary: 'Read one child', access: 'child:read', params: childIdParamsSchema, handle: ({ actor, params }) => getChild(actor, params.id) }),
    route({
      method: 'patch',
      path: '/:id',
      summary: "Change a child's details",
      errors: ['version_conflict', 'duplicate_child'],
      access: 'child:write',
      params: childIdParamsSchema,
      body: updateChildSchema,
      handle: ({ actor, params, body }) => updateChild(actor, params.id, body),
    }),
    route({
      method: 'post',
      path: '/:id/deactivate',
      summary: 'Deactivate a child (left school, withdrew)',
      errors: ['version_conflict', 'already_inactive'],
      access: 'child:write',
      params: childIdParamsSchema,
      body: deactivateChildSchema,
      handle: ({ actor, params, body }) => deactivateChild(actor, params.id, body),
    }),
    route({
      method: 'post',
      path: '/:id/reactivate',
      summary: 'Reactivate a child',
      errors: ['version_conflict', 'already_active'],
      access: 'child:write',
      params: childIdParamsSchema,
      body: reactivateChildSchema,
      handle: ({ actor, params, body }) => reactivateChild(actor, params.id, body),
    }),
    route({
      method: 'delete',
      path: '/:id',
      summary: 'Delete a child entered by mistake (no attendance or questionnaires)',
      status: 204,
      description: DELETE_VERSION_NOTE,
      errors: ['version_required', 'version_conflict', 'child_has_data'],
      access: 'child:write',
      params: childIdParamsSchema,
      handle: ({ req, actor, params }) => deleteChild(actor, params.id, deleteVersionOf(req)),
    }),
  ]);
  // A CSV over the limit: say which limit (the app's generic message names the JSON limit).
  router.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
    if ((err as { type?: string })?.type === 'entity.too.large') {
      next(new AppError(413, 'payload_too_large', `The CSV is larger than ${rosterLimits.importBytes / 1_000_000} MB. Split it (for example by grade).`));
    } else next(err);
  });
  return router;
}
