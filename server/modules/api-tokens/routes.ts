// /api/v1/api-tokens: every user manages their own personal API tokens (admins too, for themselves).
import { Router } from 'express';
import { idParamsSchema } from '../../../shared/schemas/accounts.ts';
import { apiTokenListSchema, apiTokenSchema, createApiTokenSchema, createdApiTokenSchema } from '../../../shared/schemas/api-tokens.ts';
import { mount, route } from '../../lib/route.ts';
import { assertBrowserSession } from './bearer.ts';
import { createApiToken, listApiTokens, revokeApiToken } from './service.ts';

export function apiTokenRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/api-tokens', [
    route({
      method: 'get',
      path: '/',
      summary: 'List your API tokens (never the tokens themselves)',
      errors: ['session_required'],
      access: 'authenticated',
      response: apiTokenListSchema,
      handle: ({ res, actor }) => {
        assertBrowserSession(res);
        return listApiTokens(actor);
      },
    }),
    route({
      method: 'post',
      path: '/',
      summary: 'Create an API token; the answer is the only time the token is shown',
      errors: ['session_required', 'too_many_tokens'],
      access: 'authenticated',
      body: createApiTokenSchema,
      response: createdApiTokenSchema,
      status: 201,
      handle: ({ res, actor, body }) => {
        assertBrowserSession(res);
        return createApiToken(actor, body);
      },
    }),
    route({
      method: 'post',
      path: '/:id/revoke',
      summary: 'Revoke one of your API tokens (it stops working at once)',
      errors: ['session_required'],
      access: 'authenticated',
      params: idParamsSchema,
      response: apiTokenSchema,
      handle: ({ res, actor, params }) => {
        assertBrowserSession(res);
        return revokeApiToken(actor, params.id);
      },
    }),
  ]);
  return router;
}
