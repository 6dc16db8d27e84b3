import { Router } from 'express';
import { idParamsSchema } from '../../../shared/schemas/accounts.ts';
import { createUserSchema, updateUserSchema } from '../../../shared/schemas/users.ts';
import { mount, route } from '../../lib/route.ts';
import { createUser, getUser, listUsers, updateUser } from './service.ts';

export function userRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/users', [
    route({ method: 'get', path: '/', summary: 'List user accounts', access: 'user:manage', handle: () => listUsers() }),
    route({
      method: 'post',
      path: '/',
      summary: 'Create a user account',
      errors: ['username_taken', 'unknown_school'],
      access: 'user:manage',
      body: createUserSchema,
      status: 201,
      handle: ({ body, actor }) => createUser(body, actor),
    }),
    route({
      method: 'get',
      path: '/:id',
      summary: 'Read one user account',
      access: 'user:manage',
      params: idParamsSchema,
      handle: ({ params }) => getUser(params.id),
    }),
    route({
      method: 'patch',
      path: '/:id',
      summary: 'Change a user account (role, schools, password, active)',
      errors: ['version_conflict', 'unknown_school', 'self_lockout'],
      access: 'user:manage',
      params: idParamsSchema,
      body: updateUserSchema,
      handle: ({ params, body, actor }) => updateUser(params.id, body, actor),
    }),
  ]);
  return router;
}
