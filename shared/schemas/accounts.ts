// Validation schemas for accounts, schools and the audit trail, shared by the API and the client forms.
import { z } from 'zod';
import { accountLimits } from '../limits.ts';
import { nameText } from './text.ts';

export const roles = ['admin', 'pe_teacher', 'counsellor', 'researcher'] as const;
export type Role = (typeof roles)[number];

export const locales = ['zh-CN', 'en'] as const;

// Limits live once in shared/limits.ts (zod-free, so the client's forms import them without zod).
export { accountLimits };

export const objectIdSchema = z.string().regex(/^[a-f0-9]{24}$/, 'must be a 24-character id');

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(accountLimits.usernameMin)
  .max(accountLimits.usernameMax)
  .regex(/^[a-z0-9._-]+$/, 'use letters, digits, ".", "_" or "-"');

export const displayNameSchema = nameText(accountLimits.displayNameMax);
export const versionSchema = z.number().int().min(0);

export const loginSchema = z.strictObject({
  username: usernameSchema,
  // Login must not reveal the password policy; any non-empty string up to the maximum is checked.
  password: z.string().min(1).max(accountLimits.passwordMax),
});

export const schoolSettings = ['rural', 'urban'] as const;

/** IANA time zone names such as Asia/Shanghai (shape only; the server checks the zone exists). */
const timeZoneSchema = z
  .string()
  .max(64)
  .regex(/^[A-Za-z]+(?:[/_+-][A-Za-z0-9_+-]+)*$/, 'must be an IANA time zone such as Asia/Shanghai');

const schoolFields = {
  name: nameText(accountLimits.schoolNameMax),
  region: nameText(accountLimits.regionMax),
  county: nameText(accountLimits.regionMax),
  setting: z.enum(schoolSettings),
  timeZone: timeZoneSchema,
};

export const createSchoolSchema = z.strictObject({
  ...schoolFields,
  timeZone: schoolFields.timeZone.default('Asia/Shanghai'),
});

export const updateSchoolSchema = z.strictObject({
  version: versionSchema,
  name: schoolFields.name.optional(),
  region: schoolFields.region.optional(),
  county: schoolFields.county.optional(),
  setting: schoolFields.setting.optional(),
  timeZone: schoolFields.timeZone.optional(),
});

export const idParamsSchema = z.strictObject({ id: objectIdSchema });

// `revoke` and `first_use`: personal API tokens (revoked; first request made with it).
export const auditActions = ['create', 'update', 'delete', 'login', 'logout', 'login_failed', 'export', 'revoke', 'first_use'] as const;

export const auditQuerySchema = z.strictObject({
  entity: z.string().max(40).regex(/^[a-z_]+$/).optional(),
  action: z.enum(auditActions).optional(),
  actorId: objectIdSchema.optional(),
  entityId: z.string().max(40).regex(/^[A-Za-z0-9_-]+$/).optional(),
  /** Calendar days, read in `timeZone` (default Asia/Shanghai) so "today" means the admin's today. */
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  timeZone: z
    .string()
    .max(64)
    .regex(/^[A-Za-z]+(?:[/_+-][A-Za-z0-9_+-]+)*$/, 'must be an IANA time zone such as Asia/Shanghai')
    .default('Asia/Shanghai'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export type CreateSchoolInput = z.infer<typeof createSchoolSchema>;
export type UpdateSchoolInput = z.infer<typeof updateSchoolSchema>;
export type AuditQuery = z.infer<typeof auditQuerySchema>;
