// API schemas of the session log and attendance register, and of the delivery dashboard.
// One schema per endpoint keyed params / query / body; limits come from shared/limits.ts.
import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { objectIdSchema } from './accounts.ts';
import { isoDateSchema, timeSchema } from './common.ts';
import { registerStatusSchema } from './session.ts';
import { notesText } from './text.ts';

export const sessionIdParamsSchema = z.strictObject({ id: objectIdSchema });
export const programmeIdParamsSchema = z.strictObject({ id: objectIdSchema });

export const listSessionsQuerySchema = z.strictObject({
  groupId: objectIdSchema.optional(),
  programmeId: objectIdSchema.optional(),
  from: isoDateSchema.optional(),
  to: isoDateSchema.optional(),
  status: z.enum(['scheduled', 'held', 'cancelled']).optional(),
});

export const logActivityBlockSchema = z.strictObject({
  activityCode: z.string().min(1).max(60),
  minutes: z.number().int().min(LIMITS.sessionMinutes.min).max(LIMITS.sessionMinutes.max),
  /** Group RPE on the children's OMNI scale 0–10 (Robertson 2000). */
  rpe: z.number().min(LIMITS.rpe.min).max(LIMITS.rpe.max).optional(),
  /** Average heart rate of the group in the block, beats per minute. */
  avgHeartRate: z.number().int().min(LIMITS.heartRate.min).max(LIMITS.heartRate.max).optional(),
  mets: z.number().min(LIMITS.mets.min).max(LIMITS.mets.max).optional(),
});

export const logRegisterEntrySchema = z.strictObject({
  childId: objectIdSchema,
  status: registerStatusSchema,
  /** Minutes the child took part (late arrival, left early); absent = the whole session. */
  minutes: z.number().int().min(0).max(LIMITS.sessionMinutes.max).optional(),
  /** The child's own session RPE (children's OMNI 0–10). */
  rpe: z.number().min(LIMITS.rpe.min).max(LIMITS.rpe.max).optional(),
});

/** PUT /api/v1/sessions/:id/log — saves a held session (its log and register) in one write. */
export const saveSessionLogSchema = z
  .strictObject({
    /** The version the client edited; a stale one gets 409 with the current session. */
    version: z.number().int().min(0),
    actualStart: timeSchema,
    activityBlocks: z.array(logActivityBlockSchema).min(1).max(20),
    register: z.array(logRegisterEntrySchema).max(LIMITS.groupSize.max),
    notes: notesText(LIMITS.text.long).default(''),
  })
  .superRefine((body, ctx) => {
    const ids = body.register.map((r) => r.childId);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['register'], message: 'a child appears twice in the register' });
    const total = body.activityBlocks.reduce((a, b) => a + b.minutes, 0);
    if (total > LIMITS.sessionMinutes.max) {
      ctx.addIssue({ code: 'custom', path: ['activityBlocks'], message: `the blocks add up to ${total} minutes, more than ${LIMITS.sessionMinutes.max}` });
    }
    body.register.forEach((r, i) => {
      if (r.minutes !== undefined && r.minutes > total) {
        ctx.addIssue({ code: 'custom', path: ['register', i, 'minutes'], message: `more minutes (${r.minutes}) than the session had (${total})` });
      }
    });
  });

export const deliveryChildrenQuerySchema = z.strictObject({
  groupId: objectIdSchema.optional(),
  /** Only children with a check in this status. */
  status: z.enum(['pass', 'fail', 'at-risk', 'insufficient-data']).optional(),
});

export type ListSessionsQuery = z.infer<typeof listSessionsQuerySchema>;
export type SaveSessionLogInput = z.infer<typeof saveSessionLogSchema>;
export type DeliveryChildrenQuery = z.infer<typeof deliveryChildrenQuerySchema>;

// ---- delivery report shapes (server response = client type) ----

/** One programme week of a group, as the delivery report shows it. */
export interface GroupWeek {
  week: number;
  held: number;
  cancelled: number;
  aerobicMinutes: number;
  qualifyingMinutes: number;
  qualifyingSessions: number;
  marks: number;
  attended: number;
}

/** An "at risk" notice of the delivery report. */
export interface Notice {
  kind: 'gap' | 'falling-attendance' | 'delivery' | 'children';
  severity: 'fail' | 'at-risk';
  groupId: string | null;
  groupName: string | null;
  message: string;
  messageKey: string;
  params: Record<string, string | number>;
}
