import { Router } from 'express';
import { createSchoolSchema, idParamsSchema, updateSchoolSchema } from '../../../shared/schemas/accounts.ts';
import { DELETE_VERSION_NOTE, deleteVersionOf } from '../../lib/delete-version.ts';
import { mount, route } from '../../lib/route.ts';
import { createSchool, deleteSchool, getSchool, listSchools, updateSchool } from './service.ts';

export function schoolRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/schools', [
    route({ method: 'get', path: '/', summary: 'List the schools you can reach', access: 'school:read', handle: ({ actor }) => listSchools(actor) }),
    route({
      method: 'post',
      path: '/',
      summary: 'Create a school',
      access: 'school:manage',
      body: createSchoolSchema,
      status: 201,
      handle: ({ actor, body }) => createSchool(actor, body),
    }),
    route({
      method: 'get',
      path: '/:id',
      summary: 'Read one school',
      access: 'school:read',
      params: idParamsSchema,
      handle: ({ actor, params }) => getSchool(actor, params.id),
    }),
    route({
      method: 'patch',
      path: '/:id',
      summary: 'Change a school',
      errors: ['version_conflict'],
      access: 'school:manage',
      params: idParamsSchema,
      body: updateSchoolSchema,
      handle: ({ actor, params, body }) => updateSchool(actor, params.id, body),
    }),
    route({
      method: 'delete',
      path: '/:id',
      summary: 'Delete a school that has no users, children or groups',
      status: 204,
      description: DELETE_VERSION_NOTE,
      errors: ['version_required', 'version_conflict', 'school_in_use'],
      access: 'school:manage',
      params: idParamsSchema,
      handle: ({ req, actor, params }) => deleteSchool(actor, params.id, deleteVersionOf(req)),
    }),
  ]);
  return router;
}
