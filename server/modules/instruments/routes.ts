import { Router } from 'express';
import {
  createInstrumentSchema,
  instrumentCodeParamsSchema,
  instrumentVersionParamsSchema,
  listInstrumentsQuerySchema,
  updateInstrumentSchema,
} from '../../../shared/schemas/instruments-api.ts';
import { mount, route } from '../../lib/route.ts';
import { assertPortable, createInstrument, getInstrument, listInstruments, updateInstrument } from './service.ts';

export function instrumentRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/instruments', [
    route({
      method: 'get',
      path: '/',
      summary: 'List questionnaire instruments',
      access: 'instrument:read',
      query: listInstrumentsQuerySchema,
      handle: ({ query }) => listInstruments(query.allVersions === 'true'),
    }),
    route({
      method: 'get',
      path: '/:code',
      summary: 'Read an instrument (latest version)',
      errors: ['instrument_corrupt'],
      access: 'instrument:read',
      params: instrumentCodeParamsSchema,
      handle: ({ params }) => getInstrument(params.code),
    }),
    route({
      method: 'get',
      path: '/:code/versions/:version',
      summary: 'Read one version of an instrument',
      errors: ['instrument_corrupt'],
      access: 'instrument:read',
      params: instrumentVersionParamsSchema,
      handle: ({ params }) => getInstrument(params.code, params.version),
    }),
    route({
      method: 'post',
      path: '/',
      summary: 'Add an instrument definition',
      errors: ['instrument_code_taken'],
      access: 'instrument:manage',
      body: createInstrumentSchema,
      status: 201,
      handle: ({ req, actor, body }) => {
        assertPortable(req.body);
        return createInstrument(actor, body.definition);
      },
    }),
    route({
      method: 'patch',
      path: '/:code',
      summary: 'Publish a new version of an instrument',
      errors: ['version_conflict', 'instrument_code_mismatch'],
      access: 'instrument:manage',
      params: instrumentCodeParamsSchema,
      body: updateInstrumentSchema,
      handle: ({ req, actor, params, body }) => {
        assertPortable(req.body);
        return updateInstrument(actor, params.code, body);
      },
    }),
  ]);
  return router;
}
