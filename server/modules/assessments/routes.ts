import { Router } from 'express';
import {
  assessmentIdParamsSchema,
  createAssessmentSchema,
  entrySheetQuerySchema,
  listAssessmentsQuerySchema,
  secondEntrySchema,
  updateAssessmentSchema,
} from '../../../shared/schemas/assessments-api.ts';
import { DELETE_VERSION_NOTE, deleteVersionOf } from '../../lib/delete-version.ts';
import { idempotencyKeyOf, once } from '../../lib/idempotency.ts';
import { mount, RESPONDED, route } from '../../lib/route.ts';
import {
  createAssessment,
  deleteAssessment,
  entrySheet,
  getAssessment,
  listAssessments,
  recordSecondEntry,
  updateAssessment,
} from './service.ts';

export function assessmentRoutes(): Router {
  const router = Router();
  mount(router, '/api/v1/assessments', [
    route({
      method: 'get',
      path: '/',
      summary: 'List questionnaire results (with names; counsellors)',
      access: 'assessment:read',
      query: listAssessmentsQuerySchema,
      handle: ({ actor, query }) => listAssessments(actor, query),
    }),
    route({
      method: 'get',
      path: '/entry-sheet',
      summary: 'Entry sheet: the children of a programme for one wave and instrument',
      errors: ['instrument_not_in_programme'],
      access: 'assessment:read',
      query: entrySheetQuerySchema,
      handle: ({ actor, query }) => entrySheet(actor, query.programmeId, query.wave, query.instrumentCode),
    }),
    route({
      method: 'post',
      path: '/',
      summary: "Enter a child's questionnaire answers",
      idempotencyKey: 'required',
      status: 201,
      errors: ['assessment_exists', 'outside_wave_window', 'child_not_in_programme', 'instrument_not_in_programme', 'wave_not_scheduled', 'guardian_consent_required', 'consent_after_assessment', 'date_in_future', 'invalid_answers', 'invalid_missing', 'missing_reason_required'],
      access: 'assessment:write',
      body: createAssessmentSchema,
      handle: async ({ req, res, actor, body }) => {
        // A retried save (same Idempotency-Key and body) returns the first answer and stores nothing twice.
        const result = await once(actor, idempotencyKeyOf(req, true), body, async (requestId) => ({ status: 201, body: await createAssessment(actor, body, requestId) }));
        if (result.replayed) res.set('Idempotent-Replayed', 'true');
        res.status(result.status).json(result.body);
        return RESPONDED;
      },
    }),
    route({
      method: 'get',
      path: '/:id',
      summary: 'Read one questionnaire result',
      access: 'assessment:read',
      params: assessmentIdParamsSchema,
      handle: ({ actor, params }) => getAssessment(actor, params.id),
    }),
    route({
      method: 'patch',
      path: '/:id',
      summary: "Correct a questionnaire's answers",
      idempotencyKey: 'optional',
      errors: ['version_conflict', 'outside_wave_window', 'guardian_consent_required', 'consent_after_assessment', 'date_in_future', 'invalid_answers', 'invalid_missing', 'missing_reason_required'],
      access: 'assessment:write',
      params: assessmentIdParamsSchema,
      body: updateAssessmentSchema,
      handle: async ({ req, res, actor, params, body }) => {
        const result = await once(actor, idempotencyKeyOf(req, false), { id: params.id, body }, async (requestId) => ({
          status: 200,
          body: await updateAssessment(actor, params.id, body, requestId),
        }));
        if (result.replayed) res.set('Idempotent-Replayed', 'true');
        res.status(result.status).json(result.body);
        return RESPONDED;
      },
    }),
    route({
      method: 'delete',
      path: '/:id',
      summary: 'Delete a questionnaire entered by mistake',
      status: 204,
      description: DELETE_VERSION_NOTE,
      errors: ['version_required', 'version_conflict'],
      access: 'assessment:write',
      params: assessmentIdParamsSchema,
      handle: ({ req, actor, params }) => deleteAssessment(actor, params.id, deleteVersionOf(req)),
    }),
    route({
      method: 'post',
      path: '/:id/second-entry',
      summary: 'Second (verification) entry of a paper questionnaire',
      idempotencyKey: 'optional',
      errors: ['version_conflict', 'second_entry_same_person', 'guardian_consent_required', 'consent_after_assessment', 'invalid_answers', 'invalid_missing', 'missing_reason_required'],
      access: 'assessment:write',
      params: assessmentIdParamsSchema,
      body: secondEntrySchema,
      handle: async ({ req, res, actor, params, body }) => {
        const result = await once(actor, idempotencyKeyOf(req, false), { id: params.id, body }, async (requestId) => ({
          status: 200,
          body: await recordSecondEntry(actor, params.id, body, requestId),
        }));
        if (result.replayed) res.set('Idempotent-Replayed', 'true');
        res.status(result.status).json(result.body);
        return RESPONDED;
      },
    }),
  ]);
  return router;
}
