import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { isoDateSchema } from './common.ts';

export const sessionActivityBlockSchema = z.object({
  activityCode: z.string().min(1).max(60),
  minutes: z.number().int().min(LIMITS.sessionMinutes.min).max(LIMITS.sessionMinutes.max),
  /** Group RPE (children's OMNI 0–10) if recorded for the block. */
  rpe: z.number().min(LIMITS.rpe.min).max(LIMITS.rpe.max).optional(),
  avgHeartRate: z.number().min(LIMITS.heartRate.min).max(LIMITS.heartRate.max).optional(),
  mets: z.number().min(LIMITS.mets.min).max(LIMITS.mets.max).optional(),
});

export const registerStatusSchema = z.enum(['present', 'absent', 'excused', 'late']);

export const registerEntrySchema = z.object({
  childId: z.string().min(1).max(64),
  status: registerStatusSchema,
  /** Minutes the child actually took part (late arrival, left early); absent = whole session. */
  minutes: z.number().int().min(0).max(LIMITS.sessionMinutes.max).optional(),
  /** The child's own session RPE (children's OMNI 0–10). */
  rpe: z.number().min(LIMITS.rpe.min).max(LIMITS.rpe.max).optional(),
});

export const sessionStatusSchema = z.enum(['scheduled', 'held', 'cancelled']);

export const sessionSchema = z
  .object({
    id: z.string().min(1).max(64),
    groupId: z.string().min(1).max(64),
    /** School-local calendar date. */
    date: isoDateSchema,
    status: sessionStatusSchema,
    activityBlocks: z.array(sessionActivityBlockSchema).max(20),
    register: z.array(registerEntrySchema).max(LIMITS.groupSize.max),
  })
  .superRefine((s, ctx) => {
    const ids = s.register.map((r) => r.childId);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['register'], message: 'a child appears twice in the register' });
  });

export const membershipSchema = z.object({
  childId: z.string().min(1).max(64),
  groupId: z.string().min(1).max(64),
  joinedOn: isoDateSchema,
  /** Last day as a member (inclusive); absent while still a member. */
  leftOn: isoDateSchema.optional(),
});

/** What dose computation needs to know about a child (no names). */
export const doseChildSchema = z.object({
  id: z.string().min(1).max(64),
  birthYear: z.number().int().min(1990).max(2100),
  birthMonth: z.number().int().min(1).max(12),
});

export type SessionActivityBlock = z.infer<typeof sessionActivityBlockSchema>;
export type RegisterEntry = z.infer<typeof registerEntrySchema>;
export type Session = z.infer<typeof sessionSchema>;
export type Membership = z.infer<typeof membershipSchema>;
export type DoseChild = z.infer<typeof doseChildSchema>;
